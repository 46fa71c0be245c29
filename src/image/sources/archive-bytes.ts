/**
 * Random access to the bytes of an outer archive. A plain tar is read with positioned reads and ranged
 * read streams; a gzip/zstd-compressed archive (`docker save | gzip`) cannot seek, so a range is inflated
 * from the start and sliced, or from where an earlier range left an inflating stream (a cursor) when that
 * is not past it (see docs/sources.md for why no temp file).
 */
import {createReadStream} from 'node:fs'
import {open, type FileHandle} from 'node:fs/promises'
import {Readable, pipeline} from 'node:stream'
import {createGunzip} from 'node:zlib'
import {ImageSourceError} from '../../errors.js'
import type {Compression} from '../compression.js'
import {ZstdDecompressStream} from '../zstd-stream.js'

const READ_CHUNK = 1 << 20
const INFLATE_CHUNK = 256 * 1024

/** Sequential reading for the one pass that indexes member headers. */
export interface SequentialReader {
  /** Up to `n` bytes; fewer only at the end. */
  read(n: number): Promise<Buffer>
  /** Skips up to `n` bytes; returns how many were skipped (fewer only at the end). */
  skip(n: number): Promise<number>
  close(): Promise<void>
}

export interface ArchiveBytes {
  readonly path: string
  readonly compression: Compression
  sequential(): Promise<SequentialReader>
  /** A stream of `length` bytes at `start` of the (decompressed) archive. */
  range(start: number, length: number): Readable
  /** Lets go of what ranges kept open between them (a compressed archive's cursors). */
  close(): void
}

export function archiveBytes(path: string, compression: Compression, input: string): ArchiveBytes {
  return compression === 'none' ? new PlainArchiveBytes(path) : new CompressedArchiveBytes(path, compression, input)
}

class PlainArchiveBytes implements ArchiveBytes {
  readonly compression = 'none' as const
  constructor(readonly path: string) {}

  async sequential(): Promise<SequentialReader> {
    const handle = await open(this.path, 'r')
    const {size} = await handle.stat()
    return new PositionedReader(handle, size)
  }

  range(start: number, length: number): Readable {
    if (length === 0) return Readable.from([])
    return createReadStream(this.path, {start, end: start + length - 1, highWaterMark: READ_CHUNK})
  }

  close(): void {}
}

class PositionedReader implements SequentialReader {
  private position = 0
  constructor(
    private readonly handle: FileHandle,
    private readonly size: number,
  ) {}

  async read(n: number): Promise<Buffer> {
    const buffer = Buffer.alloc(Math.max(0, Math.min(n, this.size - this.position)))
    let done = 0
    while (done < buffer.length) {
      const {bytesRead} = await this.handle.read(buffer, done, buffer.length - done, this.position + done)
      if (bytesRead === 0) break
      done += bytesRead
    }
    this.position += done
    return buffer.subarray(0, done)
  }

  async skip(n: number): Promise<number> {
    const skipped = Math.max(0, Math.min(n, this.size - this.position))
    this.position += skipped
    return skipped
  }

  async close(): Promise<void> {
    await this.handle.close()
  }
}

/**
 * An inflating stream left where a range ended, for a later range at or past that point: layers read in
 * archive order then cost one inflate of the archive instead of one from its start per layer.
 */
interface Cursor {
  stream: Readable
  iterator: AsyncIterator<Buffer>
  /** Offset in the decompressed archive of the next byte: `rest`'s first, else the stream's next. */
  position: number
  /** Bytes read past the last range's end. */
  rest?: Buffer
}

/** Cursors kept between ranges: one per layer lane (readLayers reads two layers at once by default). */
const MAX_IDLE_CURSORS = 2

class CompressedArchiveBytes implements ArchiveBytes {
  private idle: Cursor[] = []
  /** Bytes inflated by ranges (not the indexing pass): what cursors save, measurable. */
  inflatedBytes = 0

  constructor(
    readonly path: string,
    readonly compression: 'gzip' | 'zstd',
    private readonly input: string,
  ) {}

  close(): void {
    for (const cursor of this.idle) cursor.stream.destroy()
    this.idle = []
  }

  /** The idle cursor furthest along that is not past `start`, taken out of the pool; else a new one at 0. */
  private cursorFor(start: number): Cursor {
    let best = -1
    for (let i = 0; i < this.idle.length; i++) {
      if (this.idle[i].position <= start && (best === -1 || this.idle[i].position > this.idle[best].position)) best = i
    }
    if (best !== -1) return this.idle.splice(best, 1)[0]
    const stream = this.inflated()
    return {stream, iterator: (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator](), position: 0}
  }

  private park(cursor: Cursor): void {
    this.idle.push(cursor)
    if (this.idle.length > MAX_IDLE_CURSORS) {
      // The one least far along is the least likely to serve a later range.
      this.idle.sort((a, b) => b.position - a.position)
      this.idle.pop()!.stream.destroy()
    }
  }

  private inflated(): Readable {
    const decoder = this.compression === 'gzip' ? createGunzip({chunkSize: INFLATE_CHUNK}) : new ZstdDecompressStream()
    // Errors reach readers through iteration; this listener only keeps a late one (after destroy) quiet.
    decoder.on('error', () => {})
    return pipeline(createReadStream(this.path, {highWaterMark: READ_CHUNK}), decoder, () => {})
  }

  async sequential(): Promise<SequentialReader> {
    return new StreamReader(this.inflated(), this.compression, this.input)
  }

  range(start: number, length: number): Readable {
    const cursor = this.cursorFor(start)
    const {compression, input} = this
    const archive = this
    async function* slice(): AsyncGenerator<Buffer> {
      const end = start + length
      let done = false
      try {
        for (;;) {
          let chunk = cursor.rest
          cursor.rest = undefined
          if (!chunk) {
            const next = await cursor.iterator.next()
            if (next.done) break
            chunk = next.value
            archive.inflatedBytes += chunk.length
          }
          const from = cursor.position
          cursor.position += chunk.length
          if (cursor.position <= start) continue
          const a = Math.max(start - from, 0)
          const b = Math.min(end - from, chunk.length)
          if (b < chunk.length) {
            // The next range may start here: keep what this one read past its end.
            cursor.rest = chunk.subarray(b)
            cursor.position = from + b
          }
          if (b > a) yield chunk.subarray(a, b)
          if (cursor.position >= end) {
            done = true
            return
          }
        }
      } catch (error) {
        throw brokenStream(compression, error, input)
      } finally {
        // Parked only after a whole, clean range; a range given up midway (or failed) ends its cursor.
        if (done) archive.park(cursor)
        else cursor.stream.destroy()
      }
      if (cursor.position < end) throw new ImageSourceError('CORRUPT', 'truncated archive: a member ends past the end of the data', {input})
    }
    return Readable.from(slice(), {objectMode: false, highWaterMark: READ_CHUNK})
  }
}

class StreamReader implements SequentialReader {
  private readonly iterator: AsyncIterator<Buffer>
  private chunks: Buffer[] = []
  private buffered = 0
  private ended = false

  constructor(
    private readonly stream: Readable,
    private readonly compression: 'gzip' | 'zstd',
    private readonly input: string,
  ) {
    this.iterator = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]()
  }

  private async fill(n: number): Promise<void> {
    while (this.buffered < n && !this.ended) {
      let result: IteratorResult<Buffer>
      try {
        result = await this.iterator.next()
      } catch (error) {
        throw brokenStream(this.compression, error, this.input)
      }
      if (result.done) this.ended = true
      else {
        this.chunks.push(result.value)
        this.buffered += result.value.length
      }
    }
  }

  async read(n: number): Promise<Buffer> {
    await this.fill(n)
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks)
    const taken = all.subarray(0, Math.min(n, all.length))
    const rest = all.subarray(taken.length)
    this.chunks = rest.length > 0 ? [rest] : []
    this.buffered = rest.length
    return taken
  }

  async skip(n: number): Promise<number> {
    let left = n
    while (left > 0) {
      if (this.buffered === 0) {
        await this.fill(1)
        if (this.buffered === 0) break
      }
      const head = this.chunks[0]!
      if (head.length <= left) {
        this.chunks.shift()
        left -= head.length
        this.buffered -= head.length
      } else {
        this.chunks[0] = head.subarray(left)
        this.buffered -= left
        left = 0
      }
    }
    return n - left
  }

  async close(): Promise<void> {
    this.stream.destroy()
  }
}

function brokenStream(compression: string, error: unknown, input: string): Error {
  if (error instanceof ImageSourceError) return error
  const reason = error instanceof Error ? error.message : String(error)
  return new ImageSourceError('CORRUPT', `broken ${compression} stream around the archive (${reason})`, {input, cause: error})
}
