/**
 * Random layer content for the property test: names whose lengths and `/` positions sit on tar's field
 * edges (99/100/101, 155/156, 255/256), Latin-1 and UTF-8 bytes, directories, links, modes, sizes, owners
 * and times past octal. Always a consistent tree (nothing is both a file and a parent), so it can be
 * staged on disk for the disk-based writers.
 */
import fc from 'fast-check'
import {clip, showBytes} from './compare.js'
import {type SpecEntry, withParents} from './spec.js'

const EDGE_LENGTHS = [8, 40, 98, 99, 100, 101, 102, 154, 155, 156, 157, 200, 254, 255, 256, 257, 300]
const EDGE_SLASHES = [10, 50, 98, 99, 100, 101, 102, 120, 154, 155, 156, 157, 200, 250]
/** Byte units names are made of: ASCII, a Latin-1 byte (not UTF-8), a 2-byte UTF-8 é. */
const UNITS = ['a', 'b', 'z', '0', '-', '_', ' ', '.', '\xe9', '\xc3\xa9']

interface RawName {
  total: number
  slashes: number[]
  fill: string[]
}

const rawName: fc.Arbitrary<RawName> = fc.record({
  total: fc.oneof(fc.constantFrom(...EDGE_LENGTHS), fc.integer({min: 5, max: 320})),
  slashes: fc.array(fc.oneof(fc.constantFrom(...EDGE_SLASHES), fc.integer({min: 4, max: 300})), {maxLength: 3}),
  fill: fc.array(fc.constantFrom(...UNITS), {minLength: 1, maxLength: 5}),
})

/**
 * `p0/` then `total` - 3 more bytes: `/` where asked (no empty segment, none over 255 bytes: the disk's
 * limit), units elsewhere; a segment never starts with `.` (no `.`/`..`, no whiteouts).
 */
export function nameBytes(raw: RawName): Buffer {
  const out: number[] = [0x70, 0x30, 0x2f]
  const slashes = new Set(raw.slashes)
  let unit = 0
  let segment = 0
  while (out.length < raw.total) {
    const at = out.length
    const last = out[at - 1]
    if ((slashes.has(at) || segment >= 255) && last !== 0x2f && at < raw.total - 1) {
      out.push(0x2f)
      segment = 0
      continue
    }
    // A full segment where no "/" may go (the last byte): the name ends one byte short rather than
    // stage a 256-byte file name (seed 944848561 did).
    if (segment >= 255) break
    let bytes = Buffer.from(raw.fill[unit++ % raw.fill.length]!, 'latin1')
    if (bytes.length > raw.total - at || segment + bytes.length > 255) bytes = Buffer.from('a')
    if (last === 0x2f && bytes[0] === 0x2e) bytes = Buffer.from('d')
    out.push(...bytes)
    segment += bytes.length
  }
  return Buffer.from(out)
}

export interface RandomEntry {
  name: RawName
  kind: 'file' | 'directory' | 'symlink' | 'hardlink'
  mode: number
  size: number
  uid: number
  mtime: number
  target: RawName
  linkIndex: number
}

export const randomEntry: fc.Arbitrary<RandomEntry> = fc.record({
  name: rawName,
  kind: fc.constantFrom('file', 'file', 'directory', 'symlink', 'hardlink'),
  mode: fc.constantFrom(0o644, 0o755, 0o600, 0o4755, 0o2755, 0o1777, 0o000),
  size: fc.constantFrom(0, 1, 100, 511, 512, 513, 2000),
  uid: fc.constantFrom(0, 1000, 0o7777777, 0o7777777 + 1, 3_000_000),
  mtime: fc.constantFrom(0, 1, 1_700_000_000, 8 ** 11 + 5, -86_400),
  target: rawName,
  linkIndex: fc.nat(),
})

export const randomLayer = fc.array(randomEntry, {minLength: 1, maxLength: 12})

/** The entries a random draw stands for: consistent, parents first, no duplicates. */
export function toSpec(draw: RandomEntry[]): SpecEntry[] {
  const out: SpecEntry[] = []
  const byName = new Map<string, SpecEntry>()
  const isFile = (e: SpecEntry) => e.type === 'file'
  for (const r of draw) {
    const name = nameBytes(r.name)
    const key = name.toString('latin1')
    if (byName.has(key)) continue
    // Nothing below a non-directory, and no directory over an existing entry's parent chain conflict.
    const parts = key.split('/')
    let blocked = false
    for (let i = 1; i < parts.length; i++) {
      const parent = byName.get(parts.slice(0, i).join('/'))
      if (parent && parent.type !== 'directory') blocked = true
    }
    if (r.kind !== 'directory' && [...byName.keys()].some((k) => k.startsWith(key + '/'))) blocked = true
    if (blocked) continue
    let entry: SpecEntry
    const files = out.filter(isFile)
    if (r.kind === 'hardlink' && files.length > 0) {
      entry = {name, type: 'hardlink', link: files[r.linkIndex % files.length]!.name}
    } else if (r.kind === 'symlink') {
      entry = {name, type: 'symlink', link: nameBytes(r.target).subarray(3), uid: r.uid, gid: r.uid, mtime: r.mtime}
    } else if (r.kind === 'directory') {
      entry = {name, type: 'directory', mode: r.mode, uid: r.uid, gid: r.uid, mtime: r.mtime}
    } else {
      entry = {name, type: 'file', mode: r.mode, uid: r.uid, gid: r.uid, mtime: r.mtime, content: Buffer.alloc(r.size, 0x78)}
    }
    byName.set(key, entry)
    out.push(entry)
  }
  return withParents(out)
}

/** The same entries under `p<k>/` (every name starts with `p0/`: same lengths for every writer). */
export function underPrefix(entries: SpecEntry[], k: number): SpecEntry[] {
  const swap = (b: Buffer) => {
    const copy = Buffer.from(b)
    copy[1] = 0x30 + k
    return copy
  }
  return entries.map((e) => ({...e, name: swap(e.name), ...(e.type === 'hardlink' ? {link: swap(e.link!)} : {})}))
}

/** One line per entry, for a failing sample's report. */
export function describeEntries(entries: SpecEntry[]): string {
  return entries
    .map((e) => {
      const name = `${clip(showBytes(e.name, false))} (${e.name.length} bytes)`
      if (e.mode === undefined && e.type === 'directory') return `    directory ${name}, implied parent`
      const link = e.link ? ` → ${clip(showBytes(e.link, false))} (${e.link.length} bytes)` : ''
      const meta = e.type === 'hardlink' ? '' : `, mode 0o${(e.mode ?? 0).toString(8)}, uid ${e.uid ?? 0}, mtime ${e.mtime}`
      return `    ${e.type} ${name}${link}${e.type === 'file' ? `, size ${e.content?.length}` : ''}${meta}`
    })
    .join('\n')
}
