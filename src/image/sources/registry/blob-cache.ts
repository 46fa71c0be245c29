/**
 * Content-addressed cache of verified blobs: `<cacheDir>/blobs/sha256/<hex>`. A file is only ever
 * renamed into place after its sha256 matched its name, and small blobs are hashed again when read,
 * so a truncated or tampered cache file is dropped rather than trusted.
 */
import {createHash, randomBytes} from 'node:crypto'
import {createReadStream, createWriteStream, type ReadStream} from 'node:fs'
import {mkdir, readFile, rename, rm, stat} from 'node:fs/promises'
import {homedir} from 'node:os'
import {join} from 'node:path'
import {Transform, type TransformCallback} from 'node:stream'

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'layer-audit')
}

const SHA256 = /^sha256:([a-f0-9]{64})$/
const READ_CHUNK = 1024 * 1024

export class BlobCache {
  private readonly dir: string

  constructor(root: string) {
    this.dir = join(root, 'blobs', 'sha256')
  }

  private path(digest: string): string | undefined {
    const hex = SHA256.exec(digest)?.[1]
    return hex ? join(this.dir, hex) : undefined
  }

  /** A small blob, or undefined when absent or no longer matching its digest. */
  async read(digest: string): Promise<Buffer | undefined> {
    const path = this.path(digest)
    if (!path) return undefined
    let data: Buffer
    try {
      data = await readFile(path)
    } catch {
      return undefined
    }
    if (`sha256:${createHash('sha256').update(data).digest('hex')}` === digest) return data
    await rm(path, {force: true})
    return undefined
  }

  /** Store bytes already verified against `digest`. Failures are ignored: the cache is an optimisation. */
  async write(digest: string, data: Buffer): Promise<void> {
    const path = this.path(digest)
    if (!path) return
    const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`
    try {
      await mkdir(this.dir, {recursive: true})
      await new Promise<void>((resolve, reject) => {
        const out = createWriteStream(temp, {mode: 0o600})
        out.on('error', reject)
        out.end(data, () => resolve())
      })
      await rename(temp, path)
    } catch {
      await rm(temp, {force: true}).catch(() => {})
    }
  }

  /** A stream of a cached large blob (checked by size here; its digest is checked by the layer reader). */
  async open(digest: string, size: number | undefined): Promise<ReadStream | undefined> {
    const path = this.path(digest)
    if (!path) return undefined
    try {
      const info = await stat(path)
      if (size !== undefined && info.size !== size) return undefined
    } catch {
      return undefined
    }
    return createReadStream(path, {highWaterMark: READ_CHUNK})
  }

  /**
   * A pass-through that copies a blob into the cache as it streams by and commits it only if the
   * whole blob arrived and hashed to `digest`. Nothing is kept when the reader stops early.
   */
  async tee(digest: string): Promise<Transform | undefined> {
    const path = this.path(digest)
    if (!path) return undefined
    try {
      await mkdir(this.dir, {recursive: true})
    } catch {
      return undefined
    }
    const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`
    const out = createWriteStream(temp, {mode: 0o600})
    let failed = false
    // A write waiting for 'drain' must not hang the blob if the disk fails meanwhile.
    let waiting: (() => void) | undefined
    const release = () => {
      const next = waiting
      waiting = undefined
      next?.()
    }
    out.on('drain', release)
    out.on('error', () => {
      failed = true
      release()
    })
    const hash = createHash('sha256')
    let committed = false
    const discard = () => {
      if (!committed) {
        out.destroy()
        rm(temp, {force: true}).catch(() => {})
      }
    }
    const tee = new Transform({
      highWaterMark: READ_CHUNK,
      transform(chunk: Buffer, _encoding, callback: TransformCallback) {
        hash.update(chunk)
        if (!failed && !out.write(chunk)) waiting = () => callback(null, chunk)
        else callback(null, chunk)
      },
      flush(callback: TransformCallback) {
        const actual = `sha256:${hash.digest('hex')}`
        if (failed || actual !== digest) {
          discard()
          return callback()
        }
        committed = true
        out.end(() => {
          rename(temp, path)
            .catch(() => rm(temp, {force: true}))
            .catch(() => {})
            .finally(() => callback())
        })
      },
    })
    tee.on('close', discard)
    tee.on('error', discard)
    return tee
  }
}
