/**
 * One 512-byte tar header, decoded as Go's archive/tar `readHeader` decodes it (reader.go, format.go,
 * strconv.go): containerd, Docker, BuildKit, umoci and skopeo all read layers with it, so its reading is
 * the one that counts. Shared by everything that reads tar: the outer archives (docker save,
 * oci-archive) and the layers. Written for speed: a layer walk decodes ~150k headers.
 *
 * - The format comes from the magic: "ustar\0" is USTAR/PAX (155-byte name prefix; 131 bytes when the
 *   star trailer "tar\0" is at 508), "ustar " + " \0" is GNU (no prefix: those bytes hold atime/ctime),
 *   anything else is v7 (no prefix, no device numbers) — the checksum is the only guard.
 * - Numbers are octal (spaces and NULs trimmed at both ends, then cut at a NUL) or base-256 two's
 *   complement (top bit set); anything else makes the header invalid, as in Go.
 * - Names and link names are bytes: see byte-string.ts.
 */
import {decodeByteString} from './byte-string.js'

export type TarMemberType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'other'

export interface RawHeader {
  name: string
  linkname: string
  size: number
  /** The raw typeflag: '0', '\0' (old regular file), '1', '2', '5', 'x', 'g', 'L', 'K', 'S', … */
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

/** Thrown for a header Go's reader rejects (ErrHeader); the reader adds the offset. */
export class TarHeaderError extends Error {}

/**
 * The header in the 512 bytes at `at` (a view would cost an allocation per member on the hot path).
 * `null` for a zero block; throws TarHeaderError for a block that is not a valid header.
 */
export function parseHeader(buf: Buffer, at = 0): RawHeader | null {
  const sums = checksums(buf, at)
  if (sums.all === 0) return null
  const stored = parseOctalField(buf, at + 148, at + 156)
  if (stored === undefined || (stored !== sums.unsigned && stored !== sums.signed)) throw new TarHeaderError('bad tar header checksum')

  const magic = magicOf(buf, at)
  const header: RawHeader = {
    name: cString(buf, at, at + 100),
    linkname: buf[at + 157] === 0 ? '' : cString(buf, at + 157, at + 257),
    size: numberField(buf, at + 124, at + 136, 'size'),
    flag: String.fromCharCode(buf[at + 156]!),
    mode: numberField(buf, at + 100, at + 108, 'mode'),
    uid: numberField(buf, at + 108, at + 116, 'uid'),
    gid: numberField(buf, at + 116, at + 124, 'gid'),
    mtime: numberField(buf, at + 136, at + 148, 'mtime'),
    devmajor: magic === 'v7' ? 0 : numberField(buf, at + 329, at + 337, 'devmajor'),
    devminor: magic === 'v7' ? 0 : numberField(buf, at + 337, at + 345, 'devminor'),
  }
  const prefix = prefixOf(buf, at, magic)
  if (prefix) header.name = `${prefix}/${header.name}`
  return header
}

type Magic = 'ustar' | 'star' | 'gnu' | 'v7'

function magicOf(buf: Buffer, at: number): Magic {
  if (buf[at + 257] !== 0x75) return 'v7' // "u"
  const magic = buf.toString('latin1', at + 257, at + 263)
  if (magic === 'ustar\0') return buf.toString('latin1', at + 508, at + 512) === 'tar\0' ? 'star' : 'ustar'
  if (magic === 'ustar ' && buf[at + 263] === 0x20 && buf[at + 264] === 0) return 'gnu'
  return 'v7'
}

/** The name prefix Go prepends (with a "/") when it is not empty. */
function prefixOf(buf: Buffer, at: number, magic: Magic): string {
  if (magic === 'ustar') return buf[at + 345] === 0 ? '' : cString(buf, at + 345, at + 500)
  if (magic === 'star') return buf[at + 345] === 0 ? '' : cString(buf, at + 345, at + 476)
  if (magic !== 'gnu') return ''
  // Go < 1.8 wrote a USTAR prefix into GNU headers. Go still reads one when atime/ctime do not parse as
  // numbers and the field is ASCII (golang.org/issues/12594).
  if (timeFieldParses(buf, at + 345, at + 357) && timeFieldParses(buf, at + 357, at + 369)) return ''
  const prefix = cString(buf, at + 345, at + 500)
  for (let i = 0; i < prefix.length; i++) if (prefix.charCodeAt(i) >= 0x80) return ''
  return prefix
}

function timeFieldParses(buf: Buffer, start: number, end: number): boolean {
  if (buf[start] === 0) return true
  return parseNumeric(buf, start, end) !== undefined
}

export function memberType(flag: string): TarMemberType {
  switch (flag) {
    case '0':
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

/** Extended-header flags whose data describes the next member (or, for `g`, the archive). */
export function isMetaFlag(flag: string): boolean {
  return flag === 'x' || flag === 'g' || flag === 'L' || flag === 'K'
}

/** Go's isHeaderOnlyType: these members have no data, whatever their size field says. */
export function isHeaderOnly(flag: string): boolean {
  return flag >= '1' && flag <= '6'
}

export function paddedSize(size: number): number {
  const rest = size % BLOCK
  return rest === 0 ? size : size + BLOCK - rest
}

/** A NUL-terminated field, its bytes kept (byte-string.ts). */
export function cString(block: Buffer, start: number, end: number): string {
  const nul = block.indexOf(0, start)
  return decodeByteString(block, start, nul >= 0 && nul < end ? nul : end)
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

function numberField(block: Buffer, start: number, end: number, what: string): number {
  const value = parseNumeric(block, start, end)
  if (value === undefined) {
    const shown = block.toString('latin1', start, end).replace(/[^\x20-\x7e]/g, '.')
    throw new TarHeaderError(`bad tar ${what} field "${shown}"`)
  }
  return value
}

/**
 * Go's parser.parseNumeric: base-256 two's complement when the top bit of the first byte is set, else
 * octal. undefined where Go sets ErrHeader (a bad digit, an overflow of int64). Values beyond 2^53 lose
 * precision here; no real size, id or time gets there.
 */
function parseNumeric(block: Uint8Array, start: number, end: number): number | undefined {
  const first = block[start]!
  if (first & 0x80) {
    const invert = first & 0x40 ? 0xff : 0
    let value = 0
    for (let i = start; i < end; i++) {
      let byte = block[i]! ^ invert
      if (i === start) byte &= 0x7f
      // Go: more than 63 bits of magnitude overflow int64.
      if (value >= 2 ** 56) return undefined
      value = value * 256 + byte
    }
    if (value >= 2 ** 63) return undefined
    return invert ? -value - 1 : value
  }
  return parseOctalField(block, start, end)
}

/** Go's parser.parseOctal: trim spaces and NULs at both ends, cut at a NUL, then octal digits only. */
function parseOctalField(block: Uint8Array, start: number, end: number): number | undefined {
  let from = start
  let to = end
  while (from < to && (block[from] === 0x20 || block[from] === 0)) from++
  while (to > from && (block[to - 1] === 0x20 || block[to - 1] === 0)) to--
  if (from === to) return 0
  const nul = block.indexOf(0, from)
  if (nul >= 0 && nul < to) to = nul
  let value = 0
  for (let i = from; i < to; i++) {
    const byte = block[i]!
    if (byte < 0x30 || byte > 0x37) return undefined
    value = value * 8 + (byte - 0x30)
  }
  return value
}
