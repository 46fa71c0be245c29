/**
 * Layers → the merged filesystem a container sees (the overlay view, as go-containerregistry's
 * mutate.Extract and containerd build it). One pure function over the per-layer records.
 *
 * Per layer, bottom to top:
 * 1. its whiteouts act on LOWER layers only: `.wh.X` removes X and its subtree, an opaque marker empties
 *    its directory. All of them run before the layer's entries, so entries of the same layer survive
 *    whatever their tar order (ggcr #1897, #2029).
 * 2. its entries, in tar order (a duplicate path: the last one wins). A directory entry over a directory
 *    updates its metadata and keeps its children; anything else replaces what was there, subtree included.
 *    Missing parents — of entries and of whiteout markers — are synthesized as 0755 root-owned directories
 *    written by this layer; a parent that is not a directory is replaced by one (never followed).
 * A hardlink node keeps type 'hardlink' and its target, and reports the size of the file it shares
 * (looked up when the link is applied); it adds no bytes of its own.
 * Any other entry becomes its path's node as it is, the same object: the tree costs a path an index
 * slot, not a second copy of the entry.
 */
import type {FileNode, LayerContents, LayerEntry, Whiteout} from './entry.js'
import {ancestors, parentPath} from './path.js'
import {FileTree, type RemovedNode} from './tree.js'

export interface FlattenOptions {
  /** Stop after this layer index (inclusive): the filesystem as of layer N. */
  upTo?: number
  /** Empty each layer's entry and whiteout lists once applied (their memory goes; sizes stay). */
  release?: boolean
}

export function flatten(layers: LayerContents[], options: FlattenOptions = {}): FileTree {
  const tree = new FileTree()
  const last = options.upTo === undefined ? layers.length - 1 : Math.min(options.upTo, layers.length - 1)
  for (let i = 0; i <= last; i++) {
    applyLayer(tree, layers[i], i)
    if (options.release) layers[i] = {...layers[i], entries: [], whiteouts: []}
  }
  return tree
}

/** Applies one layer on top of the tree in place. `index` is its position (what `node.layer` records). */
export function applyLayer(tree: FileTree, contents: LayerContents, index: number): void {
  // Copies this layer's own whiteouts removed, by path, for entries that re-create them: they still hide them.
  const removed = applyWhiteouts(tree, contents.whiteouts, contents.entries)
  for (const whiteout of contents.whiteouts) {
    ensureDirectories(tree, whiteout.kind === 'opaque' ? whiteout.path : parentPath(whiteout.path), index, removed)
  }
  for (const entry of contents.entries) applyEntry(tree, entry, index, removed)
}

/** What a path held before this layer: its node and the layers that node hid. */
type Previous = RemovedNode

function applyWhiteouts(tree: FileTree, whiteouts: Whiteout[], entries: LayerEntry[]): Map<string, Previous> {
  const removed = new Map<string, Previous>()
  if (whiteouts.length === 0) return removed
  const recreated = new Set(entries.map((e) => e.path))
  const remember = (nodes: RemovedNode[]) => {
    for (const gone of nodes) if (recreated.has(gone.node.path)) removed.set(gone.node.path, gone)
  }
  for (const whiteout of whiteouts) {
    if (whiteout.kind === 'file') remember(tree.remove(whiteout.path))
    else if (whiteout.path === '/' || tree.get(whiteout.path)?.type === 'directory') remember(tree.clearChildren(whiteout.path))
  }
  return removed
}

function applyEntry(tree: FileTree, entry: LayerEntry, layer: number, removed: Map<string, Previous>): void {
  ensureDirectories(tree, parentPath(entry.path), layer, removed)
  const previous = current(tree, entry.path) ?? removed.get(entry.path)
  let node: FileNode = entry
  if (entry.type === 'hardlink' && entry.linkTarget) node = {...entry, layer, size: sharedSize(tree, entry.linkTarget)}
  else if (entry.layer !== layer) node = {...entry, layer}
  tree.set(node, hidden(previous, layer))
}

function current(tree: FileTree, path: string): Previous | undefined {
  const node = tree.get(path)
  return node ? {node, hides: tree.hidden(path)} : undefined
}

/** Makes `dir` and its ancestors directories, synthesizing what is missing or not a directory. */
function ensureDirectories(tree: FileTree, dir: string, layer: number, removed: Map<string, Previous>): void {
  if (dir === '/') return
  const existing = tree.get(dir)
  if (existing?.type === 'directory') return // then its ancestors are directories too
  for (const path of [...ancestors(dir), dir]) {
    const node = tree.get(path)
    if (node?.type === 'directory') continue
    const previous = current(tree, path) ?? removed.get(path)
    tree.set({path, type: 'directory', mode: 0o755, uid: 0, gid: 0, size: 0, mtime: 0, layer}, hidden(previous, layer))
  }
}

const NOTHING_HIDDEN: readonly number[] = Object.freeze([])

/** Lower layers whose copy of a path a new node in `layer` hides (a duplicate in the same layer adds none). */
function hidden(previous: Previous | undefined, layer: number): readonly number[] {
  if (!previous) return NOTHING_HIDDEN
  if (previous.node.layer === layer) return previous.hides
  return [...previous.hides, previous.node.layer]
}

/** Size of the content a hardlink shares: its target's, following a chain of hardlinks. */
function sharedSize(tree: FileTree, target: string): number {
  const node = tree.get(target)
  if (!node) return 0
  if (node.type === 'file' || node.type === 'hardlink') return node.size
  return 0
}
