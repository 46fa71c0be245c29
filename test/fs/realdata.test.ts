import {createHash} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {expect, it} from 'vitest'
import {computeEfficiency, layerTreeItems, type LayerTreeItem} from '../../src/fs/efficiency.js'
import type {ContentSink, LayerContents, LayerEntry} from '../../src/fs/entry.js'
import {flatten} from '../../src/fs/flatten.js'
import {readLayers} from '../../src/fs/read-layers.js'
import type {LayerInfo} from '../../src/image/model.js'
import {REALDATA_MISSING} from '../helpers/realdata.js'
import {describeUnless} from '../helpers/skip-reason.js'
import {contentsOf, openTestImage, realdata} from './helpers.js'

const at = (p: string) => join(realdata, p)

describeUnless(REALDATA_MISSING, 'realdata: dive test-docker-image.tar', () => {
  let layers: LayerContents[]
  const load = async () => (layers ??= await readLayers(await openTestImage(at('dive/test-docker-image.tar'))))

  it('has 14 layers with the sizes docker saved', async () => {
    await load()
    expect(layers).toHaveLength(14)
    expect(layers[0].layer.diffId).toBe('sha256:23bc2b70b2014dec0ac22f27bb93e9babd08cdd6f1115d0c955b9ff22b382f5a')
    expect(layers.every((l) => l.compression === 'none' && l.compressedSize === l.uncompressedSize)).toBe(true)
    expect(layers[0].entries.filter((e) => e.type === 'hardlink')).toHaveLength(392)
  })

  it("reproduces dive's efficiency numbers exactly (image_archive_analysis_test.go, export_test.snap)", async () => {
    const result = computeEfficiency(await load())
    expect(result.efficiency).toBe(0.9844212134184309)
    expect(result.sizeBytes).toBe(1220598)
    expect(result.userSizeBytes).toBe(66237)
    expect(result.wastedBytes).toBe(32025)
    expect(result.wastedUserPercent).toBe(0.4834911001404049)
    expect(result.inefficientFiles).toEqual([
      {path: '/root/saved.txt', count: 2, cumulativeSize: 12810},
      {path: '/root/example/somefile1.txt', count: 2, cumulativeSize: 12810},
      {path: '/root/example/somefile3.txt', count: 2, cumulativeSize: 6405},
    ])
    // cli_load_test.snap: "Analyzing image [layers:14 files:451 size:1.2 MB]" — 451 is the node count of
    // the 14 per-layer trees (whiteout markers included), not a count of the merged filesystem.
    expect(result.fileCount).toBe(451)
  })

  it("lists every layer's files as dive's export does (export_test.snap fileList)", async () => {
    const snap = readFileSync(at('dive/expected/export_test.snap'), 'utf8')
    const expected = JSON.parse(snap.slice(snap.indexOf('{'), snap.lastIndexOf('}') + 1)) as {
      layer: Array<{digestId: string; fileList: unknown[]}>
    }
    const ours = await load()
    expect(ours.map((l) => l.layer.diffId)).toEqual(expected.layer.map((l) => l.digestId))
    ours.forEach((contents, i) => {
      expect(layerTreeItems(contents).map(diveFileInfo), `layer ${i}`).toEqual(expected.layer[i].fileList)
    })
  })

  it('flattens to the filesystem with the whiteouts applied', async () => {
    const tree = flatten(await load())
    expect(tree.size).toBe(423) // MANIFEST §1.1 counts 424 in umoci's rootfs: the same 423 plus the root itself
    expect(tree.has('/root/example')).toBe(false)
    expect(tree.get('/root/saved.txt')).toMatchObject({type: 'file', mode: 0o755, size: 6405, layer: 13})
    expect(tree.hidden('/root/saved.txt')).toEqual([7])
    expect(tree.get('/root/.saved.txt')).toMatchObject({size: 6405, layer: 8})
    expect(tree.get('/tmp/saved.again1.txt')).toMatchObject({layer: 11})
    expect(tree.get('/root/.data/saved.again2.txt')).toMatchObject({layer: 12})
    expect(tree.get('/somefile.txt')).toMatchObject({size: 6405, layer: 1})
    expect(tree.get('/bin/sh')).toMatchObject({type: 'hardlink', linkTarget: '/bin/[', size: 1075464})
    expect(tree.get('/tmp')).toMatchObject({mode: 0o1777})
    // As of layer 6 the example directory still holds all three copies.
    const early = flatten(ours(), {upTo: 6})
    expect(early.children('/root/example').map((n) => n.path)).toEqual([
      '/root/example/really',
      '/root/example/somefile1.txt',
      '/root/example/somefile2.txt',
      '/root/example/somefile3.txt',
    ])
  })

  const ours = () => layers
})

describeUnless(REALDATA_MISSING, 'realdata: snyk skopeo-copy archives', () => {
  it('nodes-fake-multi.tar: the opaque dir keeps its own layer, the 4 node binaries survive', async () => {
    const image = await openTestImage(at('snyk/docker-archives/skopeo-copy/nodes-fake-multi.tar'))
    const hashes = new Map<string, string>()
    const hook = (entry: LayerEntry, layer: LayerInfo): ContentSink | undefined => {
      if (!entry.path.endsWith('/node')) return undefined
      const hash = createHash('sha256')
      return {write: (c) => hash.update(c), end: () => hashes.set(`${layer.index}:${entry.path}`, hash.digest('hex'))}
    }
    const layers = await readLayers(image, {hooks: [hook]})
    expect(layers[1].whiteouts).toContainEqual({kind: 'opaque', path: '/node-v-8-12-9'})
    const tree = flatten(layers)
    const nodes = tree.entries().filter((n) => n.type === 'file' && n.path.endsWith('/node'))
    expect(nodes.map((n) => n.path).sort()).toEqual(['/node', '/node-v-4-9-1/node', '/node-v-6-17-1/node', '/node-v-8-12-9/node'])
    const digests = nodes.map((n) => hashes.get(`${n.layer}:${n.path}`)!)
    const asserted = [['f20f1678', 'd832'], ['c7f4fefb', '1bed'], ['0198b003', 'fb33'], ['62f8defe', '0083']]
    for (const [head, tail] of asserted) expect(digests.some((d) => d.startsWith(head) && d.endsWith(tail)), head).toBe(true)
  })

  it('node-removed.tar (oci-archive): /node is gone, the opaque /proc and /sys stay directories', async () => {
    const image = await openTestImage('oci-archive:' + at('snyk/docker-archives/skopeo-copy/node-removed.tar'))
    const layers = await readLayers(image)
    expect(layers).toHaveLength(3)
    expect(layers[2].whiteouts).toEqual(expect.arrayContaining([{kind: 'file', path: '/node'}, {kind: 'opaque', path: '/proc'}, {kind: 'opaque', path: '/sys'}]))
    expect(flatten(layers, {upTo: 1}).has('/node')).toBe(true)
    const tree = flatten(layers)
    expect(tree.has('/node')).toBe(false)
    expect(tree.get('/proc')?.type).toBe('directory')
    expect(tree.get('/bin/sh')?.type).toBeDefined()
  })
})

describeUnless(REALDATA_MISSING, 'realdata: regclient layer-wh.tar', () => {
  it('removes layer2.txt, empties exdir of lower content, keeps same-layer files', async () => {
    const lower = await contentsOf(readFileSync(at('regclient/testdata/layer.tar')), 0)
    const upper = await contentsOf(readFileSync(at('regclient/testdata/layer-wh.tar')), 1)
    expect(upper.whiteouts).toEqual([
      {kind: 'file', path: '/layer2.txt'},
      {kind: 'opaque', path: '/exdir'},
    ])
    const withExdir = {...lower, entries: [...lower.entries, {...lower.entries[0], path: '/exdir/old.txt'}]}
    const tree = flatten([withExdir, upper])
    expect(tree.entries().map((n) => n.path)).toEqual(['/exdir', '/layer1.txt', '/layer3.txt'])
    expect(tree.get('/layer1.txt')).toMatchObject({layer: 1})
    expect(tree.hidden('/layer1.txt')).toEqual([0])
  })
})

/** Our per-layer tree item in the shape of dive's FileInfo JSON. */
function diveFileInfo(item: LayerTreeItem) {
  const e = item.entry
  return {
    fileMode: e ? goFileMode(e) : 0,
    gid: e?.gid ?? 0,
    isDir: e?.type === 'directory',
    linkName: e?.linkTarget === undefined ? '' : e.type === 'hardlink' ? e.linkTarget.slice(1) : e.linkTarget,
    path: item.implicit ? '' : item.path.slice(1),
    size: e?.size ?? 0,
    typeFlag: e ? TYPE_FLAGS[e.type] : 48,
    uid: e?.uid ?? 0,
  }
}

const TYPE_FLAGS: Record<LayerEntry['type'], number> = {file: 48, hardlink: 49, symlink: 50, char: 51, block: 52, directory: 53, fifo: 54}

/** Go's os.FileMode bits for a tar header (archive/tar headerFileInfo.Mode). */
function goFileMode(e: LayerEntry): number {
  let mode = e.mode & 0o777
  if (e.mode & 0o4000) mode += 2 ** 23
  if (e.mode & 0o2000) mode += 2 ** 22
  if (e.mode & 0o1000) mode += 2 ** 20
  const typeBits: Partial<Record<LayerEntry['type'], number>> = {directory: 2 ** 31, symlink: 2 ** 27, fifo: 2 ** 25, block: 2 ** 26, char: 2 ** 26 + 2 ** 21}
  return mode + (typeBits[e.type] ?? 0)
}
