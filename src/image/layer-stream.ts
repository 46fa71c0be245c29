/**
 * The one way anyone reads a layer: the uncompressed tar bytes, with the stored blob's digest and the
 * uncompressed digest (diff_id) verified in the same pass. Compression is sniffed from the first bytes.
 *
 * Speed (docs/performance.md): 1 MiB reads come from the sources, zlib gets 256 KiB output chunks, and
 * hashing is deferred to a microtask so the inflater's next chunk is already scheduled on the thread
 * pool while we hash this one.
 */
import {createHash, type Hash} from 'node:crypto'
import {Readable, Transform, type TransformCallback, pipeline} from 'node:stream'
import {createGunzip} from 'node:zlib'
import {DigestMismatchError, ImageSourceError, LayerAuditError} from '../errors.js'
import {type Compression, SNIFF_BYTES, compressionFromMediaType, sniffCompression} from './compression.js'
import {digestAlgorithm, layerLabel} from './digest.js'
import type {Image, LayerInfo} from './model.js'
import {ZstdDecompressStream} from './zstd-stream.js'

export interface LayerStreamStats {
  compression: 'gzip' | 'zstd' | 'none'
  compressedSize: number
  uncompressedSize: number
}

export interface LayerStream {
  /** Uncompressed tar bytes. Read it to the end: eStargz keeps data after the end-of-archive marker. */
  tar: Readable
  /** Resolves once `tar` has ended and both digests matched; rejects with the error `tar` was destroyed with. */
  stats: Promise<LayerStreamStats>
}

const INFLATE_CHUNK = 256 * 1024

export async function openLayerStream(image: Image, layer: LayerInfo): Promise<LayerStream> {
  return layerStreamFrom(await image.openLayer(layer), layer, image.reference)
}

/**
 * The same from a blob stream already open (a layer worker gets its blob bytes from the main thread).
 * `input` names the user's input in errors.
 */
export async function layerStreamFrom(blob: Readable, layer: LayerInfo, input: string): Promise<LayerStream> {
  const label = layerLabel(layer)
  const {head, stream: raw} = await peek(blob, SNIFF_BYTES).catch((error: unknown) => {
    blob.destroy()
    throw wrapError(error, label, 'none', input)
  })
  const compression = sniffCompression(head)

  // Without a blob digest to check (docker-archive's legacy layout) a compressed blob is only counted:
  // hashing 1 GB of gzip for nothing costs ~0.6 s of CPU.
  const storedHash = layer.digest ? createHash(digestAlgorithm(layer.digest)) : compression === 'none' ? createHash('sha256') : undefined
  const stored = new HashMeter(storedHash)
  // An uncompressed blob is its own diff: one hash serves both checks.
  const uncompressed = compression === 'none' ? undefined : new HashMeter(createHash('sha256'))
  const tar = uncompressed ?? stored

  let settle!: {resolve: (s: LayerStreamStats) => void; reject: (e: Error) => void}
  const stats = new Promise<LayerStreamStats>((resolve, reject) => (settle = {resolve, reject}))
  stats.catch(() => {}) // consumers that only read `tar` see the error there

  let failed = false
  const fail = (error: unknown): void => {
    if (failed) return
    failed = true
    const wrapped = wrapError(error, label, compression, input, layer.mediaType)
    settle.reject(wrapped)
    if (!tar.destroyed) tar.destroy(wrapped)
    raw.destroy()
    blob.destroy()
  }

  tar.verify = () => {
    if (layer.digest) {
      const storedDigest = stored.digest(layer.digest)
      if (storedDigest !== layer.digest) return new DigestMismatchError(`${label} blob`, layer.digest, storedDigest, {input})
    }
    if (layer.size !== undefined && layer.size >= 0 && stored.size !== layer.size) {
      return new ImageSourceError('CORRUPT', `${label}: blob is ${stored.size} bytes, the manifest says ${layer.size}`, {input})
    }
    const diffId = (uncompressed ?? stored).digest(layer.diffId)
    if (diffId !== layer.diffId) return new DigestMismatchError(`${label} diff_id`, layer.diffId, diffId, {input})
    return undefined
  }
  tar.once('end', () => {
    if (failed) return
    settle.resolve({compression, compressedSize: stored.size, uncompressedSize: (uncompressed ?? stored).size})
  })
  tar.once('error', (error) => fail(error))
  tar.once('close', () => {
    if (!failed && !tar.readableEnded) fail(new ImageSourceError('CORRUPT', `${label}: stream closed before its end`, {input}))
  })

  // `tar` stays out of pipeline(): pipeline would destroy it with the raw error; we destroy it with
  // one that names the layer instead.
  if (uncompressed) {
    const decoder = compression === 'gzip' ? createGunzip({chunkSize: INFLATE_CHUNK}) : new ZstdDecompressStream()
    decoder.on('error', fail) // zlib can report a truncated stream after pipeline() has let go of it
    pipeline(raw, stored, decoder, (error) => {
      if (error) fail(error)
    }).pipe(uncompressed)
  } else {
    raw.once('error', fail)
    raw.pipe(stored)
  }
  return {tar, stats}
}

/**
 * Counts and hashes what passes through. The hash runs in a microtask: the upstream inflater gets its
 * next chunk scheduled before we spend time on this one. `verify` (set by the owner) runs at the end.
 */
class HashMeter extends Transform {
  size = 0
  verify?: () => Error | undefined
  private result?: string

  /** `hash` undefined: count only. */
  constructor(private readonly hash: Hash | undefined) {
    super({highWaterMark: 1 << 20})
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    queueMicrotask(() => {
      this.hash?.update(chunk)
      this.size += chunk.length
      callback(null, chunk)
    })
  }

  override _flush(callback: TransformCallback): void {
    callback(this.verify?.() ?? null)
  }

  digest(expected: string | undefined): string {
    if (!this.hash) throw new Error('HashMeter: digest of a stream that was only counted')
    this.result ??= `${expected ? digestAlgorithm(expected) : 'sha256'}:${this.hash.digest('hex')}`
    return this.result
  }
}

/**
 * Takes the first chunk(s) off a stream to sniff them, and returns a stream that yields them again
 * followed by the rest (unshift() is unreliable once a short stream has ended).
 */
async function peek(source: Readable, n: number): Promise<{head: Buffer; stream: Readable}> {
  const iterator = (source as AsyncIterable<Buffer>)[Symbol.asyncIterator]()
  const first: Buffer[] = []
  let length = 0
  let ended = false
  while (length < n) {
    const next = await iterator.next()
    if (next.done) {
      ended = true
      break
    }
    first.push(next.value)
    length += next.value.length
  }
  async function* replay(): AsyncGenerator<Buffer> {
    yield* first
    if (ended) return
    for (;;) {
      const next = await iterator.next()
      if (next.done) return
      yield next.value
    }
  }
  const stream = Readable.from(replay(), {objectMode: false, highWaterMark: 1 << 20})
  stream.once('close', () => void iterator.return?.())
  return {head: Buffer.concat(first), stream}
}

function wrapError(error: unknown, label: string, compression: Compression, input: string, mediaType?: string): LayerAuditError {
  if (error instanceof LayerAuditError) return error
  const reason = error instanceof Error ? error.message : String(error)
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  if (code === 'ENOENT') return new ImageSourceError('NOT_FOUND', `${label}: blob is missing`, {input, cause: error})
  const declared = mediaType ? compressionFromMediaType(mediaType) : compression
  const what = compression === 'none' ? 'read failed' : `broken ${compression} stream${declared !== compression ? ` (declared ${declared})` : ''}`
  return new ImageSourceError('CORRUPT', `${label}: ${what}: ${reason}`, {input, cause: error})
}
