/**
 * One layer's blob turned into its uncompressed tar, synchronously, chunk by chunk: compression is
 * sniffed from the first bytes, the stored blob's digest and the uncompressed digest (diff_id) are
 * computed on the way and checked at the end. Whoever has the blob bytes pushes them in (a layer
 * worker from its messages, the main thread from a source's stream); the tar bytes go to `onTar`
 * in the same call. Every error it throws is a LayerAuditError naming the layer.
 *
 * A corrupt blob is reported as what it is, not as its symptom. When inflating fails, or `onTar` (the
 * tar walker) throws, the error is held and the rest of the blob is only hashed; at the end a digest
 * or size mismatch wins, and the held error is thrown only for a blob that is exactly what the
 * manifest names. Bytes past the declared size fail at once: a longer blob is never read to its end.
 */
import {createHash, type Hash} from 'node:crypto'
import {DigestMismatchError, ImageSourceError, LayerAuditError} from '../errors.js'
import {type Compression, SNIFF_BYTES, compressionFromMediaType, sniffCompression} from './compression.js'
import {digestAlgorithm, layerLabel} from './digest.js'
import {createInflater, type SyncInflater} from './inflate.js'
import type {LayerInfo} from './model.js'

export interface LayerStreamStats {
  compression: Compression
  compressedSize: number
  uncompressedSize: number
}

export class LayerDecoder {
  private compression?: Compression
  private head: Buffer[] = []
  private headLength = 0
  private inflater?: SyncInflater
  private storedHash?: Hash
  private tarHash?: Hash
  private compressedSize = 0
  private uncompressedSize = 0
  /** The size the descriptor declares; Infinity when it declares none. */
  private readonly declaredSize: number
  /** The first inflate or tar error, held until the end of the blob says whether it is the one to report. */
  private failure?: {error: unknown}
  /** No more tar bytes are made (the blob digest decides now): the rest of the blob is only hashed. */
  private stopped = false
  private readonly label: string

  constructor(
    private readonly layer: LayerInfo,
    /** Names the user's input in errors. */
    private readonly input: string,
    private readonly onTar: (chunk: Buffer) => void,
  ) {
    this.label = layerLabel(layer)
    this.declaredSize = layer.size !== undefined && layer.size >= 0 ? layer.size : Number.POSITIVE_INFINITY
  }

  /** Blob bytes in; their tar bytes go to `onTar` before this returns. */
  write(chunk: Buffer): void {
    if (chunk.length === 0) return
    if (this.compression === undefined) {
      this.head.push(chunk)
      this.headLength += chunk.length
      if (this.headLength < SNIFF_BYTES) return
      this.start(Buffer.concat(this.head))
      const head = this.head
      this.head = []
      for (const part of head) this.decode(part)
      return
    }
    this.decode(chunk)
  }

  /**
   * The blob ended: checks what was read against the layer's digests and size, then reports a held
   * inflate or tar error (see the top of this file).
   */
  end(): LayerStreamStats {
    if (this.compression === undefined) {
      this.start(Buffer.concat(this.head))
      for (const part of this.head) this.decode(part)
      this.head = []
    }
    const compression = this.compression!
    if (this.inflater && !this.stopped) {
      let rest: Buffer[] = []
      try {
        rest = this.inflater.end()
      } catch (error) {
        this.inflateFailed(error)
      }
      this.emit(rest)
    }
    const problem = this.verify()
    if (problem) throw problem.error
    return {compression, compressedSize: this.compressedSize, uncompressedSize: this.uncompressedSize}
  }

  /** The error to report for a failure of the blob's source (a read error, a missing file). */
  sourceError(error: unknown): LayerAuditError {
    return wrapError(error, this.label, this.compression ?? 'none', this.input)
  }

  /** The error to report when the blob's stream closed before its end. */
  closedEarly(): LayerAuditError {
    return new ImageSourceError('CORRUPT', `${this.label}: stream closed before its end`, {input: this.input})
  }

  private start(head: Buffer): void {
    const compression = sniffCompression(head)
    this.compression = compression
    const {digest} = this.layer
    // Without a blob digest to check (docker-archive's legacy layout) a compressed blob is only counted:
    // hashing 1 GB of gzip for nothing costs ~0.6 s of CPU. An uncompressed blob is its own diff.
    if (digest) this.storedHash = createHash(digestAlgorithm(digest))
    if (compression === 'none') this.tarHash = this.storedHash && digestAlgorithm(digest!) === 'sha256' ? undefined : createHash('sha256')
    else {
      this.tarHash = createHash('sha256')
      this.inflater = createInflater(compression)
    }
  }

  private decode(chunk: Buffer): void {
    this.compressedSize += chunk.length
    if (this.compressedSize > this.declaredSize) {
      throw new ImageSourceError('CORRUPT', `${this.label}: blob is longer than the ${this.declaredSize} bytes the manifest says`, {
        input: this.input,
      })
    }
    this.storedHash?.update(chunk)
    if (this.stopped) return
    if (!this.inflater) return this.emit([chunk])
    let tar: Buffer[]
    try {
      tar = this.inflater.write(chunk)
    } catch (error) {
      return this.inflateFailed(error)
    }
    this.emit(tar)
  }

  private emit(chunks: Buffer[]): void {
    for (const chunk of chunks) {
      this.uncompressedSize += chunk.length
      this.tarHash?.update(chunk)
      if (this.failure) continue // the tar failed: its bytes are still hashed for the diff_id check
      try {
        this.onTar(chunk)
      } catch (error) {
        this.tarFailed(error)
      }
    }
  }

  /**
   * Broken gzip/zstd. With a blob digest, the rest of the blob is hashed and the end decides; without
   * one (docker-archive's legacy layers) nothing further can be checked: the error stands at once.
   */
  private inflateFailed(error: unknown): void {
    const wrapped = wrapError(error, this.label, this.compression!, this.input, this.layer.mediaType)
    if (!this.storedHash) throw wrapped
    this.failure = {error: wrapped}
    this.stopped = true
    this.inflater = undefined
  }

  /**
   * `onTar` threw (a corrupt or truncated-looking tar, a hook's failure). With a blob digest, inflating
   * stops and only the blob is hashed; without one, the tar bytes are still made and hashed, for the
   * diff_id check.
   */
  private tarFailed(error: unknown): void {
    this.failure = {error}
    if (this.storedHash) {
      this.stopped = true
      this.inflater = undefined
    }
  }

  /** What to throw at the end: a digest or size mismatch first, then a held error. */
  private verify(): {error: unknown} | undefined {
    const {layer, label, input} = this
    const stored = this.storedHash ? `${digestAlgorithm(layer.digest!)}:${this.storedHash.digest('hex')}` : undefined
    if (layer.digest && stored !== layer.digest) return {error: new DigestMismatchError(`${label} blob`, layer.digest, stored!, {input})}
    if (this.declaredSize !== Number.POSITIVE_INFINITY && this.compressedSize !== this.declaredSize) {
      const error = new ImageSourceError('CORRUPT', `${label}: blob is ${this.compressedSize} bytes, the manifest says ${this.declaredSize}`, {input})
      return {error}
    }
    // Stopped: the tar was not made to its end, so its digest says nothing; the blob matched, the held error stands.
    if (!this.stopped) {
      const diffId = this.tarHash ? `sha256:${this.tarHash.digest('hex')}` : stored!
      if (diffId !== layer.diffId) return {error: new DigestMismatchError(`${label} diff_id`, layer.diffId, diffId, {input})}
    }
    return this.failure
  }
}

export function wrapError(error: unknown, label: string, compression: Compression, input: string, mediaType?: string): LayerAuditError {
  if (error instanceof LayerAuditError) return error
  const reason = error instanceof Error ? error.message : String(error)
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  if (code === 'ENOENT') return new ImageSourceError('NOT_FOUND', `${label}: blob is missing`, {input, cause: error})
  const declared = mediaType ? compressionFromMediaType(mediaType) : compression
  const what = compression === 'none' ? 'read failed' : `broken ${compression} stream${declared !== compression ? ` (declared ${declared})` : ''}`
  return new ImageSourceError('CORRUPT', `${label}: ${what}: ${reason}`, {input, cause: error})
}
