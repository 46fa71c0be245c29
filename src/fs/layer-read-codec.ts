/**
 * A layer's LayerRead as the layer cache stores it: gzip'd JSON lines, a first line with everything but
 * the entries, then one line per entry in tar order, as an array (no key names: a million-entry layer is
 * ~40% smaller before gzip). Written and parsed in batches, so neither side holds the whole text. The
 * layer index is not stored: entries take the index of the image that loads them.
 */
import {Readable} from 'node:stream'
import {pipeline} from 'node:stream/promises'
import {StringDecoder} from 'node:string_decoder'
import {createGunzip, createGzip} from 'node:zlib'
import type {EntryType, LayerEntry} from './entry.js'
import type {LayerRead} from './layer-reader.js'

/** Text per gzip write: big enough that a write costs little next to its bytes. */
const BATCH_CHARS = 256 * 1024
/**
 * gzip's default level: on a million entries' lines level 1 wrote no faster and inflated in twice the
 * time (~1.1 s against ~0.6 s for 95 MB of lines), and loading is what a shared layer does most.
 */
/** No line we write is near this (a path is at most a few KiB); a longer one is not ours. */
const MAX_LINE_CHARS = 1024 * 1024
const COMPRESSIONS: ReadonlySet<unknown> = new Set(['gzip', 'zstd', 'none'])
const TYPES: ReadonlySet<string> = new Set<EntryType>(['file', 'directory', 'symlink', 'hardlink', 'char', 'block', 'fifo'])

type StoredEntry = [path: string, type: EntryType, mode: number, uid: number, gid: number, size: number, mtime: number, extra?: EntryExtra]
type EntryExtra = Pick<LayerEntry, 'linkTarget' | 'devmajor' | 'devminor' | 'xattrs'>

export async function encodeLayerRead(read: LayerRead): Promise<Buffer[]> {
  const {entries, ...rest} = read
  const out: Buffer[] = []
  await pipeline(Readable.from(lines(JSON.stringify({...rest, entries: entries.length}), entries)), createGzip(), async (gzipped: AsyncIterable<Buffer>) => {
    for await (const chunk of gzipped) out.push(chunk)
  })
  return out
}

/** Throws on anything that is not what encodeLayerRead wrote. */
export async function decodeLayerRead(payload: Buffer, layerIndex: number): Promise<LayerRead> {
  const decoder = new StringDecoder('utf8')
  let head: (Omit<LayerRead, 'entries'> & {entries: number}) | undefined
  const entries: LayerEntry[] = []
  let partial = ''
  // Every line is checked as it comes: a tampered file fails at its first wrong line, and cannot grow
  // past the entry count it declares.
  const take = (line: string) => {
    if (!head) head = headOf(JSON.parse(line))
    else if (entries.length >= head.entries) throw new Error('layer cache: more entries than declared')
    else entries.push(entryOf(JSON.parse(line) as StoredEntry, layerIndex))
  }
  for await (const chunk of Readable.from([payload]).pipe(createGunzip({chunkSize: 256 * 1024}))) {
    const text = partial + decoder.write(chunk as Buffer)
    let start = 0
    for (let newline = text.indexOf('\n'); newline !== -1; newline = text.indexOf('\n', start)) {
      take(text.slice(start, newline))
      start = newline + 1
    }
    partial = text.slice(start)
    if (partial.length > MAX_LINE_CHARS) throw new Error('layer cache: a line too long')
  }
  partial += decoder.end()
  if (partial.length > 0) take(partial)
  if (!head || head.entries !== entries.length) throw new Error('layer cache: not a stored layer')
  const {compression, compressedSize, uncompressedSize, whiteouts} = head
  return {entries, whiteouts, compression, compressedSize, uncompressedSize}
}

function* lines(first: string, entries: readonly LayerEntry[]): Generator<string> {
  let batch = first + '\n'
  for (const entry of entries) {
    batch += JSON.stringify(storedEntry(entry)) + '\n'
    if (batch.length >= BATCH_CHARS) {
      yield batch
      batch = ''
    }
  }
  if (batch.length > 0) yield batch
}

function storedEntry(entry: LayerEntry): StoredEntry {
  const stored: StoredEntry = [entry.path, entry.type, entry.mode, entry.uid, entry.gid, entry.size, entry.mtime]
  const {linkTarget, devmajor, devminor, xattrs} = entry
  if (linkTarget !== undefined || devmajor !== undefined || devminor !== undefined || xattrs !== undefined) {
    stored.push({...(linkTarget !== undefined ? {linkTarget} : {}), ...(devmajor !== undefined ? {devmajor, devminor} : {}), ...(xattrs ? {xattrs} : {})})
  }
  return stored
}

/** The first line, every field of the type LayerRead gives it. */
function headOf(value: unknown): Omit<LayerRead, 'entries'> & {entries: number} {
  const head = value as Record<string, unknown> | null
  const ok =
    head !== null &&
    typeof head === 'object' &&
    isCount(head.entries) &&
    COMPRESSIONS.has(head.compression) &&
    isCount(head.compressedSize) &&
    isCount(head.uncompressedSize) &&
    Array.isArray(head.whiteouts) &&
    head.whiteouts.every((w: {kind?: unknown; path?: unknown} | null) => w !== null && typeof w === 'object' && (w.kind === 'file' || w.kind === 'opaque') && typeof w.path === 'string')
  if (!ok) throw new Error('layer cache: not a stored layer')
  return head as unknown as Omit<LayerRead, 'entries'> & {entries: number}
}

/** As the walker builds it (same fields, same order), each field of its type. */
function entryOf(stored: StoredEntry, layer: number): LayerEntry {
  if (!Array.isArray(stored) || stored.length > 8) throw new Error('layer cache: not a stored entry')
  const [path, type, mode, uid, gid, size, mtime, extra] = stored
  const numbers = [mode, uid, gid, size, mtime].every((n) => typeof n === 'number' && Number.isFinite(n))
  if (typeof path !== 'string' || !TYPES.has(type) || !numbers) throw new Error('layer cache: not a stored entry')
  const entry: LayerEntry = {path, type, mode, uid, gid, size, mtime, layer}
  if (extra !== undefined) {
    if (extra === null || typeof extra !== 'object' || Array.isArray(extra)) throw new Error('layer cache: not a stored entry')
    if (extra.linkTarget !== undefined) {
      if (typeof extra.linkTarget !== 'string') throw new Error('layer cache: not a stored entry')
      entry.linkTarget = extra.linkTarget
    }
    if (extra.devmajor !== undefined) {
      if (typeof extra.devmajor !== 'number' || typeof extra.devminor !== 'number') throw new Error('layer cache: not a stored entry')
      entry.devmajor = extra.devmajor
      entry.devminor = extra.devminor
    }
    if (extra.xattrs !== undefined) entry.xattrs = xattrsOf(extra.xattrs)
  }
  return entry
}

/** A plain copy holding only string values: what the walker records from PAX SCHILY.xattr.* records. */
function xattrsOf(value: unknown): Record<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('layer cache: not a stored entry')
  const xattrs: Record<string, string> = {}
  for (const [name, text] of Object.entries(value)) {
    if (typeof text !== 'string') throw new Error('layer cache: not a stored entry')
    Object.defineProperty(xattrs, name, {value: text, enumerable: true, writable: true, configurable: true})
  }
  return xattrs
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
}
