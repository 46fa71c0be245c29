import {createHash} from 'node:crypto'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'
import {buildFunctionLayout, LAMBDA_MADE, type FunctionLayout} from '../../src/lambda/layout.js'
import {REALDATA_MISSING, realdata} from '../helpers/realdata.js'
import {describeUnless} from '../helpers/skip-reason.js'
import {cleanup, infoZip, pythonZip, tempDir, unzipInOrder, sha256File, type Seen} from './zips.js'

let dir: string
beforeAll(() => {
  dir = tempDir()
})
afterAll(() => cleanup(dir))

/** What the layout holds under a mount, in the shape lstat gives after unzip. */
function layoutView(layout: FunctionLayout, mount: string): Map<string, Seen> {
  const seen = new Map<string, Seen>()
  for (const node of layout.tree.walk(mount)) {
    if (node.path === mount) continue
    // lstat reports a symlink's size as its target's length; the tree, like image trees, keeps 0.
    const size = node.type === 'symlink' ? Buffer.byteLength(node.linkTarget ?? '') : node.size
    const s: Seen = {type: node.type as Seen['type'], mode: node.mode, size}
    if (node.linkTarget !== undefined) s.linkTarget = node.linkTarget
    seen.set(node.path, s)
  }
  return seen
}

async function sha256Of(layout: FunctionLayout, path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of await layout.openFile(path)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

describe('layers in order', () => {
  let a: string, b: string, c: string, code: string
  beforeAll(() => {
    a = infoZip(join(dir, 'a.zip'), {
      'bin/tool': {content: '#!/bin/sh\necho v1\n', mode: 0o755},
      'lib/liba.so': 'A-lib',
      'lib/libz.so': {link: 'liba.so'},
      'python/shared.py': 'version = 1\n',
    }, ['-y'])
    b = infoZip(join(dir, 'b.zip'), {
      'bin/tool': {content: '#!/bin/sh\necho version two\n', mode: 0o700},
      'python/shared.py': 'version = 2 # longer\n',
      'extensions/ext': {content: '#!/bin/sh\n', mode: 0o755},
    }, ['-y', '-X'])
    // Another writer, no directory entries: parents are implied.
    c = pythonZip(join(dir, 'c.zip'), `with zipfile.ZipFile(Z, 'w', zipfile.ZIP_DEFLATED) as z:
    i = zipfile.ZipInfo('python/pkg/mod.py', (2024, 1, 1, 0, 0, 0)); i.create_system = 3; i.external_attr = 0o100644 << 16; z.writestr(i, 'x = 1\\n')
    i = zipfile.ZipInfo('lib/libz.so', (2024, 1, 1, 0, 0, 0)); i.create_system = 3; i.external_attr = 0o100755 << 16; z.writestr(i, 'real file now')`)
    code = infoZip(join(dir, 'code.zip'), {'app.py': 'def handler(e, c): return 1\n', 'lib/helper.py': 'x\n'})
  })

  test('equals what unzip produces extracting the same zips in order (type, mode, size, link target)', async () => {
    for (const order of [[a, b, c], [c, b, a]]) {
      const layout = await buildFunctionLayout({layers: order.map((path) => ({path}))})
      expect(layoutView(layout, '/opt')).toEqual(unzipInOrder(order, '/opt'))
      await layout.close()
    }
  })

  test('later zips overwrite earlier ones: layer index, source, hides, shadowed files', async () => {
    const layout = await buildFunctionLayout({layers: [{path: a, name: 'a.zip'}, {path: b, name: 'b.zip'}, {path: c, name: 'c.zip'}], code: {path: code}})
    const tool = layout.tree.get('/opt/bin/tool')!
    expect(tool).toMatchObject({layer: 1, source: 'b.zip', mode: 0o700, size: 27})
    expect(layout.tree.hidden('/opt/bin/tool')).toEqual([0])
    expect(typeof tool.crc32).toBe('number')
    expect(layout.tree.get('/opt/lib/libz.so')).toMatchObject({type: 'file', layer: 2, source: 'c.zip'})
    expect(layout.tree.hidden('/opt/lib/libz.so')).toEqual([0])
    expect(layout.tree.get('/opt/lib/liba.so')).toMatchObject({layer: 0})
    expect(layout.tree.hidden('/opt/lib/liba.so')).toEqual([])
    expect(layout.shadowed).toEqual([
      {path: '/opt/bin/tool', by: 1, bySource: 'b.zip', over: [0], overSources: ['a.zip']},
      {path: '/opt/python/shared.py', by: 1, bySource: 'b.zip', over: [0], overSources: ['a.zip']},
      {path: '/opt/lib/libz.so', by: 2, bySource: 'c.zip', over: [0], overSources: ['a.zip']},
    ])
    // The code zip is index layers.length, unpacked into /var/task.
    expect(layout.tree.get('/var/task/app.py')).toMatchObject({layer: 3, source: code})
    expect(layout.tree.get('/var/task')).toMatchObject({type: 'directory', layer: LAMBDA_MADE})
    expect(layout.tree.get('/opt')).toMatchObject({type: 'directory', layer: LAMBDA_MADE})
    // Implied parents of c.zip's entries.
    expect(layout.tree.get('/opt/python/pkg')).toMatchObject({type: 'directory', mode: 0o755, layer: 2})
    expect(layout.zips.map((z) => [z.index, z.role, z.mount, z.entries])).toEqual([
      [0, 'layer', '/opt', 7],
      [1, 'layer', '/opt', 6],
      [2, 'layer', '/opt', 2],
      [3, 'code', '/var/task', 3],
    ])
    expect(layout.limits).toMatchObject({layers: 3, maxLayers: 5, maxUnzippedSize: 262_144_000, tooManyLayers: false, tooLarge: false})
    expect(layout.limits.unzippedSize).toBe(layout.zips.reduce((s, z) => s + z.uncompressedSize, 0))
    // Content on demand, from the zip that won.
    expect(await sha256Of(layout, '/opt/bin/tool')).toBe(createHash('sha256').update('#!/bin/sh\necho version two\n').digest('hex'))
    expect(layout.entryAt('/opt/bin/tool')?.index).toBe(1)
    await expect(layout.openFile('/opt/lib')).rejects.toThrow(/no regular file/)
    await layout.close()
  })

  test('limits: more than 5 layers', async () => {
    const layout = await buildFunctionLayout({layers: Array.from({length: 6}, () => ({path: a}))})
    expect(layout.limits).toMatchObject({layers: 6, tooManyLayers: true})
    await layout.close()
  })

  test('zips are opened together, but the first bad one in layer order is the error', async () => {
    const notZip = join(dir, 'not-a.zip')
    writeFileSync(notZip, 'plain text')
    const missing = join(dir, 'missing.zip')
    const error = await buildFunctionLayout({layers: [{path: a}, {path: missing}, {path: notZip}]}).then(
      () => undefined,
      (e: unknown) => e as Error & {code?: string},
    )
    expect(error).toMatchObject({code: 'NOT_FOUND'})
    expect((error as {input?: string}).input).toContain('missing.zip')
    const reversed = await buildFunctionLayout({layers: [{path: a}, {path: notZip}, {path: missing}]}).catch((e: unknown) => e as {code?: string})
    expect(reversed).toMatchObject({code: 'UNKNOWN_FORMAT'})
  })

  test('a zip without Unix attributes: flagged entries, mode equals unzip', async () => {
    const win = pythonZip(join(dir, 'win.zip'), `with zipfile.ZipFile(Z, 'w', zipfile.ZIP_DEFLATED) as z:
    for name, attr in [('extensions/', 0x10), ('extensions/my-ext', 0x20), ('ro.txt', 0x21)]:
        i = zipfile.ZipInfo(name, (2023, 1, 2, 3, 4, 6)); i.create_system = 0; i.external_attr = attr
        z.writestr(i, '' if name.endswith('/') else '#!/bin/sh\\n')`)
    const layout = await buildFunctionLayout({layers: [{path: win, name: 'win.zip'}]})
    expect(layoutView(layout, '/opt')).toEqual(unzipInOrder([win], '/opt'))
    expect(layout.tree.get('/opt/extensions/my-ext')?.mode).toBe(0o644)
    expect(layout.flagged.map((f) => [f.entry.path, f.entry.noUnixMode])).toEqual([
      ['/opt/extensions', true],
      ['/opt/extensions/my-ext', true],
      ['/opt/ro.txt', true],
    ])
    expect(layout.entryAt('/opt/extensions/my-ext')?.entry.noUnixMode).toBe(true)
    await layout.close()
  })

  test('unsafe names stay out of the tree and are noted', async () => {
    const evil = pythonZip(join(dir, 'evil.zip'), `with zipfile.ZipFile(Z, 'w') as z:\n    z.writestr('../escape', 'x')\n    z.writestr('ok', 'x')`)
    const layout = await buildFunctionLayout({layers: [{path: evil, name: 'evil.zip'}]})
    expect(layout.tree.entries('/opt').map((n) => n.path)).toEqual(['/opt', '/opt/ok'])
    expect(layout.flagged[0].entry.problems).toEqual(['unsafe-path'])
    expect(layout.notes).toEqual([{index: 0, source: 'evil.zip', name: '../escape', message: 'absolute or ".." entry name: not placed in the layout'}])
    await layout.close()
  })
})

describeUnless(REALDATA_MISSING, 'real layer zips', () => {
  const ext = realdata('lambda', 'garysassano-otlp-stdout-kinesis-extension-layer.zip')
  const lumigo = realdata('lambda', 'lumigo-node-tracer-layer.zip')
  const xevolab = realdata('lambda', 'xevolab-libfontconfig-layer.zip')

  test('the three layers in order: known paths, modes, sizes, and equal to unzip', async () => {
    const layout = await buildFunctionLayout({
      layers: [
        {path: ext, name: 'arn:aws:lambda:eu-west-1:123456789012:layer:otlp:1', compatibleArchitectures: ['arm64']},
        {path: lumigo, name: 'lumigo-node-tracer-layer.zip'},
        {path: xevolab, name: 'xevolab-libfontconfig-layer.zip'},
      ],
    })
    expect(layout.tree.get('/opt/extensions/otlp-stdout-kinesis-extension-layer')).toMatchObject({
      type: 'file',
      mode: 0o755,
      size: 8_380_912,
      layer: 0,
      source: 'arn:aws:lambda:eu-west-1:123456789012:layer:otlp:1',
    })
    expect(layout.tree.get('/opt/lumigo_wrapper')).toMatchObject({type: 'file', mode: 0o755, layer: 1})
    expect(layout.tree.get('/opt/nodejs/node_modules/@lumigo/tracer/dist/lumigo.js')).toMatchObject({size: 348_313})
    expect(layout.tree.get('/opt/package/lib/libfontconfig.so.1.9.4')).toMatchObject({type: 'file', size: 1_000_920, layer: 2})
    expect(layout.tree.has('/opt/lib/libfontconfig.so')).toBe(false) // the packaging bug: not on LD_LIBRARY_PATH
    expect(layout.zips[0]).toMatchObject({size: 3_419_500, uncompressedSize: 8_380_912, entries: 2, compatibleArchitectures: ['arm64']})
    expect(layout.zips[1]).toMatchObject({size: 86_944, entries: 15, uncompressedSize: 373_676})
    expect(layout.shadowed).toEqual([])
    expect(layoutView(layout, '/opt')).toEqual(unzipInOrder([ext, lumigo, xevolab], '/opt'))
    // The three .so files are identical copies (symlinks flattened by zip).
    const hashes = await Promise.all(['libfontconfig.so', 'libfontconfig.so.1', 'libfontconfig.so.1.9.4'].map((n) => sha256Of(layout, `/opt/package/lib/${n}`)))
    expect(new Set(hashes).size).toBe(1)
    expect(hashes[0]).toMatch(/^60654df0/)
    await layout.close()
  })

  test('hashing the arm64 extension on demand matches the unzipped bytes', async () => {
    const layout = await buildFunctionLayout({layers: [{path: ext}]})
    const out = tempDir('la-ext-')
    try {
      const {execFileSync} = await import('node:child_process')
      execFileSync('unzip', ['-q', ext, '-d', out])
      expect(await sha256Of(layout, '/opt/extensions/otlp-stdout-kinesis-extension-layer')).toBe(
        sha256File(join(out, 'extensions/otlp-stdout-kinesis-extension-layer')),
      )
    } finally {
      cleanup(out)
      await layout.close()
    }
  })
})
