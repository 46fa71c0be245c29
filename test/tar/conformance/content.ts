/**
 * The content the matrix asks every writer to write: names and link targets at the lengths where tar's
 * fields overflow, bytes that are not UTF-8, numbers that do not fit octal, odd times and modes, devices,
 * xattrs, sparse files, and whiteouts over a lower layer. Each writer writes what it can express
 * (spec.ts `expressible`).
 */
import {bytes, nameWithSlashes, type SpecEntry, withParents} from './spec.js'

const file = (name: string, extra: Partial<SpecEntry> = {}): SpecEntry => ({
  name: bytes(name),
  type: 'file',
  content: Buffer.from(`${name.length} bytes of name\n`),
  ...extra,
})
const dir = (name: string, extra: Partial<SpecEntry> = {}): SpecEntry => ({name: bytes(name), type: 'directory', ...extra})
const symlink = (name: string, target: string): SpecEntry => ({name: bytes(name), type: 'symlink', link: bytes(target)})
const hardlink = (name: string, target: string): SpecEntry => ({name: bytes(name), type: 'hardlink', link: bytes(target)})

/** `dir/` followed by `fill` up to `total` bytes. */
const sized = (parent: string, total: number, fill: string) => `${parent}/${fill.repeat(total - parent.length - 1)}`

// Names whose cut at 100 bytes lands right after a `/` (index 99) or on one (index 100).
const CUT_AFTER_SLASH = nameWithSlashes(130, [1, 99], 'cij')
const CUT_ON_SLASH = nameWithSlashes(131, [1, 100], 'ckl')
// ustar's largest split: a 155-byte prefix and a 100-byte name.
const USTAR_MAX = nameWithSlashes(256, [1, 155], 'spq')
const USTAR_OVER = nameWithSlashes(257, [1, 156], 'srt')
const LONG_FILE = sized('n', 256, 'g')

/** Names and links at the edges of the 100/155/255-byte fields. */
export const NAMES: SpecEntry[] = withParents([
  file(sized('n', 99, 'a')),
  file(sized('n', 100, 'b')),
  file(sized('n', 101, 'c')),
  file(sized('n', 155, 'd')),
  file(sized('n', 156, 'e')),
  file(sized('n', 255, 'f')),
  file(LONG_FILE),
  file(nameWithSlashes(300, [1, 150], 'nhi')),
  dir(sized('n', 99, 'j')), // written as 100 bytes with its slash
  dir(sized('n', 100, 'k')),
  file(`${sized('n', 100, 'k')}/child`),
  file(nameWithSlashes(183, [1, 122], 'smn')), // ustar: a long prefix
  file(USTAR_MAX),
  file(USTAR_OVER),
  file(CUT_AFTER_SLASH),
  file(CUT_ON_SLASH),
  dir(nameWithSlashes(99, [1], 'cm')), // 100 bytes with the slash: the slash is byte 100
  symlink('t/99', 'y'.repeat(99)),
  symlink('t/100', '../'.repeat(33) + 'z'),
  symlink('t/101', '/' + 'w'.repeat(100)),
  symlink('t/300', 'v/'.repeat(150)),
  symlink('t/cut', CUT_AFTER_SLASH),
  hardlink('h/to-long', LONG_FILE),
  hardlink('h/to-cut', CUT_AFTER_SLASH),
  file('h/target'),
  hardlink(sized('h', 200, 'o'), 'h/target'),
  hardlink('h/chain', sized('h', 200, 'o')),
])

/** UTF-8 and bytes that are not UTF-8, in names and link targets. */
export const BYTES: SpecEntry[] = withParents([
  file('u/caf\xc3\xa9'),
  file('u/日本語'),
  file('u/caf\xe9'),
  dir('u/\xe9t\xe9'),
  file('u/\xe9t\xe9/x'),
  file('u/\xff\xfe'),
  file('u/trunc\xc3'),
  file('u/surrogate\xed\xa0\x80'),
  symlink('u/link-latin1', 'caf\xe9'),
  symlink('u/link-utf8', 'caf\xc3\xa9'),
  hardlink('u/hard-latin1', 'u/caf\xe9'),
  file('u/' + '\xe9'.repeat(120)),
  file('u/' + '\xc3\xa9'.repeat(60)), // 120 bytes of UTF-8 (60 × é)
])

/** Owners, times and modes that do not fit octal fields, devices, fifos. */
export const META: SpecEntry[] = withParents([
  file('m/big-id', {uid: 3_000_000, gid: 3_000_001}),
  file('m/max-octal-id', {uid: 0o7777777, gid: 0o7777777}),
  file('m/year-1900', {mtime: -2_208_988_800}),
  file('m/year-1969', {mtime: -1}),
  file('m/year-2200', {mtime: 7_258_118_400}),
  file('m/year-2300', {mtime: 10_413_792_000}),
  file('m/fraction', {mtime: 1_700_000_000.75}),
  file('m/negative-fraction', {mtime: -1.25}),
  file('m/setuid', {mode: 0o4755}),
  dir('m/setgid', {mode: 0o2755}),
  dir('m/sticky', {mode: 0o1777}),
  file('m/mode-0', {mode: 0}),
  file('m/empty', {content: Buffer.alloc(0)}),
  file('m/block-sized', {content: Buffer.alloc(512, 0x61)}),
  {name: bytes('m/char'), type: 'char', mode: 0o666, devmajor: 1, devminor: 3},
  {name: bytes('m/block'), type: 'block', mode: 0o660, devmajor: 7, devminor: 0},
  {name: bytes('m/fifo'), type: 'fifo', mode: 0o644},
])

/** Extended attributes (user.* so they can be staged on disk too). */
export const XATTRS: SpecEntry[] = withParents([
  file('x/attrs', {xattrs: {'user.plain': Buffer.from('v'), 'user.utf8': Buffer.from('é'), 'user.empty': Buffer.alloc(0)}}),
  file('x/binary', {xattrs: {'user.bin': Buffer.from([0xff, 0x00, 0xfe, 0x0a])}}),
])

/** A lower layer for the whiteouts… */
export const WHITEOUT_BASE: SpecEntry[] = withParents([
  file('w/keep'),
  file('w/gone'),
  file('w/gone-dir/sub/x'),
  file('w/opaque/a'),
  file('w/opaque/b'),
  file('w/file-to-dir'),
  file('w/dir-to-file/y'),
])

/** …and the layer over it, which ends with a zero-size member. */
export const WHITEOUT_UPPER: SpecEntry[] = withParents([
  file('w/.wh.gone', {content: Buffer.alloc(0)}),
  file('w/.wh.gone-dir', {content: Buffer.alloc(0)}),
  file('w/.wh.missing', {content: Buffer.alloc(0)}),
  file('w/.wh..wh.plnk', {content: Buffer.alloc(0)}),
  file('w/opaque/.wh..wh..opq', {content: Buffer.alloc(0)}),
  file('w/opaque/new'),
  file('w/.wh.file-to-dir', {content: Buffer.alloc(0)}),
  dir('w/file-to-dir', {mode: 0o700}),
  file('w/file-to-dir/child'),
  file('w/.wh.dir-to-file', {content: Buffer.alloc(0)}),
  file('w/dir-to-file'),
  file('w/zz-empty-last', {content: Buffer.alloc(0)}),
])

/** A sparse file (1 MiB, data at both ends) and one that ends in a hole. */
export const SPARSE: SpecEntry[] = withParents([
  {name: bytes('sp/sparse'), type: 'file', sparse: {size: 1 << 20, data: [[0, 'head'], [(1 << 20) - 5, 'tail\n']]}},
  {name: bytes('sp/hole-at-end'), type: 'file', sparse: {size: 3 << 16, data: [[70_000, 'middle']]}},
  file('sp/plain'),
])

/** Every writer writes two images: the names… */
export const NAMES_LAYER: SpecEntry[] = NAMES
/** …and the rest, as the lower layer under WHITEOUT_UPPER (a refusal of one image cannot hide the other). */
export const CONTENT_LAYER: SpecEntry[] = [...BYTES, ...META, ...XATTRS, ...WHITEOUT_BASE]
/** Everything but sparse files, for tools that build whole images (umoci). */
export const BASE_LAYER: SpecEntry[] = [...NAMES, ...BYTES, ...META, ...XATTRS, ...WHITEOUT_BASE]
