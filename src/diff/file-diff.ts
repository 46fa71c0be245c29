/**
 * Two merged filesystems → the paths that differ. Both trees are walked once, side by side, in the
 * order they yield (tree-order.ts), so memory is the two trees and the changes, nothing per path more.
 * An added or removed directory is one change counting the entries under it (every path with --verbose).
 */
import type {FileNode} from '../fs/entry.js'
import type {FileTree} from '../fs/tree.js'
import {matchesGlob} from '../audit/path-glob.js'
import {ancestors} from '../fs/path.js'
import type {DiffSide, FileChange, FileField} from './model.js'
import {compareTreeOrder, isAtOrUnder} from '../fs/tree-order.js'

/** What the diff needs to know about one image beyond its tree. */
export interface DiffImageSide {
  tree: FileTree
  /** Layer index → its diff_id and history line (already redacted). */
  layers: readonly {diffId: string; createdBy?: string}[]
  /** sha256 of a node's content, when it was taken (see diff-images.ts for which files are hashed). */
  sha256(node: FileNode): string | undefined
  /** Told of a file whose content had to be compared but had no hash: the caller may hash it and run again. */
  wantHash?(node: FileNode): void
}

export interface FileDiffOptions {
  /** Only this path and what is under it. */
  path?: string
  ignore?: readonly string[]
  ignoreTimestamps?: boolean
  /** List every path under an added or removed directory. */
  verbose?: boolean
}

export function diffFiles(a: DiffImageSide, b: DiffImageSide, options: FileDiffOptions = {}): FileChange[] {
  const root = options.path ?? '/'
  const walkA = a.tree.walk(root)
  const walkB = b.tree.walk(root)
  const ignored = ignoreMatcher(options.ignore ?? [])
  const changes: FileChange[] = []
  let x = walkA.next()
  let y = walkB.next()
  /** An added/removed directory (or one replaced by a non-directory) whose descendants fold into `into`. */
  let folding: {dir: string; side: 'a' | 'b'; into: FileChange} | undefined

  while (!x.done || !y.done) {
    const order = x.done ? 1 : y.done ? -1 : compareTreeOrder(x.value.path, y.value.path)
    const nodeA = order <= 0 ? (x.value as FileNode) : undefined
    const nodeB = order >= 0 ? (y.value as FileNode) : undefined
    if (nodeA) x = walkA.next()
    if (nodeB) y = walkB.next()
    const path = (nodeA ?? nodeB)!.path
    if (ignored(path)) continue

    if (folding && (!isAtOrUnder(path, folding.dir) || (nodeA && nodeB))) folding = undefined
    const folded = folding && (folding.side === 'a' ? nodeA : nodeB)
    if (folding && folded) {
      folding.into.entriesBelow = (folding.into.entriesBelow ?? 0) + 1
      if (folded.type === 'file') folding.into.bytesBelow = (folding.into.bytesBelow ?? 0) + folded.size
      if (options.verbose) (folding.into.paths ??= []).push(path)
      continue
    }

    if (nodeA && nodeB) {
      const fields = differingFields(nodeA, nodeB, a, b, options)
      if (fields.length === 0) continue
      const change: FileChange = {path, kind: 'modified', fields, a: sideOf(nodeA, a), b: sideOf(nodeB, b)}
      changes.push(change)
      // A directory replaced by something else: what was under it is gone with it (and the reverse).
      if (nodeA.type === 'directory' && nodeB.type !== 'directory') folding = {dir: path, side: 'a', into: change}
      else if (nodeB.type === 'directory' && nodeA.type !== 'directory') folding = {dir: path, side: 'b', into: change}
      continue
    }
    const change: FileChange = nodeA ? {path, kind: 'removed', a: sideOf(nodeA, a)} : {path, kind: 'added', b: sideOf(nodeB!, b)}
    changes.push(change)
    const node = (nodeA ?? nodeB)!
    if (node.type === 'directory') folding = {dir: path, side: nodeA ? 'a' : 'b', into: change}
  }
  return changes
}

function differingFields(x: FileNode, y: FileNode, a: DiffImageSide, b: DiffImageSide, options: FileDiffOptions): FileField[] {
  const fields: FileField[] = []
  if (x.type !== y.type) fields.push('type')
  if ((x.mode & 0o7777) !== (y.mode & 0o7777)) fields.push('mode')
  if (x.uid !== y.uid) fields.push('uid')
  if (x.gid !== y.gid) fields.push('gid')
  if (x.type === 'file' && y.type === 'file') {
    if (x.size !== y.size) fields.push('size')
    else if (!sameContent(x, y, a, b)) fields.push('content')
  }
  if ((x.linkTarget ?? '') !== (y.linkTarget ?? '') && x.type === y.type) fields.push('linkTarget')
  if (!sameXattrs(x.xattrs, y.xattrs)) fields.push('xattrs')
  if (!options.ignoreTimestamps && x.mtime !== y.mtime) fields.push('mtime')
  return fields
}

/** Same diff_id: the same tar bytes, so the same content. Otherwise the hashes decide. */
function sameContent(x: FileNode, y: FileNode, a: DiffImageSide, b: DiffImageSide): boolean {
  const layerA = a.layers[x.layer]
  const layerB = b.layers[y.layer]
  if (layerA && layerB && layerA.diffId === layerB.diffId) return true
  if (x.size === 0) return true
  const hashA = a.sha256(x)
  const hashB = b.sha256(y)
  if (hashA === undefined) a.wantHash?.(x)
  if (hashB === undefined) b.wantHash?.(y)
  // A missing hash cannot prove a change; diff-images.ts hashes what was wanted and compares again.
  return hashA === undefined || hashB === undefined || hashA === hashB
}

function sameXattrs(x: Record<string, string> | undefined, y: Record<string, string> | undefined): boolean {
  const keysX = Object.keys(x ?? {})
  const keysY = Object.keys(y ?? {})
  if (keysX.length !== keysY.length) return false
  return keysX.every((key) => y![key] === x![key])
}

function sideOf(node: FileNode, side: DiffImageSide): DiffSide {
  const out: DiffSide = {type: node.type, mode: node.mode & 0o7777, uid: node.uid, gid: node.gid, size: node.type === 'file' ? node.size : 0, mtime: node.mtime, layer: node.layer}
  if (node.linkTarget !== undefined) out.linkTarget = node.linkTarget
  if (node.xattrs !== undefined) out.xattrs = node.xattrs
  const sha256 = node.type === 'file' ? side.sha256(node) : undefined
  if (sha256) out.sha256 = sha256
  const createdBy = side.layers[node.layer]?.createdBy
  if (createdBy) out.createdBy = createdBy
  return out
}

/** Under --path and not --ignore'd: for paths met out of walk order (--layers' whiteout markers). */
export function inScope(path: string, options: FileDiffOptions): boolean {
  if (!isAtOrUnder(path, options.path ?? '/')) return false
  const globs = options.ignore ?? []
  return ![...ancestors(path), path].some((at) => globs.some((glob) => matchesGlob(at, glob)))
}

/** A path is ignored when it, or a directory it lies under, matches one of the globs. */
function ignoreMatcher(globs: readonly string[]): (path: string) => boolean {
  if (globs.length === 0) return () => false
  let lastIgnoredDir: string | undefined
  return (path) => {
    if (lastIgnoredDir && isAtOrUnder(path, lastIgnoredDir)) return true
    if (!globs.some((glob) => matchesGlob(path, glob))) return false
    lastIgnoredDir = path
    return true
  }
}
