import {execFileSync} from 'node:child_process'
import {appendFileSync, readFileSync, truncateSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {crc32} from 'node:zlib'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {ZipError} from '../../src/errors.js'
import {openZip, type ZipArchive, type ZipEntry} from '../../src/lambda/zip-reader.js'
import {cleanup, infoZip, patchCentralDirectory, pythonZip, tempDir, unzipInOrder} from './zips.js'

let dir: string
beforeAll(() => {
  dir = tempDir()
})
afterAll(() => cleanup(dir))

const tree = {
  'a.txt': 'hello\n',
  'link': {link: 'a.txt'},
  'bin/run': {content: '#!/bin/sh\necho run\n', mode: 0o755},
  'private': {content: 'secret', mode: 0o600},
}

async function read(archive: ZipArchive, entry: ZipEntry): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of await archive.openEntry(entry)) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

async function withZip<T>(file: string, fn: (z: ZipArchive) => Promise<T>, root = '/opt'): Promise<T> {
  const z = await openZip(file, {root})
  try {
    return await fn(z)
  } finally {
    await z.close()
  }
}

const byPath = (z: ZipArchive) => new Map(z.entries.map((e) => [e.path, e]))

describe('Info-ZIP zip', () => {
  test('-y keeps symlinks as symlinks with their target; modes from Unix attributes', async () => {
    const file = infoZip(join(dir, 'y.zip'), tree, ['-y'])
    await withZip(file, async (z) => {
      const e = byPath(z)
      expect(e.get('/opt/link')).toMatchObject({type: 'symlink', linkTarget: 'a.txt', size: 5})
      expect(e.get('/opt/bin/run')).toMatchObject({type: 'file', mode: 0o755, size: 19})
      expect(e.get('/opt/bin')).toMatchObject({type: 'directory'})
      expect(e.get('/opt/private')?.mode).toBe(0o600)
      expect(e.get('/opt/a.txt')?.noUnixMode).toBeUndefined()
      expect((await read(z, e.get('/opt/a.txt')!)).toString()).toBe('hello\n')
      expect(z.notes).toEqual([])
    })
  })

  test('without -y a symlink is stored as a copy of its target', async () => {
    const file = infoZip(join(dir, 'n.zip'), tree)
    await withZip(file, async (z) => {
      expect(byPath(z).get('/opt/link')).toMatchObject({type: 'file', size: 6})
    })
  })

  test('-X (no extra fields): mtime from the DOS time, as unzip reads it', async () => {
    const file = infoZip(join(dir, 'x.zip'), tree, ['-X'])
    await withZip(file, async (z) => {
      const a = byPath(z).get('/opt/a.txt')!
      expect(Math.abs(a.mtime - Date.now() / 1000)).toBeLessThan(120)
      expect(a.mode).toBe(0o644)
    })
  })

  test('data descriptors (zip streamed to a pipe) and CRC-32 checked while reading', async () => {
    const src = tempDir('la-dd-')
    const file = join(dir, 'dd.zip')
    try {
      execFileSync('sh', ['-c', `printf 'streamed content\\n' > f && zip -q -r - . | cat > "${file}"`], {cwd: src})
    } finally {
      cleanup(src)
    }
    expect(execFileSync('zipinfo', ['-v', file]).toString()).toMatch(/extended local header:\s+yes/)
    await withZip(file, async (z) => {
      const f = byPath(z).get('/opt/f')!
      expect((await read(z, f)).toString()).toBe('streamed content\n')
      expect(f.crc32).toBe(crc32('streamed content\n'))
    })
  })

  test('encrypted entries (zip -P) are flagged; their content cannot be opened', async () => {
    const file = infoZip(join(dir, 'enc.zip'), {'x.txt': 'x'}, ['-P', 'pw'])
    await withZip(file, async (z) => {
      const x = byPath(z).get('/opt/x.txt')!
      expect(x.problems).toContain('encrypted')
      await expect(z.openEntry(x)).rejects.toThrow(/encrypted/)
    })
  })
})

describe('other writers', () => {
  test("Python's zipfile with Unix attributes", async () => {
    const file = pythonZip(
      join(dir, 'py.zip'),
      `with zipfile.ZipFile(Z, 'w', zipfile.ZIP_DEFLATED) as z:
    i = zipfile.ZipInfo('python/lib/mod.py', (2024, 5, 6, 7, 8, 10)); i.create_system = 3; i.external_attr = 0o100644 << 16; z.writestr(i, 'x = 1\\n' * 100)
    i = zipfile.ZipInfo('bin/tool', (2024, 5, 6, 7, 8, 10)); i.create_system = 3; i.external_attr = 0o100755 << 16; z.writestr(i, '#!/bin/sh\\n')`,
    )
    await withZip(file, async (z) => {
      const e = byPath(z)
      expect(e.get('/opt/bin/tool')).toMatchObject({type: 'file', mode: 0o755})
      expect(e.get('/opt/python/lib/mod.py')).toMatchObject({mode: 0o644, size: 600})
      expect(e.has('/opt/python')).toBe(false) // implied parents are the layout's job
      expect((await read(z, e.get('/opt/python/lib/mod.py')!)).length).toBe(600)
    })
  })

  test('no Unix attributes (made on Windows): readable, never executable, marked noUnixMode; backslashes are separators', async () => {
    const file = pythonZip(
      join(dir, 'win.zip'),
      `with zipfile.ZipFile(Z, 'w', zipfile.ZIP_DEFLATED) as z:
    for name, attr in [('extensions\\\\my-ext', 0x20), ('readonly.txt', 0x21), ('data/', 0x10)]:
        i = zipfile.ZipInfo(name, (2023, 1, 2, 3, 4, 6)); i.create_system = 0; i.external_attr = attr
        z.writestr(i, '' if name.endswith('/') else '#!/bin/sh\\n')`,
    )
    await withZip(file, async (z) => {
      const e = byPath(z)
      expect(e.get('/opt/extensions/my-ext')).toMatchObject({type: 'file', mode: 0o644, noUnixMode: true})
      expect(e.get('/opt/readonly.txt')).toMatchObject({mode: 0o444, noUnixMode: true})
      expect(e.get('/opt/data')).toMatchObject({type: 'directory', mode: 0o755, noUnixMode: true})
      expect(z.notes.map((n) => n.message).join('\n')).toMatch(/backslashes/)
    })
  })

  test('an entry prints every field as JSON, its stored name kept only where the path does not give it back', async () => {
    // Python's zipfile computes each CRC-32; one of these is over 2^31 (0xeb…), held as a signed integer.
    const file = pythonZip(
      join(dir, 'fields.zip'),
      `with zipfile.ZipFile(Z, 'w', zipfile.ZIP_DEFLATED) as z:
    i = zipfile.ZipInfo('bin/tool', (2024, 5, 6, 7, 8, 10)); i.create_system = 3; i.external_attr = 0o100755 << 16; i.compress_type = zipfile.ZIP_DEFLATED; z.writestr(i, 'x')
    i = zipfile.ZipInfo('lib', (2024, 5, 6, 7, 8, 10)); i.create_system = 3; i.external_attr = 0o040755 << 16; z.writestr(i, '')
    i = zipfile.ZipInfo('./odd//name.txt', (2024, 5, 6, 7, 8, 10)); i.create_system = 3; i.external_attr = 0o100600 << 16; z.writestr(i, 'odd')`,
    )
    await withZip(file, async (z) => {
      const e = byPath(z)
      const tool = e.get('/opt/bin/tool')!
      expect(tool.crc32).toBe(crc32('x'))
      expect(tool.crc32).toBeGreaterThan(2 ** 31)
      expect(JSON.parse(JSON.stringify(tool))).toEqual({
        index: 0,
        name: 'bin/tool',
        path: '/opt/bin/tool',
        type: 'file',
        mode: 0o755,
        size: 1,
        compressedSize: tool.compressedSize,
        crc32: crc32('x'),
        mtime: tool.mtime,
        compressionMethod: 8,
        uid: 0,
        gid: 0,
        layer: 0,
        source: 'fields.zip',
      })
      // A directory stored without its "/" and a name that cleaning changes keep their stored names.
      expect(e.get('/opt/lib')).toMatchObject({type: 'directory', name: 'lib', mode: 0o755})
      expect(e.get('/opt/odd/name.txt')).toMatchObject({name: './odd//name.txt', mode: 0o600, size: 3})
      expect((await read(z, e.get('/opt/odd/name.txt')!)).toString()).toBe('odd')
    })
  })

  test('duplicate names: the last entry wins, noted', async () => {
    const file = pythonZip(
      join(dir, 'dup.zip'),
      `import warnings
warnings.simplefilter('ignore')
with zipfile.ZipFile(Z, 'w') as z:
    z.writestr('same.txt', 'first')
    z.writestr('other.txt', 'o')
    z.writestr('same.txt', 'second!')`,
    )
    await withZip(file, async (z) => {
      const same = z.entries.filter((e) => e.path === '/opt/same.txt')
      expect(same).toHaveLength(1)
      expect(same[0].size).toBe(7)
      expect((await read(z, same[0])).toString()).toBe('second!')
      expect(z.notes.some((n) => /duplicate entry for \/opt\/same.txt/.test(n.message))).toBe(true)
    })
  })

  test('".." and absolute names are flagged and get no path', async () => {
    const file = pythonZip(
      join(dir, 'evil.zip'),
      `with zipfile.ZipFile(Z, 'w') as z:
    z.writestr('../../etc/evil', 'x')
    z.writestr('/abs/evil', 'x')
    z.writestr('ok/../../up', 'x')
    z.writestr('fine.txt', 'x')`,
    )
    await withZip(file, async (z) => {
      const unsafe = z.entries.filter((e) => e.problems?.includes('unsafe-path'))
      expect(unsafe.map((e) => e.name).sort()).toEqual(['../../etc/evil', '/abs/evil', 'ok/../../up'])
      expect(unsafe.every((e) => e.path === '')).toBe(true)
      expect(z.entries.filter((e) => !e.problems).map((e) => e.path)).toEqual(['/opt/fine.txt'])
    })
  })

  test('zip64: more than 65,535 entries (zip64 end of central directory)', async () => {
    const file = pythonZip(
      join(dir, 'z64.zip'),
      `with zipfile.ZipFile(Z, 'w', allowZip64=True) as z:
    for i in range(65600):
        z.writestr('d/%05d' % i, b'')`,
    )
    await withZip(file, async (z) => {
      expect(z.entries.length).toBe(65600)
      expect(z.entries[65599].path).toBe('/opt/d/65599')
    })
  })

  test('zip64 extra fields (zip -fz)', async () => {
    const file = infoZip(join(dir, 'fz.zip'), {'f.txt': 'zip64 content'}, ['-fz'])
    await withZip(file, async (z) => {
      expect((await read(z, byPath(z).get('/opt/f.txt')!)).toString()).toBe('zip64 content')
    })
  })
})

describe('names, times and the end records', () => {
  test('Info-ZIP on Linux stores a UTF-8 name unflagged: read as UTF-8, as unzip writes it back', async () => {
    const file = infoZip(join(dir, 'utf8-unflagged.zip'), {'café.txt': 'x', 'naïve/日本.txt': 'y'})
    const unzipped = unzipInOrder([file], '/opt')
    await withZip(file, async (z) => {
      expect(z.entries.map((e) => e.path).sort()).toEqual(['/opt/café.txt', '/opt/naïve', '/opt/naïve/日本.txt'])
      for (const e of z.entries) expect(unzipped.has(e.path)).toBe(true)
      expect(z.notes).toEqual([])
    })
  })

  test('an unflagged name that is not UTF-8 is decoded as CP437 (noted); a flagged one as UTF-8', async () => {
    const file = pythonZip(
      join(dir, 'cp437.zip'),
      `with zipfile.ZipFile(Z, 'w') as z:
    z.writestr('cafX.txt', 'x')
    z.writestr('日本.txt', 'y')`,
    )
    // Python writes non-ASCII names as flagged UTF-8; an older DOS-era writer's CP437 "é" is byte 0x82.
    const bytes = readFileSync(file)
    for (let at = bytes.indexOf('cafX'); at >= 0; at = bytes.indexOf('cafX', at + 1)) bytes[at + 3] = 0x82
    writeFileSync(file, bytes)
    await withZip(file, async (z) => {
      expect(z.entries.map((e) => e.path)).toEqual(['/opt/café.txt', '/opt/日本.txt'])
      expect(z.notes).toEqual([{name: 'café.txt', message: 'entry name is not flagged UTF-8; decoded as CP437'}])
    })
  })

  test("Info-ZIP's Unicode Path field wins when its CRC matches the stored name, and only then", async () => {
    const file = pythonZip(
      join(dir, 'unicode-field.zip'),
      `import struct, zlib
def up(stored, name, crc=None):
    data = struct.pack('<BI', 1, zlib.crc32(stored) if crc is None else crc) + name.encode()
    return struct.pack('<HH', 0x7075, len(data)) + data
with zipfile.ZipFile(Z, 'w') as z:
    i = zipfile.ZipInfo('caf_.txt'); i.extra = up(b'caf_.txt', 'café.txt'); z.writestr(i, 'x')
    i = zipfile.ZipInfo('stale.txt'); i.extra = up(b'stale.txt', 'renamed.txt', crc=1); z.writestr(i, 'y')`,
    )
    await withZip(file, async (z) => {
      expect(z.entries.map((e) => e.path)).toEqual(['/opt/café.txt', '/opt/stale.txt'])
    })
  })

  test('modification time from an NTFS extra field', async () => {
    const file = pythonZip(
      join(dir, 'ntfs.zip'),
      `import struct
t = (1700000000 + 11644473600) * 10000000
data = struct.pack('<IHHQQQ', 0, 1, 24, t, t, t)
with zipfile.ZipFile(Z, 'w') as z:
    i = zipfile.ZipInfo('f.txt', (1999, 1, 1, 0, 0, 0)); i.extra = struct.pack('<HH', 10, len(data)) + data; z.writestr(i, 'x')`,
    )
    await withZip(file, async (z) => expect(z.entries[0].mtime).toBe(1700000000))
  })

  test('an archive comment is read past; bytes after the end record are CORRUPT', async () => {
    const file = pythonZip(join(dir, 'comment.zip'), `with zipfile.ZipFile(Z, 'w') as z:\n    z.writestr('a.txt', 'a')\n    z.comment = b'PK made by a test'`)
    await withZip(file, async (z) => expect(z.entries.map((e) => e.path)).toEqual(['/opt/a.txt']))
    appendFileSync(file, 'trailing bytes')
    const err = await openZip(file).catch((e: unknown) => e)
    expect(err).toMatchObject({code: 'CORRUPT'})
    expect((err as ZipError).line).toMatch(/^comment.zip: unreadable zip: end of central directory: comment length 17, but 31 bytes follow/)
  })

  test('the directory read is the size its end record declares: too small is CORRUPT, over 256 MiB TOO_LARGE (not read)', async () => {
    const file = pythonZip(join(dir, 'cd-size.zip'), `with zipfile.ZipFile(Z, 'w') as z:\n    z.writestr('a.txt', 'a')\n    z.writestr('b.txt', 'b')`)
    const bytes = readFileSync(file)
    const eocd = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]))
    bytes.writeUInt32LE(bytes.readUInt32LE(eocd + 12) - 10, eocd + 12)
    writeFileSync(file, bytes)
    await expect(openZip(file)).rejects.toThrow(/unreadable central directory: central directory ends after 1 of 2 entries/)

    // A sparse 300 MiB file whose end record claims a directory from offset 0 over all of it.
    const big = join(dir, 'huge-cd.zip')
    const end = Buffer.alloc(22)
    end.writeUInt32LE(0x06054b50, 0)
    end.writeUInt16LE(1, 8)
    end.writeUInt16LE(1, 10)
    end.writeUInt32LE(300 * 1024 * 1024, 12)
    end.writeUInt32LE(0, 16)
    writeFileSync(big, '')
    truncateSync(big, 300 * 1024 * 1024)
    appendFileSync(big, end)
    const err = await openZip(big).catch((e: unknown) => e)
    expect(err).toMatchObject({code: 'TOO_LARGE'})
    expect((err as ZipError).line).toMatch(/^huge-cd.zip: central directory of 314572800 bytes, over the cap of 268435456$/)
  })

  test('an end record counting more entries than its directory holds is CORRUPT', async () => {
    const file = pythonZip(join(dir, 'short-cd.zip'), `with zipfile.ZipFile(Z, 'w') as z:\n    z.writestr('a.txt', 'a')\n    z.writestr('b.txt', 'b')`)
    const bytes = readFileSync(file)
    const eocd = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]))
    bytes.writeUInt16LE(3, eocd + 8)
    bytes.writeUInt16LE(3, eocd + 10)
    writeFileSync(file, bytes)
    await expect(openZip(file)).rejects.toThrow(/unreadable central directory: central directory ends after 2 of 3 entries/)
  })
})

describe('bombs and corruption', () => {
  const zeros = (name: string) =>
    pythonZip(join(dir, name), `with zipfile.ZipFile(Z, 'w', zipfile.ZIP_DEFLATED) as z:\n    z.writestr('zeros', b'\\0' * (4 * 1024 * 1024))\n    z.writestr('small', b'abc')`)

  test('ratio cap', async () => {
    const file = zeros('ratio.zip')
    await expect(openZip(file, {limits: {maxRatio: 100}})).rejects.toThrow(/ratio over 100/)
    await withZip(file, async (z) => expect(z.entries).toHaveLength(2)) // deflate's own ~1030:1 passes the default
  })

  test('total size cap', async () => {
    const err = await openZip(zeros('total.zip'), {limits: {maxTotalSize: 1024}}).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ZipError)
    expect((err as ZipError).code).toBe('TOO_LARGE')
    expect((err as ZipError).line).toMatch(/^total.zip: entries declare 4194307 bytes/)
  })

  test('real size over the declared size stops the stream', async () => {
    const file = zeros('lie.zip')
    patchCentralDirectory(file, 24, 1000) // uncompressed size of "zeros"
    await withZip(file, async (z) => {
      const e = z.entries.find((x) => x.name === 'zeros')!
      await expect(read(z, e)).rejects.toThrow(/inflates past its declared size of 1000 bytes/)
    })
  })

  test('CRC-32 mismatch', async () => {
    const file = zeros('crc.zip')
    patchCentralDirectory(file, 16, 0x12345678, 1) // CRC of "small"
    await withZip(file, async (z) => {
      const e = z.entries.find((x) => x.name === 'small')!
      await expect(read(z, e)).rejects.toThrow(/CRC-32 mismatch, expected 12345678/)
    })
  })

  test('overlapping entries (the overlapped-files bomb)', async () => {
    const file = zeros('overlap.zip')
    patchCentralDirectory(file, 42, 0, 1) // "small" now points at "zeros"'s local header
    await expect(openZip(file)).rejects.toThrow(/entries overlap/)
  })

  test('an entry whose local header is past the end of the file is a damaged zip, not a bomb', async () => {
    const file = zeros('past-end.zip')
    patchCentralDirectory(file, 42, 0x7fff_0000, 1) // "small"'s local header offset, far past the end
    const error = await openZip(file).then(() => undefined, (e: Error) => e)
    expect(error?.message).toMatch(/entry at offset 2147418112 runs past the end of the \d+-byte file \(truncated or damaged zip\)/)
    expect(error?.message).not.toMatch(/bomb/)
  })

  test('not a zip', async () => {
    const file = join(dir, 'not.zip')
    execFileSync('sh', ['-c', `echo hello > "${file}"`])
    const err = await openZip(file).catch((e: unknown) => e)
    expect((err as ZipError).code).toBe('UNKNOWN_FORMAT')
    expect((err as ZipError).line).toBe('not.zip: not a zip file')
    await expect(openZip(join(dir, 'missing.zip'))).rejects.toThrow(/cannot read zip: ENOENT/)
  })
})
