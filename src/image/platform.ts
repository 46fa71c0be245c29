/**
 * Platform parsing, matching and choosing one manifest out of an index (OCI index or Docker manifest list).
 * Rules (containerd's, simplified): default linux/amd64 if present, else the only platform, else an
 * AMBIGUOUS error that lists them; a requested arm64 matches arm64/v8; attestation and other
 * unknown/unknown entries are never a platform; an entry without a platform matches any request.
 */
import {ImageSourceError, UsageError} from '../errors.js'
import {quoteInput, quoteList} from '../io/input-text.js'
import type {Descriptor, Platform} from './model.js'
import {REFERENCE_TYPE} from './media-types.js'

const ARCH_ALIASES: Record<string, string> = {x86_64: 'amd64', 'x86-64': 'amd64', aarch64: 'arm64', armhf: 'arm', armel: 'arm', i386: '386'}
const DEFAULT_VARIANT: Record<string, string> = {arm64: 'v8', arm: 'v7'}

/** "os/arch[/variant]" → Platform; a bare "arch" means linux/arch. */
export function parsePlatform(text: string): Platform {
  const parts = text.trim().toLowerCase().split('/')
  if (parts.length === 1 && parts[0]) return normalizePlatform({os: 'linux', architecture: parts[0]})
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p === '')) {
    throw new UsageError(`invalid platform "${quoteInput(text)}": expected os/arch[/variant], e.g. linux/arm64`)
  }
  const [os, architecture, variant] = parts as [string, string, string | undefined]
  return normalizePlatform({os, architecture, ...(variant ? {variant} : {})})
}

export function formatPlatform(platform: Platform): string {
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/')
}

export function normalizePlatform(platform: Platform): Platform {
  const architecture = ARCH_ALIASES[platform.architecture] ?? platform.architecture
  const variant = platform.variant || undefined
  return {os: platform.os, architecture, ...(variant ? {variant} : {})}
}

/** Does an index entry's platform satisfy the request? A missing variant on either side is a wildcard,
 * except that two different explicit variants never match. */
export function platformMatches(candidate: Platform, wanted: Platform): boolean {
  const a = normalizePlatform(candidate)
  const b = normalizePlatform(wanted)
  if (a.os !== b.os || a.architecture !== b.architecture) return false
  if (!b.variant || !a.variant) return true
  return a.variant === b.variant
}

/** Attestations (buildx) and other unknown/unknown entries describe an image, they are not one. */
export function isAttestation(descriptor: Descriptor): boolean {
  return descriptor.annotations?.[REFERENCE_TYPE] !== undefined || descriptor.platform?.os === 'unknown'
}

export interface PlatformCandidate {
  descriptor: Descriptor
  /** Whether the manifest blob is actually there (containerd saves only one platform's blobs). */
  present: boolean
  /** Ref names (org.opencontainers.image.ref.name) that lead to it, for messages. */
  refs: string[]
}

/**
 * Picks one manifest. `candidates` exclude attestations; duplicates (one manifest under several refs)
 * are allowed and count once.
 */
export function choosePlatform(candidates: PlatformCandidate[], wanted: Platform | undefined, input: string): PlatformCandidate {
  const unique = dedupe(candidates)
  if (unique.length === 0) throw new ImageSourceError('NOT_FOUND', 'the index lists no image manifests', {input})
  if (wanted) {
    // Filter before deduplicating: a manifest listed once without a platform (a wildcard) and once
    // with one must still match any request (stereoscope's valid_oci_dir).
    const matching = dedupe(candidates.filter((c) => !c.descriptor.platform || platformMatches(c.descriptor.platform, wanted)))
    if (matching.length === 0) {
      throw new ImageSourceError(
        'NOT_FOUND',
        `no image for platform ${formatPlatform(wanted)}; available: ${listPlatforms(unique)}`,
        {input},
      )
    }
    const best = narrow(matching, wanted)
    if (best.length === 1) return requirePresent(best[0]!, input)
    const present = best.filter((c) => c.present)
    if (present.length === 1) return present[0]!
    throw ambiguous(best, `several images match platform ${formatPlatform(wanted)}`, input)
  }
  // No request: only what is actually in the archive can be chosen.
  const present = unique.filter((c) => c.present)
  if (present.length === 0) {
    throw new ImageSourceError('NOT_FOUND', `no manifest blob of the index is present (platforms: ${listPlatforms(unique)})`, {input})
  }
  const amd64 = narrow(
    present.filter((c) => c.descriptor.platform && platformMatches(c.descriptor.platform, {os: 'linux', architecture: 'amd64'})),
    {os: 'linux', architecture: 'amd64'},
  )
  if (amd64.length === 1) return amd64[0]!
  if (amd64.length > 1) throw ambiguous(amd64, 'several images match the default platform linux/amd64', input)
  if (present.length === 1) return present[0]!
  throw ambiguous(present, 'several platforms', input)
}

/** Among several matches prefer an exact variant, then the architecture's default variant. */
function narrow(matches: PlatformCandidate[], wanted: Platform): PlatformCandidate[] {
  if (matches.length <= 1) return matches
  const wantVariant = wanted.variant ?? DEFAULT_VARIANT[normalizePlatform(wanted).architecture]
  const exact = matches.filter((c) => (c.descriptor.platform?.variant ?? DEFAULT_VARIANT[c.descriptor.platform?.architecture ?? '']) === wantVariant)
  return exact.length > 0 ? exact : matches
}

function requirePresent(candidate: PlatformCandidate, input: string): PlatformCandidate {
  if (candidate.present) return candidate
  const platform = candidate.descriptor.platform ? ` for ${quoteInput(formatPlatform(candidate.descriptor.platform))}` : ''
  throw new ImageSourceError('NOT_FOUND', `manifest ${candidate.descriptor.digest}${platform} is listed but its blob is missing`, {input})
}

function dedupe(candidates: PlatformCandidate[]): PlatformCandidate[] {
  const byDigest = new Map<string, PlatformCandidate>()
  for (const c of candidates) {
    const seen = byDigest.get(c.descriptor.digest)
    if (!seen) byDigest.set(c.descriptor.digest, {...c, refs: [...c.refs]})
    else {
      for (const ref of c.refs) if (!seen.refs.includes(ref)) seen.refs.push(ref)
      if (!seen.descriptor.platform && c.descriptor.platform) seen.descriptor = c.descriptor
    }
  }
  return [...byDigest.values()]
}

function describe(c: PlatformCandidate): string {
  const platform = c.descriptor.platform ? quoteInput(formatPlatform(c.descriptor.platform)) : 'no platform'
  const refs = c.refs.length > 0 ? ` [${quoteList(c.refs, 5)}]` : ''
  return `${platform}${refs}${c.present ? '' : ' (blob missing)'}`
}

function listPlatforms(candidates: PlatformCandidate[]): string {
  // Platforms and refs come from the index: each quoted, and a list of thousands is cut.
  const shown = candidates.slice(0, 20).map(describe).join(', ')
  return candidates.length > 20 ? `${shown}, … and ${candidates.length - 20} more` : shown
}

function ambiguous(candidates: PlatformCandidate[], what: string, input: string): ImageSourceError {
  const hasRefs = candidates.some((c) => c.refs.length > 0)
  const hint = hasRefs ? 'choose one with --platform or a ref (oci:DIR:REF)' : 'choose one with --platform os/arch[/variant]'
  return new ImageSourceError('AMBIGUOUS', `${what}: ${listPlatforms(candidates)}; ${hint}`, {input})
}
