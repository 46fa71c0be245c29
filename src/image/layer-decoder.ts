/**
 * One layer's blob turned into its uncompressed tar, synchronously, chunk by chunk: compression is
 * sniffed from the first bytes, the stored blob's digest and the uncompressed digest (diff_id) are
 * computed on the way and checked at the end. Whoever has the blob bytes pushes them in (a layer
 * worker from its messages, the main thread from a source's stream); the tar bytes go to `onTar`
 * in the same call. Every error it throws is a LayerAuditError naming the layer.
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
  private readonly label: string

  constructor(
    private readonly layer: LayerInfo,
    /** Names the user's input in errors. */
    private readonly input: string,
    private readonly onTar: (chunk: Buffer) => void,
  ) {
    this.label = layerLabel(layer)
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

  /** The blob ended: checks what was read against the layer's digests and size. */
  end(): LayerStreamStats {
    if (this.compression === undefined) {
      this.start(Buffer.concat(this.head))
      for (const part of this.head) this.decode(part)
      this.head = []
    }
    const compression = this.compression!
    if (this.inflater) this.emit(this.guard(() => this.inflater!.end()))
    const problem = this.verify()
    if (problem) throw problem
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
    this.storedHash?.update(chunk)
    if (!this.inflater) return this.emit([chunk])
    const inflater = this.inflater
    this.emit(this.guard(() => inflater.write(chunk)))
  }

  private emit(chunks: Buffer[]): void {
    for (const chunk of chunks) {
      this.uncompressedSize += chunk.length
      this.tarHash?.update(chunk)
      this.onTar(chunk)
    }
  }

  private guard(inflate: () => Buffer[]): Buffer[] {
    try {
      return inflate()
    } catch (error) {
      throw wrapError(error, this.label, this.compression!, this.input, this.layer.mediaType)
    }
  }

  private verify(): LayerAuditError | undefined {
    const {layer, label, input} = this
    const stored = this.storedHash ? `${digestAlgorithm(layer.digest!)}:${this.storedHash.digest('hex')}` : undefined
    if (layer.digest && stored !== layer.digest) return new DigestMismatchError(`${label} blob`, layer.digest, stored!, {input})
    if (layer.size !== undefined && layer.size >= 0 && this.compressedSize !== layer.size) {
      return new ImageSourceError('CORRUPT', `${label}: blob is ${this.compressedSize} bytes, the manifest says ${layer.size}`, {input})
    }
    const diffId = this.tarHash ? `sha256:${this.tarHash.digest('hex')}` : stored!
    if (diffId !== layer.diffId) return new DigestMismatchError(`${label} diff_id`, layer.diffId, diffId, {input})
    return undefined
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
