/**
 * Random access to the bytes of an outer archive. A plain tar is read with positioned reads and ranged
 * read streams; a gzip/zstd-compressed archive (`docker save | gzip`) cannot seek, so each range is
 * re-inflated from the start and sliced (see docs/sources.md for why no temp file).
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

class CompressedArchiveBytes implements ArchiveBytes {
  constructor(
    readonly path: string,
    readonly compression: 'gzip' | 'zstd',
    private readonly input: string,
  ) {}

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
    const source = this.inflated()
    const {compression, input} = this
    async function* slice(): AsyncGenerator<Buffer> {
      const end = start + length
      let position = 0
      try {
        for await (const chunk of source as AsyncIterable<Buffer>) {
          const from = position
          position += chunk.length
          if (position <= start) continue
          const a = Math.max(start - from, 0)
          const b = Math.min(end - from, chunk.length)
          if (b > a) yield chunk.subarray(a, b)
          if (position >= end) return
        }
      } catch (error) {
        throw brokenStream(compression, error, input)
      } finally {
        source.destroy()
      }
      if (position < end) throw new ImageSourceError('CORRUPT', 'truncated archive: a member ends past the end of the data', {input})
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
