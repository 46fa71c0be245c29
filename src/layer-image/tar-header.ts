/**
 * Tar headers as Go's archive/tar (umoci, skopeo, containerd) reads them: POSIX ustar, with a PAX extended
 * header ('x') before an entry only when ustar cannot hold it (a name or link target over 100 bytes, a size
 * or mtime out of the 11-octal-digit range). Written by hand rather than with tar-stream so that every byte
 * is ours to keep fixed: owner 0:0, no user or group names, the mtime given.
 */
export const BLOCK = 512
/** Two zero blocks end an archive. */
export const TAR_END = Buffer.alloc(BLOCK * 2)

export interface TarMember {
  /** Relative path inside the archive, without a leading "/" ("opt/extensions/x"). */
  name: string
  type: 'file' | 'directory' | 'symlink'
  /** Permission bits (mode & 0o7777). */
  mode: number
  /** Bytes of content (0 unless a regular file). */
  size: number
  /** Seconds since the epoch. */
  mtime: number
  linkTarget?: string
}

const TYPE_FLAGS = {file: '0', directory: '5', symlink: '2'} as const
/** The largest value 11 octal digits hold. */
const OCTAL_MAX = 8 ** 11 - 1

/** The header block(s) of one member: a PAX header and its records first when ustar cannot hold it. */
export function tarHeader(member: TarMember): Buffer {
  const name = member.type === 'directory' && !member.name.endsWith('/') ? `${member.name}/` : member.name
  const link = member.linkTarget ?? ''
  const pax: [string, string][] = []
  if (Buffer.byteLength(name) > 100) pax.push(['path', name])
  if (Buffer.byteLength(link) > 100) pax.push(['linkpath', link])
  if (member.size > OCTAL_MAX) pax.push(['size', String(member.size)])
  const mtime = Math.trunc(member.mtime)
  if (mtime < 0 || mtime > OCTAL_MAX) pax.push(['mtime', String(mtime)])
  const header = ustar({
    name: truncateBytes(name, 100),
    typeflag: TYPE_FLAGS[member.type],
    mode: member.mode & 0o7777,
    size: member.size > OCTAL_MAX ? 0 : member.size,
    mtime: mtime < 0 || mtime > OCTAL_MAX ? 0 : mtime,
    linkname: truncateBytes(link, 100),
  })
  if (pax.length === 0) return header
  const records = Buffer.from(pax.map(([key, value]) => paxRecord(key, value)).join(''), 'utf8')
  const paxHeader = ustar({name: truncateBytes(`PaxHeaders/${baseName(name)}`, 100), typeflag: 'x', mode: 0o644, size: records.length, mtime: 0, linkname: ''})
  return Buffer.concat([paxHeader, records, padding(records.length), header])
}

/** Zero bytes that fill the last block of `size` bytes of content. */
export function padding(size: number): Buffer {
  const rest = size % BLOCK
  return rest === 0 ? Buffer.alloc(0) : Buffer.alloc(BLOCK - rest)
}

function ustar(fields: {name: string; typeflag: string; mode: number; size: number; mtime: number; linkname: string}): Buffer {
  const block = Buffer.alloc(BLOCK)
  block.write(fields.name, 0, 100, 'utf8')
  writeOctal(block, 100, 8, fields.mode)
  writeOctal(block, 108, 8, 0) // uid
  writeOctal(block, 116, 8, 0) // gid
  writeOctal(block, 124, 12, fields.size)
  writeOctal(block, 136, 12, fields.mtime)
  block.write(fields.typeflag, 156, 1, 'latin1')
  block.write(fields.linkname, 157, 100, 'utf8')
  block.write('ustar\u000000', 257, 8, 'latin1')
  writeOctal(block, 329, 8, 0) // devmajor
  writeOctal(block, 337, 8, 0) // devminor
  // The checksum is computed with its own field read as eight spaces.
  block.fill(0x20, 148, 156)
  let sum = 0
  for (const byte of block) sum += byte
  block.write(sum.toString(8).padStart(6, '0') + '\u0000 ', 148, 8, 'latin1')
  return block
}

function writeOctal(block: Buffer, offset: number, width: number, value: number): void {
  block.write(value.toString(8).padStart(width - 1, '0') + '\u0000', offset, width, 'latin1')
}

/** "LEN key=value\n", where LEN counts itself. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`
  const bodyLength = Buffer.byteLength(body)
  let length = bodyLength + String(bodyLength).length
  // Adding the length's own digits can add a digit ("95 …" → "100 …").
  if (String(length).length > String(bodyLength).length) length = bodyLength + String(length).length
  return `${length}${body}`
}

/** At most `max` UTF-8 bytes of `text`, never cutting a character in two. */
function truncateBytes(text: string, max: number): string {
  if (Buffer.byteLength(text) <= max) return text
  let out = ''
  for (const char of text) {
    if (Buffer.byteLength(out + char) > max) break
    out += char
  }
  return out
}

function baseName(path: string): string {
  const trimmed = path.endsWith('/') ? path.slice(0, -1) : path
  return trimmed.slice(trimmed.lastIndexOf('/') + 1)
}
