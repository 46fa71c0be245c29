/**
 * The only module that talks to the Lambda API (@aws-sdk/client-lambda). Credentials come from the SDK's
 * default provider chain (env, shared files with `profile` / AWS_PROFILE, SSO, container/instance roles);
 * throttling is retried by the SDK's standard retry strategy (the fleet inventory, src/fleet/inventory.ts,
 * runs its own). Errors are one line naming what was asked, never a credential or a presigned URL (those
 * stay inside PresignedUrl, see function-config.ts).
 */
import {GetFunctionCommand, GetLayerVersionByArnCommand, LambdaClient} from '@aws-sdk/client-lambda'
import {AwsError, LayerAuditError} from '../errors.js'
import {downloadZip, type DownloadedZip, type DownloadOptions} from './download.js'
import {parseFunctionConfig, PresignedUrl, type FunctionConfig} from './function-config.js'

export interface AwsOptions {
  region?: string
  profile?: string
  /** Overrides the endpoint (else AWS_ENDPOINT_URL_LAMBDA / AWS_ENDPOINT_URL, else AWS's). */
  endpointUrl?: string
  /** How long one API call may go without an answer (default LAYER_AUDIT_AWS_TIMEOUT_MS, else 20 s). */
  timeoutMs?: number
}

/** Attempts per call: the SDK's for throttling and transient failures alike, the fleet's for transient ones. */
export const ATTEMPTS = 3

/** An endpoint that accepts and never answers must not hang the gate: each call gives up after this. */
function apiTimeout(options: AwsOptions): number {
  const fromEnv = Number(process.env.LAYER_AUDIT_AWS_TIMEOUT_MS)
  return options.timeoutMs ?? (Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : 20_000)
}

export interface LayerVersion {
  arn: string
  /** The layer ARN without its version. */
  layerArn?: string
  version?: number
  /** base64 sha256 of the zip. */
  codeSha256: string
  codeSize: number
  compatibleArchitectures?: string[]
  compatibleRuntimes?: string[]
  location: PresignedUrl
}

const LAYER_ARN = /^arn:(aws[a-z-]*):lambda:([a-z0-9-]+):(\d{12}):layer:([A-Za-z0-9_-]+):(\d+)$/
/** arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]. */
export const FUNCTION_ARN = /^arn:(aws[a-z-]*):lambda:([a-z0-9-]+):(\d{12}):function:([A-Za-z0-9_-]+)(:[A-Za-z0-9$_-]+)?$/

export function isLayerArn(value: string): boolean {
  return LAYER_ARN.test(value)
}

/** The region an ARN names, or undefined. */
export function regionOfArn(arn: string): string | undefined {
  const parts = arn.split(':')
  return parts[0] === 'arn' && parts.length > 4 && parts[3] ? parts[3] : undefined
}

/** GetLayerVersionByArn: metadata and the (unrevealed) download URL of one layer version. */
export async function getLayerVersionByArn(arn: string, options: AwsOptions = {}): Promise<LayerVersion> {
  if (!LAYER_ARN.test(arn)) {
    throw new AwsError('USAGE', 'not a layer version ARN (arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION)', {input: arn})
  }
  const client = makeClient(options, regionOfArn(arn))
  try {
    const out = await client.send(new GetLayerVersionByArnCommand({Arn: arn})).catch((error: unknown) => {
      throw awsError(error, arn, options)
    })
    const content = out.Content
    if (!content?.Location || !content.CodeSha256 || content.CodeSize === undefined) {
      throw new AwsError('AWS', 'GetLayerVersionByArn returned no Content (Location, CodeSha256, CodeSize)', {input: arn})
    }
    const layer: LayerVersion = {
      arn: out.LayerVersionArn ?? arn,
      codeSha256: content.CodeSha256,
      codeSize: content.CodeSize,
      location: new PresignedUrl(content.Location),
    }
    if (out.LayerArn) layer.layerArn = out.LayerArn
    if (out.Version !== undefined) layer.version = out.Version
    if (out.CompatibleArchitectures?.length) layer.compatibleArchitectures = [...out.CompatibleArchitectures]
    if (out.CompatibleRuntimes?.length) layer.compatibleRuntimes = [...out.CompatibleRuntimes]
    return layer
  } finally {
    client.destroy()
  }
}

/** GetFunction: the configuration (runtime, handler, layers, env…) and Code (a presigned zip URL or an image URI). */
export async function getFunction(nameOrArn: string, options: AwsOptions = {}): Promise<FunctionConfig> {
  const client = makeClient(options, FUNCTION_ARN.test(nameOrArn) ? regionOfArn(nameOrArn) : undefined)
  try {
    const out = await client.send(new GetFunctionCommand({FunctionName: nameOrArn})).catch((error: unknown) => {
      throw awsError(error, nameOrArn, options)
    })
    return parseFunctionConfig({Configuration: out.Configuration ?? {}, Code: out.Code ?? {}}, nameOrArn)
  } finally {
    client.destroy()
  }
}

/** Downloads a layer version's zip (cache first), verified against CodeSha256 and CodeSize. */
export function downloadLayer(layer: LayerVersion, options: DownloadOptions = {}): Promise<DownloadedZip> {
  return downloadZip(layer.location, {codeSha256: layer.codeSha256, codeSize: layer.codeSize}, layer.arn, options)
}

/** Downloads a zip function's code from Code.Location, verified against CodeSha256 and CodeSize. */
export function downloadFunctionCode(config: FunctionConfig, what: string, options: DownloadOptions = {}): Promise<DownloadedZip> {
  const location = config.code?.location
  if (!location) throw new AwsError('USAGE', 'no Code.Location to download the code zip from (give --function-zip)', {input: what})
  if (!config.codeSha256) throw new AwsError('AWS', 'no CodeSha256 to verify the code zip against', {input: what})
  return downloadZip(location, {codeSha256: config.codeSha256, codeSize: config.codeSize}, what, options)
}

/**
 * A Lambda client for `region` (an ARN's or a listed one; else --region, AWS_REGION, the profile's).
 * `maxAttempts` 1 leaves every retry to the caller.
 */
export function makeClient(options: AwsOptions, region: string | undefined, maxAttempts = ATTEMPTS): LambdaClient {
  region ??= options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION
  const endpoint = options.endpointUrl ?? process.env.AWS_ENDPOINT_URL_LAMBDA ?? process.env.AWS_ENDPOINT_URL
  return new LambdaClient({
    // Left undefined, the SDK reads the region from the profile's config file.
    ...(region ? {region} : {}),
    ...(options.profile ? {profile: options.profile} : {}),
    ...(endpoint ? {endpoint} : {}),
    retryMode: 'standard',
    maxAttempts,
    requestHandler: {connectionTimeout: apiTimeout(options), requestTimeout: apiTimeout(options), throwOnRequestTimeout: true},
  })
}

/** One line per failure kind; the SDK's message is kept only where it cannot hold a secret. */
export function awsError(error: unknown, what: string, options: AwsOptions): LayerAuditError {
  if (error instanceof LayerAuditError) return error
  const e = error as {name?: string; message?: string; $metadata?: {httpStatusCode?: number}; code?: string}
  const name = e.name ?? ''
  const status = e.$metadata?.httpStatusCode
  const say = (message: string, code: 'AWS' | 'NETWORK' | 'NOT_FOUND' = 'AWS') => new AwsError(code, message, {input: what, cause: error})
  if (name === 'ResourceNotFoundException' || status === 404) return say('not found (ResourceNotFoundException): check the name, version and region', 'NOT_FOUND')
  if (name === 'AccessDeniedException' || name === 'AccessDenied') return say('access denied (AccessDeniedException): the credentials lack permission for this call')
  if (/ExpiredToken|TokenRefreshRequired/.test(name) || /expired/i.test(e.message ?? '')) {
    return say('AWS credentials have expired: refresh them (e.g. `aws sso login`) and run again')
  }
  if (name === 'UnrecognizedClientException' || name === 'InvalidSignatureException') {
    return say(`AWS rejected the credentials (${name}): check the profile or access key`)
  }
  if (name === 'CredentialsProviderError' || /Could not load credentials/.test(e.message ?? '')) {
    return say('no AWS credentials found (environment, --profile / AWS_PROFILE, SSO or instance role)')
  }
  if (/Region is missing/i.test(e.message ?? '')) return say('no AWS region: give --region, an ARN, or set AWS_REGION')
  if (name === 'TooManyRequestsException' || name === 'ThrottlingException' || status === 429) {
    return say(`throttled by Lambda (${name || 'HTTP 429'}) after retries`)
  }
  if (name === 'TimeoutError') {
    return say(`the Lambda API did not answer within ${Math.round(apiTimeout(options) / 1000)} s (${ATTEMPTS} attempts)`, 'NETWORK')
  }
  if (e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' || e.code === 'ETIMEDOUT' || e.code === 'ECONNRESET') {
    return say(`cannot reach the Lambda API (${e.code})`, 'NETWORK')
  }
  return say(`Lambda API call failed (${name || 'error'}${status ? `, HTTP ${status}` : ''})`)
}
