/**
 * Downloads a zip from a presigned URL (Lambda's Content.Location / Code.Location) into the user cache,
 * verifying CodeSha256 and CodeSize while streaming. The URL never appears in any message: errors name
 * what was asked (an ARN, a function) and the HTTP status only.
 *
 * A zip's central directory is at its end and is read with random access, so even with noCache (or an
 * unwritable cache) the zip lands in a temporary file, deleted by cleanup().
 */
import {createHash, randomBytes} from 'node:crypto'
import {createReadStream, createWriteStream} from 'node:fs'
import {mkdir, mkdtemp, rename, rm, stat} from 'node:fs/promises'
import http, {type IncomingMessage} from 'node:http'
import https from 'node:https'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {Transform, type TransformCallback} from 'node:stream'
import {pipeline} from 'node:stream/promises'
import {AwsError, DigestMismatchError, LayerAuditError} from '../errors.js'
import {userCacheDir} from '../io/cache-dir.js'
import {quoteInput} from '../io/input-text.js'
import type {PresignedUrl} from './function-config.js'

export interface DownloadOptions {
  /** Neither read nor write the cache; the zip goes to a temporary file instead. */
  noCache?: boolean
  /** Overrides the cache directory (default: $XDG_CACHE_HOME/layer-audit/zips, else ~/.cache/layer-audit/zips). */
  cacheDir?: string
  /** Socket idle timeout, ms (default 60 s). */
  timeoutMs?: number
}

export interface DownloadedZip {
  path: string
  /** Hex sha256 of the zip. */
  sha256: string
  size: number
  fromCache: boolean
  /** Deletes the file when it was a temporary one; a no-op for cached zips. */
  cleanup(): Promise<void>
}

export interface ExpectedZip {
  /** CodeSha256 as Lambda reports it: base64 of the raw sha256. */
  codeSha256: string
  codeSize?: number
}

const READ_CHUNK = 1024 * 1024

export function zipCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return userCacheDir('zips', env)
}

/** Fetches (or finds in the cache) the zip behind a presigned URL; `what` names it in errors (an ARN). */
export async function downloadZip(location: PresignedUrl, expected: ExpectedZip, what: string, options: DownloadOptions = {}): Promise<DownloadedZip> {
  const sha256 = base64ToHex(expected.codeSha256, what)
  const cached = options.noCache ? undefined : join(options.cacheDir ?? zipCacheDir(), `${sha256}.zip`)
  // An unwritable cache directory (read-only home in CI) falls back to a temporary download.
  const usable = cached !== undefined && (await mkdir(dirname(cached), {recursive: true}).then(() => true, () => false))
  if (cached && usable) {
    const hit = await verifiedCacheEntry(cached, sha256, expected.codeSize)
    if (hit) return {path: cached, sha256, size: hit, fromCache: true, cleanup: async () => {}}
    const temp = `${cached}.${process.pid}.${randomBytes(4).toString('hex')}.part`
    try {
      const size = await fetchTo(location, temp, sha256, expected.codeSize, what, options)
      await rename(temp, cached) // atomic: a reader never sees a half-written zip under the final name
      return {path: cached, sha256, size, fromCache: false, cleanup: async () => {}}
    } catch (error) {
      await rm(temp, {force: true})
      throw error
    }
  }
  const dir = await mkdtemp(join(tmpdir(), 'layer-audit-zip-'))
  const path = join(dir, `${sha256}.zip`)
  const cleanup = () => rm(dir, {recursive: true, force: true})
  try {
    const size = await fetchTo(location, path, sha256, expected.codeSize, what, options)
    return {path, sha256, size, fromCache: false, cleanup}
  } catch (error) {
    await cleanup()
    throw error
  }
}

/** A cached zip is trusted only if its bytes still hash to its name (a truncated or edited file is refetched). */
async function verifiedCacheEntry(path: string, sha256: string, size?: number): Promise<number | undefined> {
  try {
    const st = await stat(path)
    if (size !== undefined && st.size !== size) return undefined
    const hash = createHash('sha256')
    for await (const chunk of createReadStream(path, {highWaterMark: READ_CHUNK})) hash.update(chunk as Buffer)
    return hash.digest('hex') === sha256 ? st.size : undefined
  } catch {
    return undefined
  }
}

/** Attempts at one download: a cut connection, a timeout or a 5xx is tried again, each time from the start. */
const DOWNLOAD_ATTEMPTS = 3

/**
 * One download, retried on what a network does (NETWORK errors: a cut, a stall, a 5xx) after a short
 * backoff; an expired URL (403) or bytes that do not match CodeSha256 are final.
 */
async function fetchTo(location: PresignedUrl, file: string, sha256: string, size: number | undefined, what: string, options: DownloadOptions): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetchOnce(location, file, sha256, size, what, options)
    } catch (error) {
      const transient = error instanceof AwsError && error.code === 'NETWORK'
      if (!transient || attempt >= DOWNLOAD_ATTEMPTS) {
        if (transient && attempt > 1) throw new AwsError('NETWORK', `${(error as AwsError).message} (${attempt} attempts)`, {input: what})
        throw error
      }
      await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** (attempt - 1)))
    }
  }
}

async function fetchOnce(location: PresignedUrl, file: string, sha256: string, size: number | undefined, what: string, options: DownloadOptions): Promise<number> {
  const response = await get(location, what, options.timeoutMs ?? 60_000)
  const status = response.statusCode ?? 0
  if (status !== 200) {
    response.destroy() // not drained: a body without end would keep the process alive
    if (status === 403) {
      throw new AwsError('AWS', 'expired download URL (HTTP 403): the presigned URL is valid for 10 minutes; run again to get a fresh one', {input: what})
    }
    throw new AwsError('NETWORK', `download of the zip failed with HTTP ${status}`, {input: what})
  }
  const declared = Number(response.headers['content-length'])
  if (size !== undefined && Number.isFinite(declared) && declared !== size) {
    response.destroy() // not drained: a body without end would keep the process alive
    throw new DigestMismatchError('zip size', `${size} bytes`, `${declared} bytes`, {input: what})
  }
  const hash = createHash('sha256')
  let bytes = 0
  const meter = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      bytes += chunk.length
      // Stop early rather than fill the disk when the server sends more than CodeSize.
      if (size !== undefined && bytes > size) return done(new DigestMismatchError('zip size', `${size} bytes`, `more than ${size} bytes`, {input: what}))
      hash.update(chunk)
      done(null, chunk)
    },
  })
  try {
    await pipeline(response, meter, createWriteStream(file, {highWaterMark: READ_CHUNK}))
  } catch (error) {
    if (error instanceof LayerAuditError) throw error
    throw new AwsError('NETWORK', `download of the zip failed: ${(error as NodeJS.ErrnoException).code ?? 'connection error'}`, {input: what})
  }
  if (size !== undefined && bytes !== size) throw new DigestMismatchError('zip size', `${size} bytes`, `${bytes} bytes`, {input: what})
  const actual = hash.digest('hex')
  if (actual !== sha256) {
    throw new DigestMismatchError('CodeSha256', hexToBase64(sha256), hexToBase64(actual), {input: what})
  }
  return bytes
}

function get(location: PresignedUrl, what: string, timeoutMs: number): Promise<IncomingMessage> {
  let url: URL
  try {
    url = new URL(location.reveal())
  } catch {
    return Promise.reject(new AwsError('AWS', 'the download URL Lambda returned is not a URL', {input: what}))
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return Promise.reject(new AwsError('AWS', `the download URL uses unsupported scheme ${url.protocol}`, {input: what}))
  }
  const client = url.protocol === 'https:' ? https : http
  return new Promise((resolve, reject) => {
    // Node's own errors never carry the path or query of the request; ours name only `what`.
    const request = client.get(url, {timeout: timeoutMs}, resolve)
    request.on('timeout', () => request.destroy(new AwsError('NETWORK', `download of the zip timed out after ${timeoutMs} ms`, {input: what})))
    request.on('error', (error: NodeJS.ErrnoException) => {
      reject(error instanceof LayerAuditError ? error : new AwsError('NETWORK', `download of the zip failed: ${error.code ?? 'connection error'}`, {input: what}))
    })
  })
}

function base64ToHex(value: string, what: string): string {
  const raw = Buffer.from(value, 'base64')
  if (raw.length !== 32) throw new AwsError('AWS', `CodeSha256 ${quoteInput(JSON.stringify(value))} is not a base64 sha256`, {input: what})
  return raw.toString('hex')
}

function hexToBase64(hex: string): string {
  return Buffer.from(hex, 'hex').toString('base64')
}
