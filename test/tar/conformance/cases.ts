/**
 * The conformance matrix: every real writer over the edge content (content.ts), sparse files, the odd
 * outputs some tools make on request, and hand-made tars (handmade.ts). A case is planned first (staging,
 * Python and Java jobs are queued), then realized once the batches ran.
 */
import {execFileSync} from 'node:child_process'
import {mkdirSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {BASE_LAYER, CONTENT_LAYER, META, NAMES_LAYER, SPARSE, WHITEOUT_BASE, WHITEOUT_UPPER} from './content.js'
import {END, BLOCK, header, member, padded, paxRecords, setChecksum, tar} from './handmade.js'
import type {LayerBlob} from './image.js'
import {bytes, isUtf8, type EntryTraits, type SpecEntry} from './spec.js'
import {
  bsdtar,
  busyboxTar,
  commonsCompress,
  cpio,
  gnuTar,
  goTar,
  mirPax,
  pythonTarfile,
  tarStream,
  type LayerThunk,
  type WriteContext,
  type Writer,
} from './writers.js'

/** What a planned case becomes: layers to wrap in an OCI layout, or an image a tool made (umoci). */
export type Realized = {layers: LayerBlob[]} | {location: string}

export interface MatrixCase {
  name: string
  /** Which wrappings to read it through ('all': also skopeo's docker-archive and oci-archive). */
  wrappings: 'all' | 'layout'
  /** Commands it needs. */
  tools: string[]
  optional?: boolean
  plan(ctx: WriteContext): () => Promise<Realized>
}

export function haveCommand(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], {stdio: 'ignore'})
    return true
  } catch {
    return false
  }
}

const gz = (tar: Buffer): LayerBlob => ({tar, compression: 'gzip'})
const plain = (tar: Buffer): LayerBlob => ({tar, compression: 'none'})

/** Layers from thunks (the lower one gzip, the upper one plain: Go sniffs, so do we). */
function fromThunks(thunks: LayerThunk[]): () => Promise<Realized> {
  return async () => {
    const tars = await Promise.all(thunks.map((t) => t()))
    return {layers: tars.map((t, i) => (i % 2 === 0 ? gz(t) : plain(t)))}
  }
}

/**
 * Writers whose images are also read as skopeo's docker-archive and oci-archive (every case is, with
 * LAYER_AUDIT_CONFORMANCE_ALL_WRAPPINGS=1): the layer bytes are the same in every wrapping, so a few
 * stand for the rest and the suite stays within its time (each reading is a node process).
 */
const WRAPPED_EVERY_WAY = new Set([
  'GNU tar --format=gnu',
  'GNU tar --format=posix --xattrs --xattrs-include=*',
  'bsdtar --format pax',
  'Python tarfile PAX_FORMAT',
  'Go archive/tar PAX',
])

/** A writer over the edge content, as two images: names and links; the rest with whiteouts over it. */
function writerCases(writer: Writer): MatrixCase[] {
  const common = {tools: writer.tools, optional: writer.optional}
  return [
    {...common, name: `${writer.id}: names and links`, wrappings: 'layout', plan: (ctx) => fromThunks([writer.layer(NAMES_LAYER, ctx)])},
    {
      ...common,
      name: `${writer.id}: bytes, owners, times, modes, devices, xattrs; whiteouts over them`,
      wrappings: WRAPPED_EVERY_WAY.has(writer.id) ? 'all' : 'layout',
      plan: (ctx) => fromThunks([writer.layer(CONTENT_LAYER, ctx), writer.layer(WHITEOUT_UPPER, ctx)]),
    },
  ]
}

/** A writer over sparse files only (refusal of old GNU 'S' must not hide the rest). */
function sparseCase(writer: Writer): MatrixCase {
  return {name: `sparse files: ${writer.id}`, wrappings: 'layout', tools: writer.tools, plan: (ctx) => fromThunks([writer.layer(SPARSE, ctx)])}
}

// What the writers probed here can express (beyond the format's own limits, see writers.ts).
const noSparse = (t: EntryTraits) => !t.sparse
const classicNumbers = (t: EntryTraits) => !t.bigId && !t.negativeMtime && !t.hugeMtime
const everything = (t: EntryTraits) => !t.sparse
const withSparse = () => true
const utf8Xattrs = (e: SpecEntry) => Object.values(e.xattrs ?? {}).every(isUtf8)

export const WRITERS: Writer[] = [
  gnuTar('gnu'),
  gnuTar('oldgnu'),
  gnuTar('posix'),
  gnuTar('ustar'),
  gnuTar('v7'),
  bsdtar('pax'),
  bsdtar('ustar'),
  bsdtar('gnutar'),
  bsdtar('v7'),
  pythonTarfile('gnu'),
  pythonTarfile('pax'),
  pythonTarfile('ustar'),
  goTar('pax'),
  goTar('gnu'),
  goTar('ustar'),
  busyboxTar((t) => !t.xattrs && noSparse(t)),
  tarStream,
  cpio('ustar', (t) => t.ustarName && t.linkLength <= 100 && classicNumbers(t) && !t.xattrs && noSparse(t)),
  cpio('tar', (t) => t.nameLength <= 100 && t.linkLength <= 100 && classicNumbers(t) && !t.xattrs && noSparse(t) && !t.device && !t.fifo),
  mirPax('ustar', (t) => t.ustarName && t.linkLength <= 100 && classicNumbers(t) && !t.xattrs && noSparse(t)),
  // pax's old tar format keeps 6 octal digits for ids.
  mirPax('tar', (t, e) => {
    const ids = (e.uid ?? 0) <= 0o777777 && (e.gid ?? 0) <= 0o777777
    return t.nameLength <= 100 && t.linkLength <= 100 && classicNumbers(t) && ids && !t.xattrs && noSparse(t) && !t.device && !t.fifo
  }),
  commonsCompress('posix', (t, e) => t.utf8 && everything(t) && utf8Xattrs(e)),
  commonsCompress('gnu', (t, e) => t.utf8 && everything(t) && utf8Xattrs(e)),
]

export const SPARSE_WRITERS: Writer[] = [
  gnuTar('posix', ['--sparse', '--sparse-version=0.0'], withSparse),
  gnuTar('posix', ['--sparse', '--sparse-version=0.1'], withSparse),
  gnuTar('posix', ['--sparse', '--sparse-version=1.0'], withSparse),
  gnuTar('posix', ['--sparse'], withSparse),
  gnuTar('gnu', ['--sparse'], withSparse), // old GNU 'S' members: containerd refuses them
  gnuTar('oldgnu', ['--sparse'], withSparse),
  bsdtar('pax', withSparse),
  bsdtar('gnutar', withSparse),
]

// ---------------------------------------------------------------------------------------------------
// umoci: images it builds itself (its layers come from Go's archive/tar, with its own whiteouts)

function run(cmd: string, args: string[]): void {
  try {
    execFileSync(cmd, args, {stdio: ['ignore', 'ignore', 'pipe']})
  } catch (error) {
    throw new Error(`${cmd} ${args.join(' ')}: ${(error as {stderr?: Buffer}).stderr?.toString() ?? error}`)
  }
}

const umociInsert: MatrixCase = {
  name: 'umoci insert: bytes, owners, times, modes, devices, xattrs; a layer per --whiteout, --opaque',
  wrappings: 'all',
  tools: ['umoci'],
  plan(ctx) {
    const dir = join(ctx.work, 'umoci-insert')
    const base = ctx.python.stage(join(dir, 'base'), CONTENT_LAYER)
    const upper = ctx.python.stage(join(dir, 'upper'), [
      ...WHITEOUT_UPPER.filter((e) => !e.name.toString('latin1').includes('.wh.') && !e.name.toString('latin1').startsWith('w/opaque')),
    ])
    const opaque = ctx.python.stage(join(dir, 'opaque'), [{name: bytes('new'), type: 'file', content: Buffer.from('new\n')}])
    return async () => {
      ctx.python.check()
      const image = `${join(dir, 'oci')}:img`
      run('umoci', ['init', '--layout', join(dir, 'oci')])
      run('umoci', ['new', '--image', image])
      run('umoci', ['insert', '--image', image, base, '/'])
      for (const gone of ['/w/gone', '/w/gone-dir', '/w/missing', '/w/file-to-dir', '/w/dir-to-file']) {
        run('umoci', ['insert', '--image', image, '--whiteout', gone])
      }
      run('umoci', ['insert', '--image', image, upper, '/'])
      run('umoci', ['insert', '--image', image, '--opaque', opaque, '/w/opaque'])
      return {location: `oci:${image}`}
    }
  },
}

const umociInsertNames: MatrixCase = {
  name: 'umoci insert: names and links',
  wrappings: 'layout',
  tools: ['umoci'],
  plan(ctx) {
    const dir = join(ctx.work, 'umoci-insert-names')
    const base = ctx.python.stage(join(dir, 'base'), NAMES_LAYER)
    return async () => {
      ctx.python.check()
      const image = `${join(dir, 'oci')}:img`
      run('umoci', ['init', '--layout', join(dir, 'oci')])
      run('umoci', ['new', '--image', image])
      run('umoci', ['insert', '--image', image, base, '/'])
      return {location: `oci:${image}`}
    }
  },
}

const umociRepack: MatrixCase = {
  name: 'umoci repack: everything, then deletions and replacements (whiteouts umoci computes)',
  wrappings: 'all',
  tools: ['umoci'],
  plan(ctx) {
    const dir = join(ctx.work, 'umoci-repack')
    const base = ctx.python.stage(join(dir, 'base'), BASE_LAYER)
    return async () => {
      ctx.python.check()
      const image = `${join(dir, 'oci')}:img`
      const bundle = join(dir, 'bundle')
      const rootfs = join(bundle, 'rootfs')
      run('umoci', ['init', '--layout', join(dir, 'oci')])
      run('umoci', ['new', '--image', image])
      run('umoci', ['unpack', '--image', image, bundle])
      run('cp', ['-a', '--preserve=all', `${base}/.`, rootfs])
      // --refresh-bundle: the next repack diffs against this one (a layer of changes, whiteouts included).
      run('umoci', ['repack', '--refresh-bundle', '--image', image, bundle])
      rmSync(join(rootfs, 'w/gone'))
      rmSync(join(rootfs, 'w/gone-dir'), {recursive: true})
      rmSync(join(rootfs, 'w/opaque'), {recursive: true})
      mkdirSync(join(rootfs, 'w/opaque'))
      writeFileSync(join(rootfs, 'w/opaque/new'), 'new\n')
      rmSync(join(rootfs, 'w/file-to-dir'))
      mkdirSync(join(rootfs, 'w/file-to-dir'), {mode: 0o700})
      writeFileSync(join(rootfs, 'w/file-to-dir/child'), 'child\n')
      rmSync(join(rootfs, 'w/dir-to-file'), {recursive: true})
      writeFileSync(join(rootfs, 'w/dir-to-file'), 'now a file\n')
      writeFileSync(join(rootfs, 'w/zz-empty-last'), '')
      run('umoci', ['repack', '--image', image, bundle])
      return {location: `oci:${image}`}
    }
  },
}

// ---------------------------------------------------------------------------------------------------
// Odd outputs real tools make when asked

const small: SpecEntry[] = [
  {name: bytes('d'), type: 'directory'},
  {name: bytes('d/sub'), type: 'directory'},
  {name: bytes('d/sub/f'), type: 'file', content: Buffer.from('f\n')},
  {name: bytes('d/g'), type: 'file', content: Buffer.from('g'.repeat(700))},
]

function gnuTarRaw(name: string, args: (stage: string, work: string) => string[], entries = small): MatrixCase {
  return {
    name,
    wrappings: 'layout',
    tools: ['tar'],
    plan(ctx) {
      const stage = ctx.python.stage(join(ctx.work, `raw-${name.replace(/\W+/g, '-')}`), entries)
      return async () => {
        ctx.python.check()
        return {layers: [gz(execFileSync('tar', args(stage, ctx.work), {maxBuffer: 1 << 26}))]}
      }
    },
  }
}

const SPECIAL: MatrixCase[] = [
  gnuTarRaw("GNU tar --listed-incremental (dumpdir 'D' members)", (stage, work) => [
    '-c', '-f', '-', '-C', stage, '--format=gnu', `--listed-incremental=${join(work, 'snapshot-' + Date.now())}`, 'd',
  ]),
  gnuTarRaw("GNU tar -V (volume label 'V')", (stage) => ['-c', '-f', '-', '-C', stage, '--format=gnu', '-V', 'LABEL', 'd']),
  gnuTarRaw('GNU tar of nothing (10240 zero bytes)', () => ['-c', '-f', '-', '-T', '/dev/null']),
  {
    name: 'Python tarfile PAX_FORMAT with a global header (path, mtime, xattr)',
    wrappings: 'layout',
    tools: ['python3'],
    plan: (ctx) =>
      fromThunks([
        ctx.python.tarfile('pax', small, {
          global: {
            path: Buffer.from('global-path'),
            mtime: Buffer.from('1'),
            'SCHILY.xattr.user.g': Buffer.from('global'),
            comment: Buffer.from('made by the matrix'),
          },
        }),
      ]),
  },
  {
    name: 'Go archive/tar PAX with a global header',
    wrappings: 'layout',
    tools: ['go'],
    plan: (ctx) => async () => ({layers: [gz(goWriteGlobal(ctx))]}),
  },
  {
    name: "Python tarfile: a regular file named 'slash/' with data (REGTYPE, name ends in '/')",
    wrappings: 'layout',
    tools: ['python3'],
    plan: (ctx) => {
      const slash: SpecEntry = {name: bytes('slash/'), type: 'file', content: Buffer.from('data of a file whose name ends in a slash\n')}
      return fromThunks([ctx.python.tarfile('ustar', [...small, slash])])
    },
  },
  {
    name: 'Go archive/tar PAX, no Close() nor Flush() (no end blocks, last member unpadded)',
    wrappings: 'layout',
    tools: ['go'],
    plan: (ctx) => fromThunks([goTar('pax', {end: 'none'}).layer([...META, ...WHITEOUT_BASE], ctx)]),
  },
  {
    name: 'Go archive/tar PAX, Flush() but no Close() (no end blocks)',
    wrappings: 'layout',
    tools: ['go'],
    plan: (ctx) => fromThunks([goTar('pax', {end: 'flush'}).layer([...META, ...WHITEOUT_BASE], ctx)]),
  },
]

function goWriteGlobal(ctx: WriteContext): Buffer {
  return execFileSync(ctx.goBinary, ['-write', 'pax'], {
    input: JSON.stringify({
      global: {path: Buffer.from('global-path').toString('base64'), 'SCHILY.xattr.user.g': Buffer.from('g').toString('base64')},
      entries: [
        {name: Buffer.from('after-global').toString('base64'), type: 'file', mode: 0o644, mtime: 1_700_000_000, content: Buffer.from('x').toString('base64')},
      ],
    }),
  })
}

// ---------------------------------------------------------------------------------------------------
// Hand-made tars (bytes edited after writing, checksums recomputed)

function handmade(name: string, build: (ctx: WriteContext) => Buffer | Promise<Buffer>, wrappings: 'all' | 'layout' = 'layout'): MatrixCase {
  return {name: `hand-made: ${name}`, wrappings, tools: [], plan: (ctx) => async () => ({layers: [gz(await build(ctx))]})}
}

const f = (name: string, data = `${name}\n`) => member({name}, data)
const pax = (records: Array<[string, string | Buffer]>, typeflag = 'x') => {
  const data = paxRecords(records)
  return member({name: 'PaxHeaders/x', typeflag}, data)
}
const hiddenHeader = () => header({name: 'hidden', size: 0})

const HANDMADE: MatrixCase[] = [
  handmade("a '0' member named 'dir/' with data (the data looks like a header)", () =>
    tar(member({name: 'dir/', typeflag: '0', size: BLOCK}, hiddenHeader()), f('after'), END),
  ),
  handmade("a NUL-typeflag member named 'olddir/' (old tar's directory)", () => tar(member({name: 'olddir/', typeflag: '\0', magic: 'v7'}), f('olddir/inside'), END)),
  handmade("a NUL-typeflag member named 'olddir/' with a size: its data looks like a header", () =>
    tar(member({name: 'olddir/', typeflag: '\0', magic: 'v7', size: BLOCK}, hiddenHeader()), f('after'), END),
  ),
  handmade("a v7 regular file with a NUL typeflag", () => tar(member({name: 'v7file', typeflag: '\0', magic: 'v7'}, 'v7 data\n'), END)),
  handmade('a PAX size record "abc"', () => tar(pax([['size', 'abc']]), f('sized'), END)),
  handmade('a PAX uid record "abc"', () => tar(pax([['uid', 'abc']]), f('owned'), END)),
  handmade('a PAX mtime record "abc"', () => tar(pax([['mtime', 'abc']]), f('timed'), END)),
  handmade('a PAX record whose length is wrong', () => tar(member({name: 'PaxHeaders/x', typeflag: 'x'}, '99 path=short\n'), f('named'), END)),
  handmade('a PAX size record "+10" (a sign)', () => tar(pax([['size', '+10']]), member({name: 'signed-size', size: 10}, '0123456789'), END)),
  handmade('a PAX uid record "-1"', () => tar(pax([['uid', '-1']]), f('negative-uid'), END)),
  handmade('a PAX uid record past 64 bits', () => tar(pax([['uid', '99999999999999999999']]), f('huge-uid'), END)),
  handmade('a PAX mtime record "1e9"', () => tar(pax([['mtime', '1e9']]), f('exponent-mtime'), END)),
  handmade("an empty GNU 'L' long name (the header's name stays)", () =>
    tar(member({name: '././@LongLink', typeflag: 'L', magic: 'gnu'}, ''), f('header-name'), END),
  ),
  handmade('a GNU.sparse.name record without a sparse version or map', () => tar(pax([['GNU.sparse.name', 'not-sparse']]), f('header-name'), END)),
  handmade('GNU sparse PAX 1.0 with a malformed map', () =>
    tar(
      pax([['GNU.sparse.major', '1'], ['GNU.sparse.minor', '0'], ['GNU.sparse.name', 'sparse'], ['GNU.sparse.realsize', '100']]),
      member({name: 'GNUSparseFile.0/sparse'}, Buffer.concat([padded('abc\n'), Buffer.from('data')])),
      END,
    ),
  ),
  handmade('a PAX header with an empty path= value', () => tar(pax([['path', '']]), f('keeps-its-name'), END)),
  handmade('a PAX path containing a NUL byte', () => tar(pax([['path', Buffer.from('nul\0name')]]), f('plain'), END)),
  handmade('two PAX headers in a row (the second has no path)', () => tar(pax([['path', 'first-path']]), pax([['uid', '7']]), f('named-by-header'), END)),
  handmade('a PAX header, then a global header, then a file', () => tar(pax([['path', 'from-x']]), pax([['comment', 'g']], 'g'), f('named-by-header'), END)),
  handmade("a GNU 'L' long name, then a PAX path", () =>
    tar(member({name: '././@LongLink', typeflag: 'L', magic: 'gnu'}, 'from-L\0'), pax([['path', 'from-x']]), f('named-by-header'), END),
  ),
  handmade("a PAX path, then a GNU 'L' long name", () =>
    tar(pax([['path', 'from-x']]), member({name: '././@LongLink', typeflag: 'L', magic: 'gnu'}, 'from-L\0'), f('named-by-header'), END),
  ),
  handmade("a GNU 'K' long link name with no member after it", () => tar(f('before'), member({name: '././@LongLink', typeflag: 'K', magic: 'gnu'}, 'target\0'), END)),
  handmade('a PAX header with no member after it', () => tar(f('before'), pax([['path', 'nothing']]), END)),
  handmade("typeflag '7' (contiguous file)", () => tar(member({name: 'contiguous', typeflag: '7'}, 'contiguous data\n'), END)),
  handmade("typeflag 'M' (GNU multi-volume continuation)", () => tar(member({name: 'continued', typeflag: 'M', magic: 'gnu'}, 'rest\n'), END)),
  handmade('a star header (ustar magic, "tar\\0" trailer) with a prefix and atime/ctime', () =>
    tar(member({name: 'file', magic: 'star', prefix: 'star-prefix', raw: [[476, '14560000000\0'], [488, '14560000000\0']]}, 'star\n'), END),
  ),
  handmade('an old GNU header (no prefix field) with atime/ctime where ustar has its prefix', () =>
    tar(member({name: 'gnu-file', magic: 'gnu', raw: [[345, '14560000000\0'], [357, '14560000000\0']]}, 'gnu\n'), END),
  ),
  handmade('a header whose checksum was computed with signed bytes (old Sun tar)', () =>
    tar(member({name: 'caf\xe9-\xff\xfe', signedChecksum: true}, 'signed\n'), END),
  ),
  handmade('a bad checksum', () => {
    const t = tar(f('file'), END)
    t[148] = 0x37
    return t
  }),
  handmade('an octal field with text after its NUL ("644\\0junk")', () => tar(member({name: 'odd-mode', raw: [[100, '644\0xyz\0']]}, 'x\n'), END)),
  handmade('a base-256 size field', () => {
    const data = Buffer.from('five!')
    const h = header({name: 'b256'})
    h.fill(0, 124, 136)
    h[124] = 0x80
    h[135] = data.length
    setChecksum(h)
    return tar(h, padded(data), END)
  }),
  handmade('a base-256 negative mtime (-1)', () => {
    const h = header({name: 'neg-mtime'})
    h.fill(0xff, 136, 148)
    setChecksum(h)
    return tar(h, END)
  }),
  handmade('a PAX header over 1 MiB', () => tar(pax([['comment', 'c'.repeat((1 << 20) + 10)], ['path', 'big-pax']]), f('x'), END)),
  handmade('a hardlink with an empty target', () => tar(member({name: 'link', typeflag: '1', linkname: ''}), END)),
  handmade("a bare '.wh.' whiteout", () => tar(f('.wh.'), END)),
  handmade("names with '..', '.', '//' and a leading '/'", () =>
    tar(f('../../escape'), f('/abs/file'), f('a//b/./c'), member({name: './', typeflag: '5'}), member({name: '.', typeflag: '5'}), f('x/../y'), END),
  ),
  handmade('a symlink, a directory and a fifo with a size (their data is headers)', () =>
    tar(
      member({name: 'sym', typeflag: '2', linkname: 'target', size: BLOCK}),
      hiddenHeader(),
      member({name: 'dir', typeflag: '5', size: BLOCK}),
      header({name: 'hidden2'}),
      member({name: 'fifo', typeflag: '6', size: BLOCK}),
      header({name: 'hidden3'}),
      END,
    ),
  ),
  handmade('one zero block, then a real header', () => tar(f('before'), Buffer.alloc(BLOCK), f('after-zero-block'), END)),
  handmade('a single zero block at the end', () => tar(f('a'), f('b'), Buffer.alloc(BLOCK))),
  handmade('no end-of-archive blocks at all', () => tar(f('a'), f('b'))),
  handmade('data after the end-of-archive blocks', () => tar(f('a'), END, Buffer.from('garbage after the end, not block-aligned'))),
  handmade('a second archive after the end-of-archive blocks', () => tar(f('a'), END, f('b-after-end'), END)),
  handmade('a member cut in its data', () => tar(f('a'), member({name: 'cut', size: 1000}, Buffer.alloc(1000, 0x61))).subarray(0, BLOCK * 3 + 100)),
  handmade('EOF right after the data (no padding)', () => tar(f('a'), header({name: 'unpadded', size: 10}), Buffer.from('0123456789'))),
  handmade('EOF in the middle of the padding', () => tar(f('a'), header({name: 'half-padded', size: 10}), Buffer.from('0123456789'), Buffer.alloc(100))),
  handmade('EOF in the middle of a header', () => tar(f('a'), header({name: 'cut-header'}).subarray(0, 300))),
  handmade('EOF in the middle of the end-of-archive blocks', () => tar(f('a'), Buffer.alloc(BLOCK + 100))),
  handmade('an empty layer (0 bytes)', () => Buffer.alloc(0)),
]

export const CASES: MatrixCase[] = [
  ...WRITERS.flatMap(writerCases),
  umociInsertNames,
  umociInsert,
  umociRepack,
  ...SPARSE_WRITERS.map(sparseCase),
  ...SPECIAL,
  ...HANDMADE,
]

/** Tools a case needs that are not installed, to say why it is skipped. */
export function missingTools(c: MatrixCase): string[] {
  return c.tools.filter((t) => !haveCommand(t))
}
