/**
 * Just enough of the tar format to index an outer archive (docker save, oci-archive): ustar, GNU long
 * names/links, PAX path/linkpath/size, base-256 sizes. Layer contents are parsed elsewhere (src/fs).
 */
export type TarMemberType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'other'

export interface RawHeader {
  name: string
  linkname: string
  size: number
  /** The raw typeflag: '0', '1', '2', '5', 'x', 'g', 'L', 'K', … */
  flag: string
}

export const BLOCK = 512

/** `null` for a zero block (end of archive); throws on a bad checksum. */
export function parseHeader(block: Buffer): RawHeader | null {
  if (block.every((b) => b === 0)) return null
  if (!checksumOk(block)) throw new Error('bad tar header checksum')
  const magic = block.toString('latin1', 257, 263)
  const posix = magic === 'ustar\0'
  let name = cString(block, 0, 100)
  if (posix) {
    const prefix = cString(block, 345, 500)
    if (prefix) name = `${prefix}/${name}`
  }
  return {
    name,
    linkname: cString(block, 157, 257),
    size: parseNumber(block.subarray(124, 136)),
    flag: block[156] === 0 ? '0' : String.fromCharCode(block[156]!),
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
  return Math.ceil(size / BLOCK) * BLOCK
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

function parseNumber(field: Buffer): number {
  if (field[0]! & 0x80) {
    // GNU base-256: big-endian, first byte's top bit is the marker.
    let value = field[0]! & 0x7f
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i]!
    return value
  }
  const text = field.toString('latin1').replace(/\0.*$/s, '').trim()
  if (text === '') return 0
  if (!/^[0-7]+$/.test(text)) throw new Error(`bad tar number field "${text}"`)
  return Number.parseInt(text, 8)
}

function checksumOk(block: Buffer): boolean {
  const stored = cString(block, 148, 156).trim()
  if (!/^[0-7]+$/.test(stored)) return false
  const expected = Number.parseInt(stored, 8)
  let unsigned = 0
  let signed = 0
  for (let i = 0; i < BLOCK; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : block[i]!
    unsigned += byte
    signed += byte > 127 ? byte - 256 : byte
  }
  return expected === unsigned || expected === signed
}
