/**
 * The tar header format, decoded once for everything that reads tar: the outer archives (docker save,
 * oci-archive) and the layers. ustar and GNU headers (v7 ones too: the checksum is the guard), the ustar
 * name prefix, GNU base-256 numbers, PAX records. Written for speed: a layer walk decodes ~150k headers.
 */
export type TarMemberType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'other'

export interface RawHeader {
  name: string
  linkname: string
  size: number
  /** The raw typeflag: '0', '1', '2', '5', 'x', 'g', 'L', 'K', … (NUL reads as '0'). */
  flag: string
  mode: number
  uid: number
  gid: number
  /** Seconds since the epoch. */
  mtime: number
  devmajor: number
  devminor: number
}

export const BLOCK = 512

/**
 * The header in the 512 bytes at `at` (a view would cost an allocation per member on the hot path).
 * `null` for a zero block (end of archive); throws on a bad checksum or a malformed number field.
 */
export function parseHeader(buf: Buffer, at = 0): RawHeader | null {
  const sums = checksums(buf, at)
  if (sums.all === 0) return null
  const stored = parseOctal(buf, at + 148, at + 156, 'checksum')
  if (stored !== sums.unsigned && stored !== sums.signed) throw new Error('bad tar header checksum')
  let name = cString(buf, at, at + 100)
  // ustar ("ustar\0") has a name prefix; old GNU ("ustar  \0") keeps other fields there; v7 has neither
  // the prefix nor device numbers (those bytes may hold anything).
  const magic = buf[at + 257] === 0x75 ? buf.toString('latin1', at + 257, at + 263) : ''
  if (magic === 'ustar\0' && buf[at + 345] !== 0) name = `${cString(buf, at + 345, at + 500)}/${name}`
  const devices = magic === 'ustar\0' || magic === 'ustar '
  let flag = buf[at + 156] === 0 ? '0' : String.fromCharCode(buf[at + 156]!)
  // Pre-POSIX tars mark directories by a trailing slash only.
  if (flag === '0' && name.endsWith('/')) flag = '5'
  return {
    name,
    linkname: buf[at + 157] === 0 ? '' : cString(buf, at + 157, at + 257),
    size: parseNumber(buf, at + 124, at + 136, 'size'),
    flag,
    mode: parseNumber(buf, at + 100, at + 108, 'mode'),
    uid: parseNumber(buf, at + 108, at + 116, 'uid'),
    gid: parseNumber(buf, at + 116, at + 124, 'gid'),
    mtime: parseNumber(buf, at + 136, at + 148, 'mtime'),
    devmajor: devices ? parseNumber(buf, at + 329, at + 337, 'devmajor') : 0,
    devminor: devices ? parseNumber(buf, at + 337, at + 345, 'devminor') : 0,
  }
}

export function memberType(flag: string): TarMemberType {
  switch (flag) {
    case '0':
    case '7':
      return 'file'
    case '1':
      return 'hardlink'
    case '2':
      return 'symlink'
    case '5':
      return 'directory'
    default:
      return 'other'
  }
}

/** Extended-header flags whose data belongs to the next member. */
export function isMetaFlag(flag: string): boolean {
  return flag === 'x' || flag === 'g' || flag === 'L' || flag === 'K'
}

export function paddedSize(size: number): number {
  const rest = size % BLOCK
  return rest === 0 ? size : size + BLOCK - rest
}

/** PAX records: "LEN key=value\n" repeated. */
export function parsePax(data: Buffer): Record<string, string> {
  const records: Record<string, string> = {}
  let pos = 0
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos)
    if (space < 0) break
    const length = Number.parseInt(data.toString('latin1', pos, space), 10)
    if (!Number.isFinite(length) || length <= 0 || pos + length > data.length) break
    const record = data.toString('utf8', space + 1, pos + length - 1)
    const eq = record.indexOf('=')
    if (eq > 0) records[record.slice(0, eq)] = record.slice(eq + 1)
    pos += length
  }
  return records
}

export function cString(block: Buffer, start: number, end: number): string {
  const nul = block.indexOf(0, start)
  return block.toString('utf8', start, nul >= 0 && nul < end ? nul : end)
}

/** Sums for the checksum test (the checksum field counted as spaces, bytes unsigned and signed) and of every byte. */
function checksums(buf: Buffer, at: number): {unsigned: number; signed: number; all: number} {
  let all = 0
  let high = 0
  for (let i = at; i < at + BLOCK; i++) {
    const byte = buf[i]!
    all += byte
    if (byte > 127) high++
  }
  let field = 0
  let fieldHigh = 0
  for (let i = at + 148; i < at + 156; i++) {
    field += buf[i]!
    if (buf[i]! > 127) fieldHigh++
  }
  const unsigned = all + 8 * 0x20 - field
  return {unsigned, signed: unsigned - 256 * (high - fieldHigh), all}
}

/** A numeric field: octal (space/NUL padded) or GNU base-256 (top bit of the first byte set). */
function parseNumber(block: Buffer, start: number, end: number, what: string): number {
  if (block[start]! & 0x80) {
    let value = block[start]! & 0x7f
    for (let i = start + 1; i < end; i++) value = value * 256 + block[i]!
    return value
  }
  return parseOctal(block, start, end, what)
}

/** Leading spaces or NULs, octal digits, then only spaces or NULs: anything else is a damaged header. */
function parseOctal(block: Buffer, start: number, end: number, what: string): number {
  let i = start
  while (i < end && (block[i] === 0x20 || block[i] === 0)) i++
  let value = 0
  for (; i < end; i++) {
    const byte = block[i]!
    if (byte < 0x30 || byte > 0x37) break
    value = value * 8 + (byte - 0x30)
  }
  for (; i < end; i++) {
    if (block[i] !== 0x20 && block[i] !== 0) throw new Error(`bad tar ${what} field "${block.toString('latin1', start, end).replace(/\0/g, '')}"`)
  }
  return value
}
