/**
 * The narrow core a content-addressed source implements (OCI layout dir, OCI archive, the OCI layout
 * inside a Docker >= 25 archive, a registry). The resolver derives manifests, configs and layers from it.
 */
import type {Readable} from 'node:stream'
import {DigestMismatchError, ImageSourceError} from '../errors.js'
import {digestAlgorithm, digestOf} from './digest.js'
import {checkJsonSize} from './json-document.js'
import type {Descriptor} from './model.js'

export interface BlobStore {
  /** Whether the blob is there (cheap: an index lookup, a stat, a HEAD). */
  has(digest: string): Promise<boolean>
  /** The stored bytes, at most `maxBytes` (TOO_LARGE past that). Not verified: use readVerifiedBlob. */
  read(digest: string, maxBytes: number): Promise<Buffer>
  /** The stored bytes as a stream (1 MiB reads), not verified. */
  open(digest: string): Promise<Readable>
}

/** Reads a small blob under the JSON cap and checks its size and digest against the descriptor. */
export async function readVerifiedBlob(
  store: BlobStore,
  descriptor: Pick<Descriptor, 'digest' | 'size'>,
  cap: number,
  what: string,
  input: string,
): Promise<Buffer> {
  if (typeof descriptor.size === 'number' && descriptor.size >= 0) checkJsonSize(descriptor.size, cap, what, input)
  if (!(await store.has(descriptor.digest))) {
    throw new ImageSourceError('NOT_FOUND', `${what} blob ${descriptor.digest} is missing`, {input})
  }
  const bytes = await store.read(descriptor.digest, cap)
  const actual = digestOf(bytes, digestAlgorithm(descriptor.digest))
  if (actual !== descriptor.digest) throw new DigestMismatchError(what, descriptor.digest, actual, {input})
  if (typeof descriptor.size === 'number' && descriptor.size >= 0 && bytes.length !== descriptor.size) {
    throw new ImageSourceError('CORRUPT', `${what}: descriptor says ${descriptor.size} bytes, blob has ${bytes.length}`, {input})
  }
  return bytes
}
