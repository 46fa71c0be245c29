/**
 * Image efficiency and wasted bytes exactly as dive computes them (dive/filetree/efficiency.go and
 * dive/image/analysis.go), so `inspect` agrees with the tool people already gate CI on.
 *
 * For every layer, dive visits the leaves of that layer's own tree in name order. Each visit adds to a
 * per-path record: a file adds its size; a whiteout adds, when the path was a directory in the layers
 * below, the total size of that directory's subtree (0 when it was a file). Efficiency is
 * Σ(smallest size seen per path) / Σ(all sizes seen); a path seen twice or more is an inefficient file,
 * and its cumulative size counts as wasted. Deliberately reproduced dive quirks:
 * - a whiteout of a path missing below stops dive's visit of the rest of that layer, and leaves the
 *   path's record with a minimum of −1;
 * - the tree stacked below layer N holds layer 0 twice, and below layer 0 it is layer 0 itself;
 * - sizes are tar header sizes (hardlinks 0).
 */
import type {LayerContents, LayerEntry, Whiteout} from './entry.js'
import {compareTreeOrder} from './tree-order.js'
import {buildLayerTree, copyTree, type DiveNode, getNode, isLeaf, isWhiteout, nodePath, stack, visitChildrenFirst} from './dive-tree.js'

export interface InefficientFile {
  path: string
  /** How many layers' trees hold this path as a leaf (whiteouts included). */
  count: number
  cumulativeSize: number
}

export interface ImageEfficiency {
  /** 0..1; 1 when nothing was seen twice. */
  efficiency: number
  /** Bytes of every tar entry of every layer (dive's image size). */
  sizeBytes: number
  /** sizeBytes without layer 0 (the base image in dive's view). */
  userSizeBytes: number
  wastedBytes: number
  /** wastedBytes / userSizeBytes; 0 when there are no user bytes (dive would print NaN). */
  wastedUserPercent: number
  /** Largest cumulative size first, as dive's report lists them. */
  inefficientFiles: InefficientFile[]
  /** Nodes of all per-layer trees: the "files:" count dive prints. */
  fileCount: number
  /** Per layer: bytes of its tar entries (dive's layer size). */
  layerSizes: number[]
}

interface PathRecord {
  path: string
  count: number
  cumulativeSize: number
  minSize: number
}

/**
 * Memory grows with paths, so a path seen once is only its size in `seen` (most paths are seen once),
 * and it becomes a PathRecord when seen again. A path first seen in the last layer is never stored: its
 * size counts once on both sides of the ratio. The stacked tree below is not advanced past the last layer.
 */
export function computeEfficiency(layers: LayerContents[]): ImageEfficiency {
  const seen = new Map<string, number | PathRecord>()
  const inefficient: PathRecord[] = []
  let fileCount = 0
  let minimum = 0
  let discovered = 0
  let base: DiveNode | undefined // layer 0's own tree, needed once more for the stack below layer 1
  let below: DiveNode | undefined // dive's StackTreeRange(trees, 0, current-1)

  layers.forEach((contents, index) => {
    const last = index === layers.length - 1
    if (last && contents.whiteouts.length === 0) {
      // No whiteout, so dive's visit cannot stop early: the last layer needs no tree of its own.
      const visited = visitLastLayer(contents, seen)
      fileCount += visited.count
      minimum += visited.newBytes
      discovered += visited.newBytes
      for (const {path, size} of visited.again) {
        const before = seen.get(path)!
        const record = typeof before === 'number' ? {path, count: 1, cumulativeSize: before, minSize: before} : before
        seen.set(path, record)
        record.cumulativeSize += size
        if (record.minSize < 0 || size < record.minSize) record.minSize = size
        if (++record.count === 2) inefficient.push(record)
      }
      return
    }
    const {root, count} = buildLayerTree(contents)
    fileCount += count
    if (index === 0 && !last) base = root

    visitChildrenFirst(root, (node) => {
      if (!isLeaf(node)) return true
      const path = nodePath(node)
      let size: number
      if (isWhiteout(node)) {
        below ??= copyTree(base ?? root)
        const previous = getNode(below, path)
        if (!previous) {
          // dive's visitor returns an error here: the rest of this layer goes unvisited, and the path's
          // record is left as created, with a minimum of -1
          if (!seen.has(path)) seen.set(path, {path, count: 0, cumulativeSize: 0, minSize: -1})
          return false
        }
        size = previous.payload.isDir ? subtreeSize(previous) : 0
      } else {
        size = node.payload.size
      }
      const before = seen.get(path)
      if (before === undefined) {
        if (last) {
          minimum += size
          discovered += size
        } else seen.set(path, size)
        return true
      }
      let record: PathRecord
      if (typeof before === 'number') {
        record = {path, count: 1, cumulativeSize: before, minSize: before}
        seen.set(path, record)
      } else record = before
      record.cumulativeSize += size
      if (record.minSize < 0 || size < record.minSize) record.minSize = size
      if (++record.count === 2) inefficient.push(record)
      return true
    })

    // Advance the stacked tree to "everything below the next layer".
    if (last) return
    if (index === 0) {
      below = copyTree(root)
      stack(below, root)
    } else {
      stack(below!, root)
    }
  })

  for (const value of seen.values()) {
    if (typeof value === 'number') {
      minimum += value
      discovered += value
    } else {
      minimum += value.minSize
      discovered += value.cumulativeSize
    }
  }

  const layerSizes = layers.map(layerSize)
  const sizeBytes = sum(layerSizes)
  const userSizeBytes = sizeBytes - (layerSizes[0] ?? 0)
  // Stable ascending sort then reversed: dive's order, ties included (insertion sort for short lists).
  const ordered = inefficient
    .map((record, i) => ({record, i}))
    .sort((a, b) => a.record.cumulativeSize - b.record.cumulativeSize || a.i - b.i)
    .reverse()
    .map(({record}) => ({path: record.path, count: record.count, cumulativeSize: record.cumulativeSize}))
  const wastedBytes = sum(ordered.map((f) => f.cumulativeSize))

  return {
    efficiency: discovered === 0 ? 1 : minimum / discovered,
    sizeBytes,
    userSizeBytes,
    wastedBytes,
    wastedUserPercent: userSizeBytes === 0 ? 0 : wastedBytes / userSizeBytes,
    inefficientFiles: ordered,
    fileCount,
    layerSizes,
  }
}

/**
 * dive's visit of a last layer without whiteouts, without building its tree (a million-file layer would
 * cost a second tree): its nodes are its distinct paths and their ancestors, its leaves the paths no
 * other path lies under. A leaf new to the image only adds its size to both sums, in any order; leaves
 * seen in lower layers are returned in dive's visiting order (tree order), which decides ties.
 */
function visitLastLayer(contents: LayerContents, seen: ReadonlyMap<string, unknown>): {count: number; newBytes: number; again: {path: string; size: number}[]} {
  const sizes = new Map<string, number>() // a duplicate path: the later entry wins, as dive's AddPath
  for (const entry of contents.entries) sizes.set(entry.path, entry.size)
  const inner = new Set<string>()
  for (const path of sizes.keys()) {
    for (let slash = path.lastIndexOf('/'); slash > 0; slash = path.lastIndexOf('/', slash - 1)) {
      const parent = path.slice(0, slash)
      if (inner.has(parent)) break // then its ancestors are in too
      inner.add(parent)
    }
  }
  let count = sizes.size
  for (const dir of inner) if (!sizes.has(dir)) count++
  let newBytes = 0
  const again: {path: string; size: number}[] = []
  for (const [path, size] of sizes) {
    if (inner.has(path)) continue
    if (seen.has(path)) again.push({path, size})
    else newBytes += size
  }
  again.sort((a, b) => compareTreeOrder(a.path, b.path))
  return {count, newBytes, again}
}

/** One node of a layer's own tree, in the order dive's export lists a layer's files. */
export interface LayerTreeItem {
  /** Absolute path of the node as named in the layer (whiteouts keep their `.wh.` name). */
  path: string
  entry?: LayerEntry
  whiteout?: Whiteout
  /** A directory no entry of this layer names: dive creates it for a deeper path. */
  implicit: boolean
}

/** dive's per-layer file list (export `fileList`): every node of the layer's tree, deepest first, by name. */
export function layerTreeItems(contents: LayerContents): LayerTreeItem[] {
  const {root} = buildLayerTree(contents)
  const items: LayerTreeItem[] = []
  visitChildrenFirst(root, (node) => {
    const {entry, whiteout} = node.payload
    const item: LayerTreeItem = {path: rawPath(node), implicit: !entry && !whiteout}
    if (entry) item.entry = entry
    if (whiteout) item.whiteout = whiteout
    items.push(item)
  })
  return items
}

function rawPath(node: DiveNode): string {
  const names: string[] = []
  for (let up: DiveNode | undefined = node; up?.parent; up = up.parent) names.push(up.name)
  return '/' + names.reverse().join('/')
}

function subtreeSize(node: DiveNode): number {
  let total = 0
  visitChildrenFirst(node, (n) => {
    total += n.payload.size
  })
  return total
}

/** dive's layer size: the sum of the layer's tar header sizes (whiteout markers are empty). */
function layerSize(contents: LayerContents): number {
  let total = 0
  for (const entry of contents.entries) total += entry.size
  return total
}

function sum(values: number[]): number {
  let total = 0
  for (const v of values) total += v
  return total
}
