/** Digest strings: validation (they become file paths), short forms for messages, hashing. */
import {createHash, type Hash} from 'node:crypto'
import {ImageSourceError, LayerAuditError} from '../errors.js'
import {quoteInput} from '../io/input-text.js'

const DIGEST = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/

export function isDigest(value: unknown): value is string {
  return typeof value === 'string' && DIGEST.test(value)
}

/** Throws CORRUPT for anything that is not sha256:/sha512: hex, so a digest can never walk out of blobs/. */
export function checkDigest(value: unknown, what: string, input: string): string {
  if (value === undefined || value === null) throw new ImageSourceError('CORRUPT', `${what} has no digest`, {input})
  if (!isDigest(value)) {
    throw new ImageSourceError('CORRUPT', `${what}: invalid digest ${quoteInput(typeof value === 'string' ? JSON.stringify(value) : String(value))}`, {input})
  }
  return value
}

export function digestAlgorithm(digest: string): 'sha256' | 'sha512' {
  return digest.startsWith('sha512:') ? 'sha512' : 'sha256'
}

export function hasherFor(digest: string | undefined): Hash {
  return createHash(digest ? digestAlgorithm(digest) : 'sha256')
}

export function digestOf(bytes: Uint8Array, algorithm: 'sha256' | 'sha512' = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`
}

/** "sha256:abcdef012345…" — enough to recognise, short enough for one line. */
export function shortDigest(digest: string | undefined): string {
  if (!digest) return 'unknown digest'
  const [algorithm, hex] = digest.split(':')
  return hex && hex.length > 12 ? `${algorithm}:${hex.slice(0, 12)}…` : digest
}

/** How errors name a layer: "layer 3 (sha256:abcdef012345…)". */
export function layerLabel(layer: {index: number; digest?: string; diffId: string}): string {
  return `layer ${layer.index} (${shortDigest(layer.digest ?? layer.diffId)})`
}

export function isLayerAuditError(error: unknown): error is LayerAuditError {
  return error instanceof LayerAuditError
}
