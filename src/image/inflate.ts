/**
 * Synchronous decompressors: each call returns the output for the input given, so a layer worker can
 * inflate, hash and parse a chunk in one go, on its own thread, with no thread-pool round trip per
 * chunk (docs/performance.md: 6.3 s → 4.7 s for the bench image's layers, two workers).
 *
 * gzip goes through minizlib, npm's synchronous wrapper of Node's own zlib binding (node-tar reads
 * with it): Node's public zlib API is asynchronous or whole-buffer only. zstd goes through fzstd's
 * streaming decoder (Node 20's zlib has no zstd).
 */
import {Decompress} from 'fzstd'
import {Gunzip} from 'minizlib'
import type {Compression} from './compression.js'

export interface SyncInflater {
  /** The uncompressed bytes `chunk` completes (possibly none). Throws on a broken stream. */
  write(chunk: Buffer): Buffer[]
  /** The rest; throws when the stream stopped before its end. */
  end(): Buffer[]
}

const OUTPUT_CHUNK = 256 * 1024
/**
 * Input handed to zlib per call. A call returns all its output at once, and deflate expands up to
 * ~1000:1, so this caps what one call can allocate (64 MiB for a run of zeros) at ~5% cost in speed.
 */
const INPUT_SLICE = 64 * 1024

export function createInflater(compression: Exclude<Compression, 'none'>): SyncInflater {
  return compression === 'gzip' ? new GzipInflater() : new ZstdInflater()
}

class GzipInflater implements SyncInflater {
  // minizlib hands its options to zlib's own class; its typings leave out chunkSize.
  private readonly gunzip = new Gunzip({chunkSize: OUTPUT_CHUNK} as ConstructorParameters<typeof Gunzip>[0])
  private out: Buffer[] = []
  private error?: Error

  constructor() {
    this.gunzip.on('data', (chunk: Buffer) => this.out.push(chunk))
    this.gunzip.on('error', (error: unknown) => (this.error ??= error as Error))
  }

  write(chunk: Buffer): Buffer[] {
    for (let at = 0; at < chunk.length && !this.error; at += INPUT_SLICE) this.gunzip.write(chunk.subarray(at, at + INPUT_SLICE))
    return this.take()
  }

  end(): Buffer[] {
    if (!this.error) this.gunzip.end()
    return this.take()
  }

  private take(): Buffer[] {
    if (this.error) throw zlibError(this.error)
    const out = this.out
    this.out = []
    return out
  }
}

class ZstdInflater implements SyncInflater {
  private out: Buffer[] = []
  private sawInput = false
  // fzstd may hand out views of its window buffer: copy before it is reused.
  private readonly decoder = new Decompress((data) => {
    if (data.length > 0) this.out.push(Buffer.from(data))
  })

  write(chunk: Buffer): Buffer[] {
    if (chunk.length > 0) this.sawInput = true
    this.decoder.push(chunk)
    return this.take()
  }

  end(): Buffer[] {
    if (!this.sawInput) throw new Error('empty zstd stream')
    this.decoder.push(new Uint8Array(0), true)
    return this.take()
  }

  private take(): Buffer[] {
    const out = this.out
    this.out = []
    return out
  }
}

/** minizlib prefixes "zlib: "; the message zlib gave is what Node's own streams report. */
function zlibError(error: Error): Error {
  const plain = new Error(error.message.replace(/^zlib: /, ''))
  Object.assign(plain, {code: (error as NodeJS.ErrnoException).code})
  return plain
}
