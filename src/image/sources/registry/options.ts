/**
 * Options of the registry source, carried untyped in `OpenOptions.registry` (the model stays
 * source-agnostic) and read once here.
 */
export interface RetryPolicy {
  /** Attempts per request, the first included. */
  attempts: number
  /** First backoff delay; doubles per attempt with jitter, capped at maxDelayMs. */
  baseDelayMs: number
  maxDelayMs: number
}

export interface RegistryOptions {
  /** Hosts (host or host:port) that may be spoken to over plain HTTP or with unverified TLS. */
  insecureRegistries: string[]
  /** Neither read nor write the blob cache. */
  noCache: boolean
  /** Also keep layer blobs in the cache (manifests and configs always are, unless noCache). */
  cacheLayers: boolean
  /** How many layers the caller should stream at once. The source itself does not limit. */
  concurrency: number
  /** AWS region for ECR when the hostname does not say (ecrRegistries), and for the SDK. */
  region?: string
  /** AWS shared-config profile for ECR credentials. */
  profile?: string
  /** ECR API endpoint override (AWS_ENDPOINT_URL is honoured by the SDK itself). */
  endpointUrl?: string
  /** Extra hosts to authenticate with ECR GetAuthorizationToken (VPC endpoints, proxies, tests). */
  ecrRegistries: string[]
  /** Called as layer bytes arrive; total is the blob size from the manifest. */
  onProgress?: (layerIndex: number, bytes: number, total: number | undefined) => void
  /** Path of the Docker CLI config (default $DOCKER_CONFIG/config.json, else ~/.docker/config.json). */
  dockerConfigPath?: string
  /** Root of the blob cache (default $XDG_CACHE_HOME/layer-audit, else ~/.cache/layer-audit). */
  cacheDir?: string
  retry: RetryPolicy
  /** No response headers (or no body bytes) for this long aborts the attempt; it is then retried. */
  timeoutMs: number
}

export const DEFAULT_RETRY: RetryPolicy = {attempts: 5, baseDelayMs: 500, maxDelayMs: 10_000}

function strings(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string').map((v) => v.toLowerCase())
  if (typeof value === 'string' && value !== '') return [value.toLowerCase()]
  return []
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}

function positive(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback
}

export function readRegistryOptions(raw: Record<string, unknown> | undefined): RegistryOptions {
  const o = raw ?? {}
  const retry = (o.retry ?? {}) as Partial<RetryPolicy>
  return {
    insecureRegistries: strings(o.insecureRegistries),
    noCache: o.noCache === true,
    cacheLayers: o.cacheLayers === true,
    concurrency: Math.floor(positive(o.concurrency, 4)),
    region: optionalString(o.region),
    profile: optionalString(o.profile),
    endpointUrl: optionalString(o.endpointUrl),
    ecrRegistries: strings(o.ecrRegistries),
    onProgress: typeof o.onProgress === 'function' ? (o.onProgress as RegistryOptions['onProgress']) : undefined,
    dockerConfigPath: optionalString(o.dockerConfigPath),
    cacheDir: optionalString(o.cacheDir),
    retry: {
      attempts: Math.floor(positive(retry.attempts, DEFAULT_RETRY.attempts)),
      baseDelayMs: positive(retry.baseDelayMs, DEFAULT_RETRY.baseDelayMs),
      maxDelayMs: positive(retry.maxDelayMs, DEFAULT_RETRY.maxDelayMs),
    },
    timeoutMs: positive(o.timeoutMs, positive(Number(process.env.LAYER_AUDIT_REGISTRY_TIMEOUT_MS), 60_000)),
  }
}
