// Tar headers for the bench layers, laid out the way different real writers lay them out, so the bench
// never passes only on the one shape our own generator writes. Names over 100 bytes are where writers
// differ most:
//
//   own  fixtures/lib/tar.js: ustar; a long name split into prefix + name when it fits (as Go's
//        archive/tar, GNU tar --format=ustar), a PAX header only when it does not.
//   pax  Python's tarfile (format=PAX_FORMAT; Go's archive/tar does the same for names it cannot
//        split): a `././@PaxHeader` 'x' member with `path=` (`linkpath=`), then a ustar header whose
//        name field holds the first 100 bytes of the path and no prefix. A cut can leave a regular file's
//        name field ending in '/', or holding exactly a directory's path.
//   gnu  GNU tar --format=gnu: a `././@LongLink` 'L' member ('K' for a link target) holding the name and
//        a NUL, then an old-GNU header ("ustar  \0") whose name field holds the first 100 bytes.
//
// The field encodings (octal widths, checksum "%06o\0 ", uname/gname, magic) are those of the tools, as
// `tar --format=gnu` and Python's tarfile write them.
import {entryHeader} from '../../../fixtures/lib/tar.js'

const BLOCK = 512
const NAME = 100
const TYPEFLAG = {file: '0', hardlink: '1', symlink: '2', char: '3', block: '4', directory: '5', fifo: '6'}
const MTIME = 1714564800 // fixtures/lib/tar.js DEFAULT_MTIME: every shape stamps entries alike

export const WRITERS = ['own', 'pax', 'gnu']

/** `(entry) => Buffer`: the header blocks of one entry (as fixtures/lib/tar.js entryHeader takes it). */
export function headerWriter(kind) {
  if (kind === 'own') return entryHeader
  if (kind === 'pax') return paxHeader
  if (kind === 'gnu') return gnuHeader
  throw new Error(`unknown tar writer ${kind}`)
}

function octal(value, width) {
  const digits = value.toString(8)
  if (digits.length > width - 1) throw new Error(`tar: ${value} does not fit in ${width - 1} octal digits`)
  return digits.padStart(width - 1, '0') + '\0'
}

/** One header block; `name` and `linkname` are cut to 100 bytes, as both tools do. */
function block({name, mode, uid = 0, gid = 0, size = 0, mtime, typeflag, linkname = '', magic, uname = '', gname = ''}) {
  const h = Buffer.alloc(BLOCK)
  Buffer.from(name, 'utf8').copy(h, 0, 0, NAME)
  h.write(octal(mode & 0o7777, 8), 100, 'latin1')
  h.write(octal(uid, 8), 108, 'latin1')
  h.write(octal(gid, 8), 116, 'latin1')
  h.write(octal(size, 12), 124, 'latin1')
  h.write(octal(mtime, 12), 136, 'latin1')
  h.fill(0x20, 148, 156)
  h.write(typeflag, 156, 'latin1')
  Buffer.from(linkname, 'utf8').copy(h, 157, 0, NAME)
  h.write(magic, 257, 'latin1')
  h.write(uname, 265, 'latin1')
  h.write(gname, 297, 'latin1')
  let sum = 0
  for (let i = 0; i < BLOCK; i++) sum += h[i]
  h.write(octal(sum, 7), 148, 'latin1') // "%06o\0", the space after it stays
  return h
}

function padded(data) {
  const rest = data.length % BLOCK
  return rest === 0 ? [data] : [data, Buffer.alloc(BLOCK - rest)]
}

function common(entry) {
  const type = entry.type ?? 'file'
  const typeflag = TYPEFLAG[type]
  if (typeflag === undefined) throw new Error(`tar: unknown entry type ${type}`)
  const name = type === 'directory' && !entry.name.endsWith('/') ? `${entry.name}/` : entry.name
  return {
    type,
    typeflag,
    name,
    linkname: entry.linkname ?? '',
    mode: entry.mode ?? (type === 'directory' ? 0o755 : type === 'symlink' ? 0o777 : 0o644),
    size: type === 'file' ? (entry.size ?? 0) : 0,
    mtime: entry.mtime ?? MTIME,
  }
}

function paxRecord(key, value) {
  const body = ` ${key}=${value}\n`
  let length = Buffer.byteLength(body) + 1
  while (String(length).length + Buffer.byteLength(body) !== length) length = String(length).length + Buffer.byteLength(body)
  return `${length}${body}`
}

const USTAR = 'ustar\x0000'

function paxHeader(entry) {
  const e = common(entry)
  const records = []
  if (Buffer.byteLength(e.name) > NAME) records.push(paxRecord('path', e.name))
  if (Buffer.byteLength(e.linkname) > NAME) records.push(paxRecord('linkpath', e.linkname))
  const main = block({...e, magic: USTAR, uname: 'root', gname: 'root'})
  if (records.length === 0) return main
  const data = Buffer.from(records.join(''), 'utf8')
  // tarfile's extended header: mode, ids and mtime 0, no owner names.
  const x = block({name: '././@PaxHeader', mode: 0, size: data.length, mtime: 0, typeflag: 'x', magic: USTAR})
  return Buffer.concat([x, ...padded(data), main])
}

const OLD_GNU = 'ustar  \x00'

function gnuHeader(entry) {
  const e = common(entry)
  const parts = []
  for (const [value, typeflag] of [
    [e.linkname, 'K'],
    [e.name, 'L'],
  ]) {
    if (Buffer.byteLength(value) <= NAME) continue
    const data = Buffer.concat([Buffer.from(value, 'utf8'), Buffer.alloc(1)])
    parts.push(block({name: '././@LongLink', mode: 0o644, size: data.length, mtime: 0, typeflag, magic: OLD_GNU, uname: 'root', gname: 'root'}), ...padded(data))
  }
  parts.push(block({...e, magic: OLD_GNU, uname: 'root', gname: 'root'}))
  return parts.length === 1 ? parts[0] : Buffer.concat(parts)
}
