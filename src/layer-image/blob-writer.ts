/**
 * Writes a stream to a blob file, hashing as it goes: sha256 of the bytes given (a layer's diff_id) and,
 * when gzipped, of the compressed bytes written (the blob's digest). Memory stays at a few chunks.
 */
import {createHash, type Hash} from 'node:crypto'
import {createWriteStream} from 'node:fs'
import {rename} from 'node:fs/promises'
import {join} from 'node:path'
import {Readable, Transform, type TransformCallback} from 'node:stream'
import {pipeline} from 'node:stream/promises'
import {createGzip} from 'node:zlib'

export interface WrittenBlob {
  /** "sha256:…" of the bytes as stored. */
  digest: string
  /** Bytes as stored. */
  size: number
  /** "sha256:…" of the uncompressed bytes (equals digest when not compressed). */
  diffId: string
}

/** Byte 9 of a gzip header: the OS that wrote it. zlib sets its build's own; Unix (3) everywhere keeps digests equal. */
const GZIP_OS_OFFSET = 9
const GZIP_OS_UNIX = 3

/** Streams `content` into DIR/blobs/sha256/<digest> (through a temp name there) and returns its digests. */
export async function writeBlob(dir: string, content: AsyncIterable<Buffer> | Buffer, options: {gzip?: boolean} = {}): Promise<WrittenBlob> {
  const blobs = join(dir, 'blobs', 'sha256')
  const temp = join(blobs, `.incoming-${process.pid}-${Math.random().toString(36).slice(2)}`)
  const uncompressed = createHash('sha256')
  const stored = createHash('sha256')
  let size = 0
  const stages: NodeJS.ReadWriteStream[] = [hashing(uncompressed)]
  // Node's gzip header has mtime 0 and no file name; only the OS byte depends on the platform.
  if (options.gzip) stages.push(createGzip({level: 6}), fixedGzipHeader())
  stages.push(hashing(stored, (n) => (size += n)))
  const source = Buffer.isBuffer(content) ? Readable.from([content]) : Readable.from(content)
  await pipeline([source, ...stages, createWriteStream(temp, {flags: 'wx'})])
  const digest = `sha256:${stored.digest('hex')}`
  await rename(temp, join(blobs, digest.slice('sha256:'.length)))
  return {digest, size, diffId: options.gzip ? `sha256:${uncompressed.digest('hex')}` : digest}
}

function hashing(hash: Hash, count?: (bytes: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      hash.update(chunk)
      count?.(chunk.length)
      callback(null, chunk)
    },
  })
}

/** Sets the gzip header's OS byte to Unix, whatever zlib build wrote it. */
function fixedGzipHeader(): Transform {
  let seen = 0
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      if (seen <= GZIP_OS_OFFSET && seen + chunk.length > GZIP_OS_OFFSET) {
        chunk = Buffer.from(chunk)
        chunk[GZIP_OS_OFFSET - seen] = GZIP_OS_UNIX
      }
      seen += chunk.length
      callback(null, chunk)
    },
  })
}
