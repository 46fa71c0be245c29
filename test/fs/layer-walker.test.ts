import {createHash} from 'node:crypto'
import {mkdirSync, readFileSync, symlinkSync, linkSync, writeFileSync, chmodSync, utimesSync} from 'node:fs'
import {execFileSync} from 'node:child_process'
import {join} from 'node:path'
import {PassThrough, Readable} from 'node:stream'
import {describe, expect, it} from 'vitest'
import {LayerAuditError, DigestMismatchError} from '../../src/errors.js'
import type {ContentSink, LayerEntry} from '../../src/fs/entry.js'
import {walkLayerTar} from '../../src/fs/layer-walker.js'
import {REALDATA_MISSING} from '../helpers/realdata.js'
import {itUnless} from '../helpers/skip-reason.js'
import {chunked, gnuTar, layerInfo, packTar, realdata, tmpDir, walkBuffer} from './helpers.js'

const ZERO_BLOCKS = Buffer.alloc(1024)

/** Strip the zero blocks tar-stream's packer appends, to splice archives by hand. */
function body(tar: Buffer): Buffer {
  let end = tar.length
  while (end >= 512 && tar.subarray(end - 512, end).every((b) => b === 0)) end -= 512
  return tar.subarray(0, end)
}

async function rejection(p: Promise<unknown>): Promise<LayerAuditError> {
  try {
    await p
  } catch (error) {
    expect(error).toBeInstanceOf(LayerAuditError)
    return error as LayerAuditError
  }
  throw new Error('expected a rejection')
}

describe('walkLayerTar on GNU tar output', () => {
  const dir = tmpDir()
  mkdirSync(join(dir, 'opt/extensions'), {recursive: true})
  writeFileSync(join(dir, 'opt/extensions/ext'), '#!/bin/sh\necho hi\n')
  chmodSync(join(dir, 'opt/extensions/ext'), 0o4755)
  chmodSync(join(dir, 'opt'), 0o1777)
  writeFileSync(join(dir, 'opt/data'), 'x'.repeat(5000))
  linkSync(join(dir, 'opt/data'), join(dir, 'opt/data-link'))
  symlinkSync('../escape/../../etc/passwd', join(dir, 'opt/rel-link'))
  symlinkSync('/dev/stdout', join(dir, 'opt/abs-link'))
  execFileSync('mkfifo', [join(dir, 'opt/pipe')])
  const longDir = join('opt', 'd'.repeat(120), 'e'.repeat(120))
  mkdirSync(join(dir, longDir), {recursive: true})
  writeFileSync(join(dir, longDir, 'f'.repeat(150)), 'long')
  symlinkSync('t'.repeat(200), join(dir, 'opt/long-target'))
  utimesSync(join(dir, 'opt/data'), 1_600_000_000, 1_600_000_000)

  for (const format of ['gnu', 'posix', 'ustar']) {
    it(`reads every entry kind (--format=${format})`, async () => {
      const members = format === 'ustar' ? ['opt/extensions', 'opt/data', 'opt/data-link', 'opt/rel-link', 'opt/pipe'] : ['.']
      const tar = gnuTar(dir, members, [`--format=${format}`])
      const {entries, whiteouts} = await walkBuffer(tar, 0, 4096 + 17)
      expect(whiteouts).toEqual([])
      const by = new Map(entries.map((e) => [e.path, e]))
      expect(by.has('/')).toBe(false)
      expect(by.get('/opt/extensions/ext')).toMatchObject({type: 'file', mode: 0o4755, size: 18, uid: 0, gid: 0})
      // Whichever of the two names tar meets first holds the bytes; the other links to it.
      const [file, link] = ['/opt/data', '/opt/data-link'].map((p) => by.get(p)!).sort((a) => (a.type === 'file' ? -1 : 1))
      expect(file).toMatchObject({type: 'file', size: 5000, mtime: 1_600_000_000})
      expect(link).toMatchObject({type: 'hardlink', linkTarget: file.path, size: 0})
      expect(by.get('/opt/rel-link')).toMatchObject({type: 'symlink', linkTarget: '../escape/../../etc/passwd'})
      expect(by.get('/opt/pipe')).toMatchObject({type: 'fifo'})
      if (format !== 'ustar') {
        expect(by.get('/opt')).toMatchObject({type: 'directory', mode: 0o1777})
        expect(by.get('/opt/abs-link')).toMatchObject({type: 'symlink', linkTarget: '/dev/stdout'})
        expect(by.get('/opt/long-target')).toMatchObject({type: 'symlink', linkTarget: 't'.repeat(200)})
        expect(by.get('/' + longDir + '/' + 'f'.repeat(150))).toMatchObject({type: 'file', size: 4})
      }
    })
  }
})

describe('walkLayerTar headers', () => {
  it('char and block devices keep their numbers', async () => {
    const tar = await packTar([
      {name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3, mode: 0o666},
      {name: 'dev/sda', type: 'block-device', devmajor: 8, devminor: 0, mode: 0o660},
    ])
    const {entries} = await walkBuffer(tar)
    expect(entries).toEqual([
      expect.objectContaining({path: '/dev/null', type: 'char', devmajor: 1, devminor: 3, mode: 0o666}),
      expect.objectContaining({path: '/dev/sda', type: 'block', devmajor: 8, devminor: 0}),
    ])
  })

  it('pax headers: long path, xattrs, uid/gid/mtime beyond ustar', async () => {
    const tar = await packTar([
      {
        name: 'short',
        content: 'abc',
        pax: {
          path: 'very/' + 'long/'.repeat(60) + 'name',
          'SCHILY.xattr.security.capability': 'cap',
          'SCHILY.xattr.user.note': 'hello',
          uid: '3000000',
          gid: '3000001',
          mtime: '1700000000.123456',
        },
      },
    ])
    const {entries} = await walkBuffer(tar)
    expect(entries).toEqual([
      {
        path: '/very/' + 'long/'.repeat(60) + 'name',
        type: 'file',
        mode: 0o644,
        uid: 3000000,
        gid: 3000001,
        size: 3,
        mtime: 1700000000,
        layer: 0,
        xattrs: {'security.capability': 'cap', 'user.note': 'hello'},
      },
    ])
  })

  it('base-256 size fields (GNU large-file encoding) are decoded', async () => {
    const tar = Buffer.from(await packTar([{name: 'f', content: 'hello'}]))
    // Rewrite the 12-byte size field as base-256 and fix the checksum.
    tar.fill(0, 124, 136)
    tar[124] = 0x80
    tar[135] = 5
    fixChecksum(tar, 0)
    const {entries} = await walkBuffer(tar)
    expect(entries[0]).toMatchObject({path: '/f', size: 5})
  })

  it('a huge declared size with the data missing is a truncated tar', async () => {
    const tar = Buffer.from(body(await packTar([{name: 'big', content: 'x'}])))
    tar.fill(0, 124, 136)
    tar[124] = 0x80
    tar[130] = 0x02 // 2 * 2^40 bytes
    fixChecksum(tar, 0)
    const error = await rejection(walkBuffer(tar, 4))
    expect(error.code).toBe('CORRUPT')
    expect(error.message).toMatch(/layer 4.*truncated/)
  })

  it('cleans names and skips the root entry (".", "./", "")', async () => {
    const tar = await packTar([
      {name: '.', type: 'directory'},
      {name: './', type: 'directory'},
      {name: './usr//lib/', type: 'directory'},
      {name: '../../etc/passwd', content: 'x'},
      {name: 'usr/lib/../bin/sh', content: 'y'},
    ])
    const {entries} = await walkBuffer(tar)
    expect(entries.map((e) => e.path)).toEqual(['/usr/lib', '/etc/passwd', '/usr/bin/sh'])
  })

  it('hardlink targets are cleaned absolute, symlink targets verbatim', async () => {
    const tar = await packTar([
      {name: 'a', content: 'x'},
      {name: 'b', type: 'link', linkname: './a'},
      {name: 'c', type: 'symlink', linkname: '../../../a//'},
    ])
    const {entries} = await walkBuffer(tar)
    expect(entries[1]).toMatchObject({type: 'hardlink', linkTarget: '/a'})
    expect(entries[2]).toMatchObject({type: 'symlink', linkTarget: '../../../a//'})
  })

  it('whiteouts are records, not entries; duplicates are kept in tar order', async () => {
    const tar = await packTar([
      {name: 'a/.wh.b', content: ''},
      {name: 'a/.wh..wh..opq', content: ''},
      {name: '.wh..wh.plnk', type: 'directory'},
      {name: 'x', content: '1'},
      {name: 'x', content: '22'},
    ])
    const {entries, whiteouts} = await walkBuffer(tar)
    expect(whiteouts).toEqual([
      {kind: 'file', path: '/a/b'},
      {kind: 'opaque', path: '/a'},
    ])
    expect(entries.map((e) => [e.path, e.size])).toEqual([
      ['/x', 1],
      ['/x', 2],
    ])
  })

  it('a bare .wh. entry rejects with CORRUPT naming layer and path', async () => {
    const tar = await packTar([{name: 'etc/.wh.', content: ''}])
    const error = await rejection(walkLayerTar(chunked(tar), layerInfo(2), [], {input: 'img.tar'}))
    expect(error.code).toBe('CORRUPT')
    expect(error.line).toMatch(/^img\.tar: layer 2 .*\/etc\/\.wh\./)
  })

  it('an unknown entry type is UNSUPPORTED', async () => {
    const tar = Buffer.from(await packTar([{name: 'sparse', content: 'x'}]))
    tar[156] = 'S'.charCodeAt(0)
    fixChecksum(tar, 0)
    const error = await rejection(walkBuffer(tar))
    expect(error.code).toBe('UNSUPPORTED')
  })
})

describe('walkLayerTar end of archive', () => {
  it('stops at the end-of-archive marker but reads the source to its end', async () => {
    const first = body(await packTar([{name: 'kept', content: 'a'}]))
    const after = await packTar([{name: 'stargz.index.json', content: '{"version":1}'}])
    const tar = Buffer.concat([first, ZERO_BLOCKS, after])
    for (const chunk of [1, 100, 512, 513, 4096, 1 << 20]) {
      const source = chunked(tar, chunk)
      let seen = 0
      source.on('data', (c: Buffer) => (seen += c.length))
      const {entries} = await walkLayerTar(source, layerInfo())
      expect(entries.map((e) => e.path)).toEqual(['/kept'])
      expect(seen).toBe(tar.length)
    }
  })

  it('a single zero block ends the archive where the stream ends; followed by a header it is corrupt (Go archive/tar)', async () => {
    const first = body(await packTar([{name: 'kept', content: 'a'}]))
    const {entries} = await walkBuffer(Buffer.concat([first, Buffer.alloc(512)]), 0, 700)
    expect(entries.map((e) => e.path)).toEqual(['/kept'])
    const after = await packTar([{name: 'ignored', content: 'b'}])
    await expect(walkBuffer(Buffer.concat([first, Buffer.alloc(512), after]), 0, 700)).rejects.toThrow(
      /corrupt tar: a header follows a single zero block at byte 1536/,
    )
  })

  it('garbage after the marker is not judged', async () => {
    const first = await packTar([{name: 'kept', content: 'a'}])
    const garbage = Buffer.alloc(3000, 0x41)
    const {entries} = await walkBuffer(Buffer.concat([first, garbage]), 0, 1000)
    expect(entries.map((e) => e.path)).toEqual(['/kept'])
  })

  it('a tar without any end marker is accepted; an empty stream is an empty layer', async () => {
    expect((await walkBuffer(body(await packTar([{name: 'a', content: 'x'}])))).entries).toHaveLength(1)
    expect(await walkBuffer(Buffer.alloc(0))).toEqual({entries: [], whiteouts: []})
  })

  itUnless(REALDATA_MISSING, 'dive eStargz layer: README.md only, TOC excluded', async () => {
    const archive = readFileSync(join(realdata, 'dive/test-oci-estargz-image.tar'))
    const {gunzipSync} = await import('node:zlib')
    // The one gzip blob in the archive is the layer.
    const start = archive.indexOf(Buffer.from([0x1f, 0x8b, 0x08]))
    const tar = gunzipSync(archive.subarray(start, start + 4496))
    expect(tar.includes(Buffer.from('stargz.index.json'))).toBe(true)
    const {entries} = await walkBuffer(tar)
    expect(entries.map((e) => [e.path, e.size])).toEqual([['/README.md', 11189]])
  })
})

describe('walkLayerTar errors', () => {
  it('a truncated tar is CORRUPT naming the layer', async () => {
    const tar = await packTar([{name: 'a', content: 'x'.repeat(3000)}, {name: 'b', content: 'y'}])
    for (const cut of [100, 512, 1500, 3584 + 200]) {
      const error = await rejection(walkBuffer(tar.subarray(0, cut), 7))
      expect(error.code).toBe('CORRUPT')
      expect(error.message).toMatch(/^layer 7 /)
    }
  })

  it('a broken header checksum is CORRUPT', async () => {
    const tar = Buffer.from(await packTar([{name: 'a', content: 'x'}, {name: 'b', content: 'y'}]))
    tar[1024 + 10] ^= 0xff
    const error = await rejection(walkBuffer(tar))
    expect(error.code).toBe('CORRUPT')
    expect(error.message).toMatch(/corrupt tar/)
  })

  it("the source's typed error passes through unchanged", async () => {
    const tar = await packTar([{name: 'a', content: 'x'}])
    const source = new PassThrough()
    const walking = walkLayerTar(source, layerInfo())
    source.write(tar.subarray(0, 700))
    const mismatch = new DigestMismatchError('layer 0 diff_id', 'sha256:a', 'sha256:b', {input: 'x.tar'})
    source.destroy(mismatch)
    await expect(walking).rejects.toBe(mismatch)
  })

  it('a source closed before its end rejects instead of hanging', async () => {
    const source = new PassThrough()
    const walking = walkLayerTar(source, layerInfo())
    source.write(Buffer.alloc(100, 1))
    source.destroy()
    const error = await rejection(walking)
    expect(error.code).toBe('CORRUPT')
  })
})

describe('walkLayerTar content hooks', () => {
  it('regular files stream to the sinks a hook returns, others are skipped', async () => {
    const big = Buffer.alloc(3 << 20, 7)
    const tar = await packTar([
      {name: 'opt/a', content: 'alpha'},
      {name: 'opt/big', content: big},
      {name: 'opt/link', type: 'symlink', linkname: 'a'},
      {name: 'etc/b', content: 'beta'},
    ])
    const hashes = new Map<string, string>()
    const calls: string[] = []
    const hook = (entry: LayerEntry): ContentSink | undefined => {
      calls.push(entry.path)
      if (!entry.path.startsWith('/opt/')) return undefined
      const hash = createHash('sha256')
      return {write: (c) => hash.update(c), end: () => hashes.set(entry.path, hash.digest('hex'))}
    }
    await walkLayerTar(chunked(tar, 65536), layerInfo(), [hook])
    expect(calls).toEqual(['/opt/a', '/opt/big', '/etc/b'])
    expect(hashes.get('/opt/a')).toBe(createHash('sha256').update('alpha').digest('hex'))
    expect(hashes.get('/opt/big')).toBe(createHash('sha256').update(big).digest('hex'))
  })

  it('a throwing sink rejects the walk', async () => {
    const tar = await packTar([{name: 'a', content: 'x'}])
    const hook = () => ({
      write() {
        throw new Error('sink broke')
      },
      end() {},
    })
    await expect(walkLayerTar(Readable.from([tar]), layerInfo(), [hook])).rejects.toThrow(/sink broke/)
  })
})

function fixChecksum(buf: Buffer, offset: number): void {
  buf.fill(0x20, offset + 148, offset + 156)
  let sum = 0
  for (let i = 0; i < 512; i++) sum += buf[offset + i]
  buf.write(sum.toString(8).padStart(6, '0') + '\0 ', offset + 148, 'latin1')
}
