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

/** `null` for a zero block (end of archive); throws on a bad checksum or a malformed number field. */
export function parseHeader(block: Buffer): RawHeader | null {
  const sums = checksums(block)
  if (sums.all === 0) return null
  const stored = parseOctal(block, 148, 156, 'checksum')
  if (stored !== sums.unsigned && stored !== sums.signed) throw new Error('bad tar header checksum')
  let name = cString(block, 0, 100)
  // ustar ("ustar\0") has a name prefix; old GNU ("ustar  \0") keeps other fields there; v7 has neither
  // the prefix nor device numbers (those bytes may hold anything).
  const magic = block[257] === 0x75 ? block.toString('latin1', 257, 263) : ''
  if (magic === 'ustar\0' && block[345] !== 0) name = `${cString(block, 345, 500)}/${name}`
  const devices = magic === 'ustar\0' || magic === 'ustar '
  let flag = block[156] === 0 ? '0' : String.fromCharCode(block[156]!)
  // Pre-POSIX tars mark directories by a trailing slash only.
  if (flag === '0' && name.endsWith('/')) flag = '5'
  return {
    name,
    linkname: block[157] === 0 ? '' : cString(block, 157, 257),
    size: parseNumber(block, 124, 136, 'size'),
    flag,
    mode: parseNumber(block, 100, 108, 'mode'),
    uid: parseNumber(block, 108, 116, 'uid'),
    gid: parseNumber(block, 116, 124, 'gid'),
    mtime: parseNumber(block, 136, 148, 'mtime'),
    devmajor: devices ? parseNumber(block, 329, 337, 'devmajor') : 0,
    devminor: devices ? parseNumber(block, 337, 345, 'devminor') : 0,
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
function checksums(block: Buffer): {unsigned: number; signed: number; all: number} {
  let unsigned = 0
  let high = 0
  for (let i = 0; i < BLOCK; i++) {
    const byte = block[i]!
    unsigned += byte
    if (byte > 127) high++
  }
  const all = unsigned
  let field = 0
  let fieldHigh = 0
  for (let i = 148; i < 156; i++) {
    field += block[i]!
    if (block[i]! > 127) fieldHigh++
  }
  unsigned += 8 * 0x20 - field
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
