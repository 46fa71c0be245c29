/**
 * One file of the layer cache: a header line (JSON: the key it was written under, the payload's length
 * and sha256), then the payload. A file is trusted only whole: a truncated, corrupt or tampered file, or
 * one written under another key (another layer, another release), reads as invalid. Written to a temp
 * file and renamed, so a reader never sees a half-written file and two writers of the same key (two
 * shards sharing a cache directory) each replace the file whole; the last rename wins.
 */
import {createHash, randomBytes} from 'node:crypto'
import {constants} from 'node:fs'
import {mkdir, open, rename, rm, writeFile} from 'node:fs/promises'
import {dirname} from 'node:path'

const MAGIC = 'layer-audit-cache'
/** A header is a few hundred bytes; a file whose first line is longer is not one of ours. */
const MAX_HEADER = 4096
/**
 * A million-entry layer stores in ~10 MB; a file far past that was not written by us, and is not read
 * into memory to find out.
 */
export const MAX_CACHE_FILE_BYTES = 512 * 1024 * 1024

export type CacheFileRead = {payload: Buffer} | {missing: true} | {invalid: string}

export async function readCacheFile(path: string, key: string): Promise<CacheFileRead> {
  let bytes: Buffer
  try {
    // Non-blocking: a FIFO planted at the name must not hang the audit until someone writes to it.
    const file = await open(path, constants.O_RDONLY | constants.O_NONBLOCK)
    try {
      const info = await file.stat()
      if (!info.isFile()) return {invalid: 'not a regular file'}
      if (info.size > MAX_CACHE_FILE_BYTES) return {invalid: 'too large'}
      bytes = await file.readFile()
    } finally {
      await file.close()
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {missing: true}
    return {invalid: `unreadable (${(error as NodeJS.ErrnoException).code ?? 'error'})`}
  }
  if (bytes.length > MAX_CACHE_FILE_BYTES) return {invalid: 'too large'}
  const newline = bytes.subarray(0, MAX_HEADER).indexOf(0x0a)
  if (newline === -1) return {invalid: 'no header'}
  let header: {magic?: unknown; key?: unknown; bytes?: unknown; sha256?: unknown}
  try {
    header = JSON.parse(bytes.subarray(0, newline).toString('utf8')) as typeof header
  } catch {
    return {invalid: 'header is not JSON'}
  }
  if (header === null || typeof header !== 'object' || header.magic !== MAGIC) return {invalid: 'not a cache file'}
  if (header.key !== key) return {invalid: 'written under another key'}
  const payload = bytes.subarray(newline + 1)
  if (header.bytes !== payload.length) return {invalid: 'truncated'}
  if (header.sha256 !== sha256(payload)) return {invalid: 'payload does not match its sha256'}
  return {payload}
}

/** Writes the file atomically (temp + rename), 0600 in a 0700 directory. */
export async function writeCacheFile(path: string, key: string, payload: readonly Buffer[]): Promise<void> {
  const hash = createHash('sha256')
  let length = 0
  for (const part of payload) {
    hash.update(part)
    length += part.length
  }
  const header = JSON.stringify({magic: MAGIC, key, bytes: length, sha256: hash.digest('hex')}) + '\n'
  await mkdir(dirname(path), {recursive: true, mode: 0o700})
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`
  try {
    await writeFile(temp, [Buffer.from(header), ...payload], {mode: 0o600, flag: 'wx'})
    await rename(temp, path)
  } catch (error) {
    await rm(temp, {force: true})
    throw error
  }
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex')
}
