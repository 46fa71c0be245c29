/**
 * Image references as `docker pull` reads them: `[docker://][HOST[:PORT]/]REPO[:TAG][@sha256:HEX]`.
 * A first path component is a registry host only when it looks like one (has a dot or a port, or is
 * `localhost`), exactly as distribution/reference decides, so `alpine:3.20` means Docker Hub's
 * `library/alpine` and `127.0.0.1:5000/x` means a loopback registry.
 */
import {ImageSourceError} from '../../../errors.js'

export interface RegistryReference {
  /** Registry as users name it (`docker.io`, `ghcr.io`, `127.0.0.1:5000`), lower-cased. */
  registry: string
  /** Repository path inside the registry (`library/alpine`). */
  repository: string
  tag?: string
  /** `sha256:<64 hex>` when pinned; wins over the tag for fetching. */
  digest?: string
  /** What the user typed, used to name the input in errors. */
  input: string
}

export const DOCKER_HUB = 'docker.io'
const DOCKER_HUB_API_HOST = 'registry-1.docker.io'
const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com'])

// distribution/reference's grammar, simplified to what matters for parsing.
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/
const TAG = /^\w[\w.-]{0,127}$/
const DIGEST = /^sha256:[a-f0-9]{64}$/
const HOST = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:.]+\])(?::\d{1,5})?$/
const ARCHIVE_SUFFIX = /\.(?:tar|tgz|tar\.gz|tar\.zst|zip|oci|json)$/i

function fail(input: string, why: string): never {
  throw new ImageSourceError('UNKNOWN_FORMAT', `not an image reference: ${why}`, {input})
}

function looksLikeHost(component: string): boolean {
  return component.includes('.') || component.includes(':') || component === 'localhost' || component.startsWith('[')
}

export function parseReference(input: string): RegistryReference {
  let rest = input.trim()
  if (rest.startsWith('docker://')) rest = rest.slice('docker://'.length)
  if (rest === '') fail(input, 'empty')

  let digest: string | undefined
  const at = rest.indexOf('@')
  if (at !== -1) {
    digest = rest.slice(at + 1)
    rest = rest.slice(0, at)
    if (!DIGEST.test(digest)) fail(input, 'the digest must be sha256: followed by 64 lower-case hex digits')
  }

  let tag: string | undefined
  const lastSlash = rest.lastIndexOf('/')
  const colon = rest.lastIndexOf(':')
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1)
    rest = rest.slice(0, colon)
    if (!TAG.test(tag)) fail(input, `invalid tag "${tag}"`)
  }

  const parts = rest.split('/')
  let registry = DOCKER_HUB
  if (parts.length > 1 && looksLikeHost(parts[0])) {
    registry = parts.shift()!.toLowerCase()
    if (!HOST.test(registry)) fail(input, `invalid registry host "${registry}"`)
  }
  if (DOCKER_HUB_ALIASES.has(registry)) registry = DOCKER_HUB
  for (const part of parts) {
    if (!PATH_COMPONENT.test(part)) fail(input, `invalid repository name "${parts.join('/')}"`)
  }
  if (registry === DOCKER_HUB && parts.length === 1) parts.unshift('library')
  const repository = parts.join('/')
  if (repository.length > 255) fail(input, 'repository name longer than 255 characters')

  return {registry, repository, tag: tag ?? (digest ? undefined : 'latest'), digest, input}
}

/**
 * Whether `input` should be read from a registry. Callers test for an existing local path first (a
 * local path always wins); this only rejects strings that are clearly meant as paths, so a mistyped
 * `image.tar` gives "no such file" rather than a Docker Hub lookup.
 */
export function isRegistryReference(input: string): boolean {
  if (input.startsWith('docker://')) return true
  if (/^(?:\.{0,2}\/|~|[a-zA-Z]:\\)/.test(input) || input.includes('\\')) return false
  // Scheme prefixes of the other sources ("oci:dir", "docker-archive:x.tar").
  if (/^(?:oci|oci-archive|oci-layout|docker-archive|dir|containers-storage|file):/i.test(input)) return false
  const withoutPin = input.split('@')[0]
  if (ARCHIVE_SUFFIX.test(withoutPin)) return false
  try {
    parseReference(input)
    return true
  } catch {
    return false
  }
}

/** Host (and port) the distribution API is served from. */
export function apiHost(ref: Pick<RegistryReference, 'registry'>): string {
  return ref.registry === DOCKER_HUB ? DOCKER_HUB_API_HOST : ref.registry
}

/** The tag or digest used in the manifests URL: the digest when pinned. */
export function manifestReference(ref: RegistryReference): string {
  return ref.digest ?? ref.tag ?? 'latest'
}

/** Canonical `REGISTRY/REPO[:TAG][@DIGEST]` form. */
export function formatReference(ref: RegistryReference): string {
  return `${ref.registry}/${ref.repository}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`
}

/** Loopback hosts are the only ones spoken to over plain HTTP without `insecureRegistries`. */
export function isLoopbackHost(hostPort: string): boolean {
  const host = hostWithoutPort(hostPort)
  return host === 'localhost' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) || host === '::1' || host === '[::1]'
}

export function hostWithoutPort(hostPort: string): string {
  if (hostPort.startsWith('[')) return hostPort.slice(0, hostPort.indexOf(']') + 1)
  const colon = hostPort.lastIndexOf(':')
  return colon === -1 ? hostPort : hostPort.slice(0, colon)
}
