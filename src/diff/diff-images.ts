/**
 * `layer-audit diff A B`: both images are opened and read at the same time, each once, through the same
 * verified streaming pass as `tree` (digests checked, nothing written to disk), with a content hook
 * hashing every regular file; a layer of B stored as the same blob as one of A's is read once. Then the merged trees (or, with
 * `layers`, layer i against layer i), the configs and the manifests are compared.
 */
import {summarizeImage} from '../audit/image-summary.js'
import type {FileNode, LayerContents} from '../fs/entry.js'
import {applyLayer, flatten} from '../fs/flatten.js'
import {readLayers} from '../fs/read-layers.js'
import {FileTree} from '../fs/tree.js'
import {whiteoutMarkerPath} from '../fs/whiteout.js'
import {cleanPath} from '../fs/path.js'
import type {Image, OpenOptions} from '../image/model.js'
import {openImage} from '../image/open.js'
import {diffConfigs} from './config-diff.js'
import {ContentHashes} from './content-hash.js'
import {diffFiles, inScope, type DiffImageSide, type FileDiffOptions} from './file-diff.js'
import {diffManifests, layerRows} from './manifest-diff.js'
import type {DiffReport, FileChange, LayerPairDiff, LayerRow} from './model.js'
import {summarizeDiff} from './summary.js'
import {compareTreeOrder} from '../fs/tree-order.js'

export interface DiffImagesOptions extends OpenOptions {
  /** Only this path and what is under it. */
  path?: string
  ignore?: string[]
  ignoreTimestamps?: boolean
  ignoreHistory?: boolean
  /** The reproducible-build question: timestamps, history, layer digests and media types do not count. */
  semantic?: boolean
  /** Every changed file shows its sha256 on both sides (content is compared either way). */
  content?: boolean
  /** Layer i of A against layer i of B, instead of the merged trees. */
  layers?: boolean
  showEnv?: boolean
  /** Every path under an added or removed directory. */
  verbose?: boolean
  concurrency?: number
}

export async function diffImages(refA: string, refB: string, options: DiffImagesOptions = {}): Promise<DiffReport> {
  const ignoreTimestamps = Boolean(options.ignoreTimestamps || options.semantic)
  const ignoreHistory = Boolean(options.ignoreHistory || options.semantic)
  const root = options.path ? cleanPath(options.path) : '/'
  const opened = await Promise.allSettled([openImage(refA, options), openImage(refB, options)])
  const images = opened.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []))
  try {
    const failed = opened.find((o): o is PromiseRejectedResult => o.status === 'rejected')
    if (failed) throw failed.reason
    const [a, b] = images as [Image, Image]
    // Files of the layers both images hold (same diff_id) are not hashed as they stream: two copies from
    // such layers are the same bytes. A path whose copy comes from a shared layer on one side and from a
    // layer of its own on the other, with the same size, is hashed afterwards (LateHashes).
    const shared = a.layers.map((l) => l.diffId).filter((id) => b.layers.some((m) => m.diffId === id))
    const hashesA = new ContentHashes({skipDiffIds: shared})
    const hashesB = new ContentHashes({skipDiffIds: shared})
    // A layer of B whose blob has the digest of one of A's is the same bytes: read once, through A.
    const sameBlob = sameBlobs(a, b)
    // One lane per image unless told: two images on two lanes keep the cores as busy as tree's two lanes
    // do, with half the layers in memory at once (the bench: same time, 380 → 280 MB).
    const concurrency = options.concurrency ?? 1
    const [layersA, readOfB] = await Promise.all([
      readLayers(a, {hookSpecs: [hashesA.spec()], concurrency}),
      readLayers({...b, layers: b.layers.filter((l) => !sameBlob.has(l.index))}, {hookSpecs: [hashesB.spec()], concurrency}),
    ])
    const layersB = b.layers.map((layer) => {
      const fromA = sameBlob.get(layer.index)
      return fromA === undefined ? readOfB.find((c) => c.layer.index === layer.index)! : {...layersA[fromA]!, layer}
    })
    hashesA.attach(layersA)
    hashesB.attach(layersB)
    const summaryA = summarizeImage(a, layersA)
    const summaryB = summarizeImage(b, layersB)
    const rowsA = layerRows(a)
    const rowsB = layerRows(b)
    const lateA = new LateHashes(a, options.concurrency)
    const lateB = new LateHashes(b, options.concurrency)
    const sideA: Side = {layers: rowsA, sha256: (node) => hashesA.sha256(node) ?? lateA.sha256(node), wantHash: (node) => lateA.want(node)}
    // B's layers read through A are A's entries, hashed on A's side.
    const sideB: Side = {layers: rowsB, sha256: (node) => hashesB.sha256(node) ?? hashesA.sha256(node) ?? lateB.sha256(node), wantHash: (node) => lateB.want(node)}
    const fileOptions = {path: root, ignore: options.ignore, ignoreTimestamps, verbose: options.verbose}

    let files: FileChange[] = []
    let layers: LayerPairDiff[] | undefined
    const treeA = options.layers ? undefined : flatten(layersA, {release: true})
    const treeB = options.layers ? undefined : flatten(layersB, {release: true})
    const compare = () => {
      if (options.layers) layers = diffLayerPairs(layersA, layersB, {...sideA, rows: rowsA}, {...sideB, rows: rowsB}, fileOptions)
      else files = diffFiles({...sideA, tree: treeA!}, {...sideB, tree: treeB!}, fileOptions)
    }
    compare()
    if (lateA.wanted || lateB.wanted) {
      await Promise.all([lateA.read(), lateB.read()])
      compare()
    }
    if (!options.content) for (const change of [...files, ...(layers ?? []).flatMap((l) => l.changes)]) dropHashes(change)

    const config = diffConfigs(a.config, b.config, {showEnv: options.showEnv, ignoreTimestamps})
    const manifest = diffManifests(a, b, {ignoreHistory, ignoreTimestamps})
    const allFiles = layers ? layers.flatMap((l) => l.changes) : files
    const summary = summarizeDiff({
      files: allFiles,
      config,
      manifest,
      countManifest: !options.semantic,
      sizeA: summaryA.uncompressedSize,
      sizeB: summaryB.uncompressedSize,
    })
    return {
      command: 'diff',
      a: summaryA,
      b: summaryB,
      options: {
        mode: options.layers ? 'layers' : 'merged',
        path: root,
        ignore: options.ignore ?? [],
        ignoreTimestamps,
        ignoreHistory,
        semantic: Boolean(options.semantic),
        content: Boolean(options.content),
        showEnv: Boolean(options.showEnv),
      },
      summary,
      files,
      ...(layers ? {layers} : {}),
      config,
      manifest,
    }
  } finally {
    await Promise.all(images.map((image) => image.close()))
  }
}

/**
 * B's layer index → A's layer index, for layers whose stored blobs have the same digest (and diff_id).
 * Reading A verifies that digest, so B's copy need not be read: they are the same bytes.
 */
function sameBlobs(a: Image, b: Image): Map<number, number> {
  const byDigest = new Map<string, number>()
  for (const layer of a.layers) if (layer.digest) byDigest.set(`${layer.digest} ${layer.diffId}`, layer.index)
  const out = new Map<number, number>()
  for (const layer of b.layers) {
    const index = layer.digest ? byDigest.get(`${layer.digest} ${layer.diffId}`) : undefined
    if (index !== undefined) out.set(layer.index, index)
  }
  return out
}

type Side = Omit<DiffImageSide, 'tree'>

/**
 * Hashes taken after the pass, for the files of shared layers whose content turned out to matter: each
 * such layer is read once more (digests verified again), and the hashes of the wanted paths kept.
 */
class LateHashes {
  private readonly paths = new Map<number, Set<string>>()
  private readonly hashes = new Map<number, Map<string, string>>()

  constructor(
    private readonly image: Image,
    private readonly concurrency?: number,
  ) {}

  get wanted(): boolean {
    return this.paths.size > 0
  }

  want(node: FileNode): void {
    if (this.hashes.has(node.layer)) return
    let paths = this.paths.get(node.layer)
    if (!paths) this.paths.set(node.layer, (paths = new Set()))
    paths.add(node.path)
  }

  sha256(node: FileNode): string | undefined {
    return this.hashes.get(node.layer)?.get(node.path)
  }

  async read(): Promise<void> {
    if (this.paths.size === 0) return
    const layers = this.image.layers.filter((l) => this.paths.has(l.index))
    const hashes = new ContentHashes({skipDiffIds: []})
    const read = await readLayers({...this.image, layers}, {hookSpecs: [hashes.spec()], concurrency: this.concurrency})
    hashes.attach(read)
    for (const contents of read) {
      const wanted = this.paths.get(contents.layer.index)!
      const byPath = new Map<string, string>()
      // The last entry of a path is its node (a duplicate in the same layer: the later one wins).
      for (const entry of contents.entries) {
        const sha256 = wanted.has(entry.path) ? hashes.sha256(entry) : undefined
        if (sha256 !== undefined) byPath.set(entry.path, sha256)
        else byPath.delete(entry.path)
      }
      this.hashes.set(contents.layer.index, byPath)
    }
    this.paths.clear()
  }
}

/** Layer i against layer i: each layer's own entries (as a tree of that layer alone) and its whiteouts. */
function diffLayerPairs(
  layersA: LayerContents[],
  layersB: LayerContents[],
  a: Side & {rows: LayerRow[]},
  b: Side & {rows: LayerRow[]},
  options: FileDiffOptions,
): LayerPairDiff[] {
  const out: LayerPairDiff[] = []
  for (let i = 0; i < Math.max(layersA.length, layersB.length); i++) {
    const x = layersA[i]
    const y = layersB[i]
    const rowA = a.rows[i]
    const rowB = b.rows[i]
    const identical = Boolean(x && y && x.layer.diffId === y.layer.diffId)
    const whiteouts = diffWhiteouts(x, y, a, b).filter((change) => inScope(change.path, options))
    const changes = identical ? [] : [...diffFiles({...a, tree: layerTree(x)}, {...b, tree: layerTree(y)}, options), ...whiteouts]
    changes.sort((p, q) => compareTreeOrder(p.path, q.path))
    out.push({index: i, ...(rowA ? {a: rowA} : {}), ...(rowB ? {b: rowB} : {}), identical, changes})
  }
  return out
}

function layerTree(contents: LayerContents | undefined): FileTree {
  const tree = new FileTree()
  if (contents) applyLayer(tree, {...contents, whiteouts: []}, contents.layer.index)
  return tree
}

function diffWhiteouts(x: LayerContents | undefined, y: LayerContents | undefined, a: Side, b: Side): FileChange[] {
  const markersA = new Set((x?.whiteouts ?? []).map(whiteoutMarkerPath))
  const markersB = new Set((y?.whiteouts ?? []).map(whiteoutMarkerPath))
  const side = (layer: number, s: Side) => ({type: 'whiteout' as const, mode: 0, uid: 0, gid: 0, size: 0, mtime: 0, layer, ...(s.layers[layer]?.createdBy ? {createdBy: s.layers[layer]!.createdBy} : {})})
  const changes: FileChange[] = []
  for (const path of markersA) if (!markersB.has(path)) changes.push({path, kind: 'removed', a: side(x!.layer.index, a)})
  for (const path of markersB) if (!markersA.has(path)) changes.push({path, kind: 'added', b: side(y!.layer.index, b)})
  return changes
}

function dropHashes(change: FileChange): void {
  if (change.a) delete change.a.sha256
  if (change.b) delete change.b.sha256
}
