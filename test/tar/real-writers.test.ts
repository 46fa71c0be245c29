/**
 * The layers that real writers make and that the reader once refused or misread, each written by the
 * tool that writes it (GNU tar, Python's tarfile, bsdtar), read through the layer walker as `tree` reads
 * them. The full matrix against Go's archive/tar is conformance.test.ts; these pin the six classes.
 */
import {execFileSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {mkdirSync, readFileSync, truncateSync, writeFileSync, openSync, writeSync, closeSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import type {ContentSink} from '../../src/fs/entry.js'
import {walkLayerTar} from '../../src/fs/layer-walker.js'
import {encodeByteString} from '../../src/tar/byte-string.js'
import {chunked, gnuTar, layerInfo, tmpDir, walkBuffer} from '../fs/helpers.js'
import {haveCommand} from './conformance/cases.js'

const haveBsdtar = haveCommand('bsdtar')

/** A tar written by Python's tarfile: `script` gets `tarfile`, `io`, `out` (a BytesIO) and `t` (the open archive). */
function pythonTar(format: 'PAX' | 'GNU', script: string): Buffer {
  const program = [
    'import io, sys, tarfile',
    'out = io.BytesIO()',
    `t = tarfile.open(fileobj=out, mode="w", format=tarfile.${format}_FORMAT, encoding="utf-8", errors="surrogateescape")`,
    'def add(name, data=b"", **kw):',
    '    info = tarfile.TarInfo(name)',
    '    info.size = len(data)',
    '    for k, v in kw.items(): setattr(info, k, v)',
    '    t.addfile(info, io.BytesIO(data))',
    script,
    't.close()',
    'sys.stdout.buffer.write(out.getvalue())',
  ].join('\n')
  return execFileSync('python3', ['-c', program], {maxBuffer: 1 << 26})
}

/** Entries and each file's sha256 prefix, as `tree` would see the layer. */
async function readLayer(tar: Buffer, chunk = 777): Promise<Array<{path: string; type: string; size: number; sha?: string}>> {
  const hashes = new Map<string, string>()
  const hook = (entry: {path: string}): ContentSink => {
    const hash = createHash('sha256')
    return {write: (c) => hash.update(c), end: () => hashes.set(entry.path, hash.digest('hex').slice(0, 16))}
  }
  const {entries} = await walkLayerTar(chunked(tar, chunk), layerInfo(0), [hook])
  return entries.map((e) => ({path: e.path, type: e.type, size: e.size, ...(hashes.has(e.path) ? {sha: hashes.get(e.path)} : {})}))
}

const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex').slice(0, 16)

/** A path of `length` bytes whose byte 100 (the ustar name field's end) is a `/`. */
function pathCutOnSlash(length: number): string {
  const first = `${'d'.repeat(99)}/`
  return first + 'x'.repeat(length - first.length)
}

describe('layers real writers make', () => {
  it('a long path whose 100-byte ustar cut ends in "/" stays a file (Python PAX and GNU, GNU tar posix and gnu)', async () => {
    const long = `site-packages/${'p'.repeat(85)}/module.py` // byte 100 is the "/" before module.py
    expect(long[99]).toBe('/')
    for (const format of ['PAX', 'GNU'] as const) {
      const tar = pythonTar(format, `add(${JSON.stringify(long)}, b"print(1)")\nadd("after", b"after")`)
      expect(await readLayer(tar), format).toEqual([
        {path: `/${long}`, type: 'file', size: 8, sha: sha('print(1)')},
        {path: '/after', type: 'file', size: 5, sha: sha('after')},
      ])
    }
    const dir = tmpDir()
    mkdirSync(join(dir, long, '..'), {recursive: true})
    writeFileSync(join(dir, long), 'print(1)')
    for (const format of ['posix', 'gnu']) {
      const files = (await readLayer(gnuTar(dir, ['site-packages'], [`--format=${format}`]))).filter((e) => e.type === 'file')
      expect(files, format).toEqual([{path: `/${long}`, type: 'file', size: 8, sha: sha('print(1)')}])
    }
  })

  it('a layer whose last member has no padding and no end blocks (umoci insert, an unclosed Go writer) ends cleanly', async () => {
    const tar = pythonTar('PAX', 'add("a", b"abc")\nadd("b", b"0123456789")')
    const lastData = 512 * 3 // a's header and data block, b's header
    const cut = tar.subarray(0, lastData + 10) // b's 10 bytes, no padding, no end blocks
    expect(await readLayer(cut)).toEqual([
      {path: '/a', type: 'file', size: 3, sha: sha('abc')},
      {path: '/b', type: 'file', size: 10, sha: sha('0123456789')},
    ])
    await expect(walkBuffer(tar.subarray(0, lastData + 5))).rejects.toThrow(/truncated tar/)
  })

  it('a "0" member whose own name ends in "/" is a file, and what follows it stays visible', async () => {
    const tar = pythonTar('PAX', 'add("file-named-like-a-dir/", b"DATA" * 200)\nadd("root/.aws/credentials", b"[default]")')
    expect(tar[156]).toBe(0x30)
    expect(await readLayer(tar)).toEqual([
      {path: '/file-named-like-a-dir', type: 'file', size: 800, sha: sha('DATA'.repeat(200))},
      {path: '/root/.aws/credentials', type: 'file', size: 9, sha: sha('[default]')},
    ])
  })

  it('only the old NUL typeflag makes a trailing-slash name a directory', async () => {
    const tar = pythonTar('GNU', 'add("old-style-dir/")\nadd("old-style-dir/f", b"x")')
    tar[156] = 0 // NUL typeflag
    tar.fill(0x20, 148, 156)
    let sum = 0
    for (let i = 0; i < 512; i++) sum += tar[i]!
    tar.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1')
    expect((await readLayer(tar)).map((e) => [e.path, e.type])).toEqual([
      ['/old-style-dir', 'directory'],
      ['/old-style-dir/f', 'file'],
    ])
  })

  it('names that are not UTF-8 keep their bytes; two that differ never collide', async () => {
    const tar = pythonTar(
      'PAX',
      ['add("caf\\udce9", b"latin-1")', 'add("caf\\u00e9", b"utf-8")', 'add("l", type=tarfile.SYMTYPE, linkname="caf\\udce9")'].join('\n'),
    )
    const entries = await readLayer(tar)
    expect(entries.map((e) => encodeByteString(e.path).toString('hex'))).toEqual([
      Buffer.from('/caf\xe9', 'latin1').toString('hex'),
      Buffer.from('/café', 'utf8').toString('hex'),
      Buffer.from('/l').toString('hex'),
    ])
    const {entries: raw} = await walkBuffer(tar)
    expect(encodeByteString(raw[2]!.linkTarget!)).toEqual(Buffer.from('caf\xe9', 'latin1'))
    // GNU tar writes the raw bytes into a ustar header (no PAX).
    const dir = tmpDir()
    writeFileSync(Buffer.concat([Buffer.from(`${dir}/`), Buffer.from([0x6e, 0xe9])]), 'n')
    const gnu = await readLayer(gnuTar(dir, ['.'], ['--format=gnu']))
    expect(gnu.map((e) => encodeByteString(e.path).toString('latin1')).sort()).toEqual(['/n\xe9'])
  })

  it.skipIf(!haveBsdtar)('GNU sparse files in PAX form (0.0, 0.1, 1.0; GNU tar and bsdtar) read at their real name, size and content', async () => {
    const dir = tmpDir()
    mkdirSync(join(dir, 'd'))
    const file = join(dir, 'd', 'holes')
    writeFileSync(file, '')
    truncateSync(file, 3 * 1024 * 1024)
    const fd = openSync(file, 'r+')
    writeSync(fd, Buffer.from('hello'), 0, 5, 1024 * 1024)
    closeSync(fd)
    writeFileSync(file, 'tail', {flag: 'a'})
    const content = readFileSync(file)
    const expected = [{path: '/d/holes', type: 'file', size: content.length, sha: sha(content)}]
    const tars: Record<string, Buffer> = {bsdtar: execFileSync('bsdtar', ['-C', dir, '-cf', '-', '--format', 'pax', 'd'])}
    for (const version of ['0.0', '0.1', '1.0']) {
      tars[version] = gnuTar(dir, ['d'], ['--sparse', `--sparse-version=${version}`, '--format=posix'])
    }
    for (const [writer, tar] of Object.entries(tars)) {
      expect(tar.includes(Buffer.from('GNU.sparse')), `${writer} wrote a sparse member`).toBe(true)
      expect((await readLayer(tar, 4096)).filter((e) => e.type === 'file'), writer).toEqual(expected)
    }
    // The old GNU form ('S') is refused, as containerd and Docker refuse it.
    await expect(walkBuffer(gnuTar(dir, ['d'], ['--sparse', '--format=gnu']))).rejects.toThrow(/unsupported tar entry type 'S' at \/d\/holes/)
  })

  it('one zero block followed by a header is corrupt, as Go reads it', async () => {
    const one = pythonTar('GNU', 'add("a", b"a")').subarray(0, 1024)
    await expect(walkBuffer(Buffer.concat([one, Buffer.alloc(512), one]))).rejects.toThrow(/a header follows a single zero block/)
  })
})

describe('paths no runtime can create', () => {
  it('a 1 MiB PAX path of half a million directories is refused at once (PATH_MAX), not laid out', async () => {
    const {packTar} = await import('../fs/helpers.js')
    const started = Date.now()
    const tar = await packTar([{name: 'short', content: 'x', pax: {path: `${'p/'.repeat(523_988)}f`}}])
    await expect(walkBuffer(tar)).rejects.toThrow(/the path of the entry at byte \d+ is 1047977 bytes, longer than a runtime can create \(PATH_MAX 4096\)/)
    expect(Date.now() - started).toBeLessThan(5000)
  })

  it('a path of 4095 bytes and 2047 directories is read, in linear time', async () => {
    const {packTar} = await import('../fs/helpers.js')
    const deep = `${'d/'.repeat(2047)}f`
    const started = Date.now()
    const {entries} = await walkBuffer(await packTar([{name: 'x', content: 'x', pax: {path: deep}}]))
    expect(entries.map((e) => e.path)).toEqual([`/${deep}`])
    expect(Date.now() - started).toBeLessThan(2000)
  })

  it('a symlink target of 4096 bytes or more is refused', async () => {
    const {packTar} = await import('../fs/helpers.js')
    const tar = await packTar([{name: 'l', type: 'symlink', linkname: 'x', pax: {linkpath: 't'.repeat(5000)}}])
    await expect(walkBuffer(tar)).rejects.toThrow(/the link target of the entry at byte \d+ is 5000 bytes/)
  })
})
