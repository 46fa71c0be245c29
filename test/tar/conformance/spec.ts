/**
 * What a layer should hold, independent of who writes it: entries with byte names, as every writer of the
 * conformance matrix (test/tar/conformance.test.ts) gets them. Disk-based writers (GNU tar, bsdtar, …)
 * see them staged on disk; the others (Python tarfile, Go, tar-stream, commons-compress) are handed them.
 */

export type SpecType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo'

export interface SpecEntry {
  /** Relative path bytes, no trailing slash (writers add one to directories). */
  name: Buffer
  type: SpecType
  /** Permission bits with setuid/setgid/sticky; default 0644 (0755 for directories). */
  mode?: number
  uid?: number
  gid?: number
  /** Seconds since the epoch, may be negative or fractional; default 1700000000. */
  mtime?: number
  /** File content. */
  content?: Buffer
  /** A sparse file: `size` bytes, zeros but for `data` at each offset (disk writers only). */
  sparse?: {size: number; data: Array<[offset: number, bytes: string]>}
  /** Symlink target as stored; hardlink target: the name of an earlier entry. */
  link?: Buffer
  devmajor?: number
  devminor?: number
  /** Extended attributes (user.* ones can be staged on disk). */
  xattrs?: Record<string, Buffer>
}

export const DEFAULT_MTIME = 1_700_000_000

/** Bytes from a string of code points < 256 ("caf\xe9" is 4 bytes), or UTF-8 for wider text. */
export function bytes(s: string): Buffer {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0xff) return Buffer.from(s, 'utf8')
  return Buffer.from(s, 'latin1')
}

/** "name with / at these offsets" — `total` bytes, `/` at each index of `slashes`, segments filled with `fill`. */
export function nameWithSlashes(total: number, slashes: number[], fill: string): string {
  let out = ''
  let segment = 0
  for (let i = 0; i < total; i++) {
    if (slashes.includes(i)) {
      out += '/'
      segment++
    } else out += fill[segment % fill.length]
  }
  return out
}

/** How many bytes the writer's name field must hold: directories get their trailing slash. */
export function writtenName(entry: SpecEntry): Buffer {
  return entry.type === 'directory' ? Buffer.concat([entry.name, Buffer.from('/')]) : entry.name
}

export function isUtf8(buf: Buffer): boolean {
  try {
    new TextDecoder('utf-8', {fatal: true}).decode(buf)
    return true
  } catch {
    return false
  }
}

const isAscii = (buf: Buffer) => buf.every((c) => c < 0x80)

/** True when the name fits ustar's name field, directly or split at a `/` into prefix (≤ 155) and name (≤ 100). */
export function fitsUstar(name: Buffer): boolean {
  if (name.length <= 100) return true
  for (let i = 0; i < name.length; i++) {
    if (name[i] !== 0x2f) continue
    if (i > 0 && i <= 155 && name.length - i - 1 <= 100 && name.length - i - 1 > 0) return true
  }
  return false
}

export const OCTAL_ID_MAX = 0o7777777
export const OCTAL_TIME_LIMIT = 8 ** 11

/** The facts about an entry that decide whether a writer can express it. */
export interface EntryTraits {
  nameLength: number
  ustarName: boolean
  linkLength: number
  ascii: boolean
  utf8: boolean
  bigId: boolean
  negativeMtime: boolean
  hugeMtime: boolean
  fractionalMtime: boolean
  device: boolean
  fifo: boolean
  xattrs: boolean
  sparse: boolean
  specialMode: boolean
}

export function traits(entry: SpecEntry): EntryTraits {
  const name = writtenName(entry)
  const link = entry.link ?? Buffer.alloc(0)
  const mtime = entry.mtime ?? DEFAULT_MTIME
  const allBytes = Buffer.concat([name, link])
  return {
    nameLength: name.length,
    ustarName: fitsUstar(name),
    linkLength: link.length,
    ascii: isAscii(allBytes),
    utf8: isUtf8(allBytes),
    bigId: (entry.uid ?? 0) > OCTAL_ID_MAX || (entry.gid ?? 0) > OCTAL_ID_MAX,
    negativeMtime: mtime < 0,
    hugeMtime: mtime >= OCTAL_TIME_LIMIT,
    fractionalMtime: !Number.isInteger(mtime),
    device: entry.type === 'char' || entry.type === 'block',
    fifo: entry.type === 'fifo',
    xattrs: entry.xattrs !== undefined && Object.keys(entry.xattrs).length > 0,
    sparse: entry.sparse !== undefined,
    specialMode: ((entry.mode ?? 0) & 0o7000) !== 0,
  }
}

/**
 * The entries a writer can express, in order: `accepts` judges each; a hardlink whose target was dropped
 * goes too, and so does anything under a dropped directory.
 */
export function expressible(entries: SpecEntry[], accepts: (t: EntryTraits, e: SpecEntry) => boolean): SpecEntry[] {
  const kept = new Set<string>()
  const droppedDirs: string[] = []
  const out: SpecEntry[] = []
  for (const entry of entries) {
    const key = entry.name.toString('latin1')
    if (droppedDirs.some((d) => key.startsWith(d + '/'))) continue
    const linkOk = entry.type !== 'hardlink' || kept.has(entry.link!.toString('latin1'))
    if (!linkOk || !accepts(traits(entry), entry)) {
      if (entry.type === 'directory') droppedDirs.push(key)
      continue
    }
    kept.add(key)
    out.push(entry)
  }
  return out
}

/** Every ancestor directory of the entries' names that is not itself an entry, inserted before first use. */
export function withParents(entries: SpecEntry[], parent: Partial<SpecEntry> = {}): SpecEntry[] {
  const seen = new Set(entries.filter((e) => e.type === 'directory').map((e) => e.name.toString('latin1')))
  const out: SpecEntry[] = []
  for (const entry of entries) {
    const name = entry.name
    for (let i = 1; i < name.length; i++) {
      if (name[i] !== 0x2f) continue
      const dir = name.subarray(0, i)
      const key = dir.toString('latin1')
      if (seen.has(key)) continue
      seen.add(key)
      out.push({name: Buffer.from(dir), type: 'directory', ...parent})
    }
    out.push(entry)
  }
  return out
}

/** JSON-able form for the Python, Go and Java helpers (bytes as base64). */
export function specJson(entry: SpecEntry): Record<string, unknown> {
  const type = entry.type
  return {
    name: entry.name.toString('base64'),
    type,
    mode: entry.mode ?? (type === 'directory' ? 0o755 : type === 'symlink' ? 0o777 : 0o644),
    uid: entry.uid ?? 0,
    gid: entry.gid ?? 0,
    mtime: entry.mtime ?? DEFAULT_MTIME,
    content: (entry.content ?? Buffer.alloc(0)).toString('base64'),
    link: (entry.link ?? Buffer.alloc(0)).toString('base64'),
    devmajor: entry.devmajor ?? 0,
    devminor: entry.devminor ?? 0,
    ...(entry.sparse ? {sparse: entry.sparse} : {}),
    xattrs: Object.fromEntries(Object.entries(entry.xattrs ?? {}).map(([k, v]) => [k, v.toString('base64')])),
  }
}
