/**
 * A minimal copy of dive's per-layer file tree (wagoodman/dive, dive/filetree), kept only so that
 * efficiency.ts can reproduce dive's numbers exactly, quirks included:
 * - nodes created for intermediate path segments carry an empty payload (size 0, not a directory), and
 *   stacking a layer copies that empty payload over a lower directory's;
 * - a `.wh.NAME` whiteout is a leaf named `.wh.NAME` whose path is the path of NAME;
 * - `.wh..wh..*` names are never added (their parent directories are);
 * - a payload written over an existing node keeps its children, whatever the types.
 * Not the filesystem model: flatten.ts and FileTree are.
 */
import type {LayerContents, LayerEntry, Whiteout} from './entry.js'
import {WHITEOUT_META_PREFIX, WHITEOUT_PREFIX, whiteoutMarkerPath} from './whiteout.js'

export interface DivePayload {
  size: number
  isDir: boolean
  /** The tar entry this node was written from; absent for whiteouts and implicit directories. */
  entry?: LayerEntry
  whiteout?: Whiteout
}

export interface DiveNode {
  name: string
  payload: DivePayload
  parent?: DiveNode
  children?: Map<string, DiveNode>
}

const IMPLICIT: DivePayload = {size: 0, isDir: false}

export function newRoot(): DiveNode {
  return {name: '', payload: IMPLICIT}
}

/** One layer as dive's tree; `count` is the node count dive reports as "files". */
export function buildLayerTree(contents: LayerContents): {root: DiveNode; count: number} {
  const root = newRoot()
  let count = 0
  for (const entry of contents.entries) {
    count += addPath(root, entry.path, {size: entry.size, isDir: entry.type === 'directory', entry})
  }
  for (const whiteout of contents.whiteouts) {
    count += addPath(root, whiteoutMarkerPath(whiteout), {size: 0, isDir: false, whiteout})
  }
  return {root, count}
}

/** dive's FileTree.AddPath: returns how many nodes it created. */
export function addPath(root: DiveNode, path: string, payload: DivePayload): number {
  const names = splitPath(path)
  let node = root
  let created = 0
  for (let i = 0; i < names.length; i++) {
    const name = names[i]
    let child = node.children?.get(name)
    if (!child) {
      if (name.startsWith(WHITEOUT_META_PREFIX)) return created
      child = {name, payload: IMPLICIT, parent: node}
      ;(node.children ??= new Map()).set(name, child)
      created++
    }
    node = child
    if (i === names.length - 1) node.payload = payload
  }
  return created
}

export function getNode(root: DiveNode, path: string): DiveNode | undefined {
  let node: DiveNode | undefined = root
  for (const name of splitPath(path)) {
    node = node.children?.get(name)
    if (!node) return undefined
  }
  return node
}

export function isWhiteout(node: DiveNode): boolean {
  return node.name.startsWith(WHITEOUT_PREFIX)
}

export function isLeaf(node: DiveNode): boolean {
  return !node.children || node.children.size === 0
}

/** dive's FileNode.Path: the whiteout prefix is dropped from the node's own name only. */
export function nodePath(node: DiveNode): string {
  const names: string[] = [isWhiteout(node) ? node.name.slice(WHITEOUT_PREFIX.length) : node.name]
  for (let up = node.parent; up?.parent; up = up.parent) names.push(up.name)
  return '/' + names.reverse().join('/')
}

/** Same names, same payloads, fresh nodes. */
export function copyTree(node: DiveNode, parent?: DiveNode): DiveNode {
  const copy: DiveNode = {name: node.name, payload: node.payload, parent}
  if (node.children) {
    copy.children = new Map()
    for (const [name, child] of node.children) copy.children.set(name, copyTree(child, copy))
  }
  return copy
}

/**
 * dive's FileTree.Stack: graft `upper` onto `lower`, visiting upper children first, siblings by name —
 * a whiteout removes its name from the lower directory, any other node is added (payload replaced,
 * children kept). Walks both trees side by side instead of re-resolving every path from the root.
 */
export function stack(lower: DiveNode, upper: DiveNode): void {
  if (!upper.children) return
  for (const name of sortedNames(upper.children)) {
    const child = upper.children.get(name)!
    if (isWhiteout(child)) {
      lower.children?.delete(name.slice(WHITEOUT_PREFIX.length))
      continue
    }
    let target = lower.children?.get(name)
    if (!target) {
      target = {name, payload: IMPLICIT, parent: lower}
      ;(lower.children ??= new Map()).set(name, target)
    }
    stack(target, child)
    target.payload = child.payload
  }
}

/**
 * Calls `visit` on every node below `start` (and `start` itself unless it is a root), deepest first,
 * siblings by name — dive's VisitDepthChildFirst. `visit` returning false stops the whole walk.
 */
export function visitChildrenFirst(start: DiveNode, visit: (node: DiveNode) => boolean | void): boolean {
  if (start.children) {
    for (const name of sortedNames(start.children)) {
      if (!visitChildrenFirst(start.children.get(name)!, visit)) return false
    }
  }
  return start.parent ? visit(start) !== false : true
}

/** Go's sort.Strings order (bytewise; equal to UTF-16 order outside the astral planes). */
function sortedNames(children: Map<string, DiveNode>): string[] {
  return [...children.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
}

function splitPath(path: string): string[] {
  return path.split('/').filter((s) => s !== '')
}
