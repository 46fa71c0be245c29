/**
 * A merged filesystem: the image as of some layer, or the layout Lambda makes from zips.
 * Nodes live in a path-keyed tree so removing a directory removes its subtree in one step; a flat index
 * from path to tree slot makes lookups one hash probe instead of a walk from the root.
 */
import type {FileNode} from './entry.js'

interface Slot {
  /** Normalized absolute path of this slot ("/" for the root). */
  path: string
  node?: FileNode
  children?: Map<string, Slot>
}

export class FileTree {
  private readonly root: Slot = {path: '/', children: new Map()}
  private readonly index = new Map<string, Slot>([['/', this.root]])
  private count = 0

  get size(): number {
    return this.count
  }

  get(path: string): FileNode | undefined {
    return this.slot(path)?.node
  }

  has(path: string): boolean {
    return this.get(path) !== undefined
  }

  /** Adds or replaces the node at node.path; parents must be added by the caller (see flatten). */
  set(node: FileNode): void {
    const slot = this.ensureSlot(normalize(node.path))
    if (!slot.node) this.count++
    slot.node = node
    // A directory keeps its children; anything else cannot have any.
    if (node.type !== 'directory' && slot.children) this.dropChildren(slot)
  }

  /** Removes the path and everything under it. Returns the nodes removed (the path's own first). */
  remove(path: string): FileNode[] {
    const clean = normalize(path)
    if (clean === '/') return []
    const slot = this.index.get(clean)
    if (!slot) return []
    const removed: FileNode[] = []
    this.unindex(slot, removed)
    this.index.get(parentOf(clean))?.children?.delete(clean.slice(clean.lastIndexOf('/') + 1))
    this.count -= removed.length
    return removed
  }

  /** Removes every descendant of a directory, keeping the directory itself. */
  clearChildren(path: string): FileNode[] {
    const slot = this.slot(path)
    if (!slot?.children) return []
    return this.dropChildren(slot)
  }

  /** Direct children of a directory, sorted by name. */
  children(path: string): FileNode[] {
    const slot = this.slot(path)
    if (!slot?.children) return []
    return [...slot.children.keys()].sort(compareNames).map((n) => slot.children!.get(n)!.node).filter(isNode)
  }

  /** Every node in depth-first order, children sorted by name; "/" itself is never a node. */
  *walk(path = '/'): Generator<FileNode> {
    const start = this.slot(path)
    if (!start) return
    if (start.node && path !== '/') yield start.node
    yield* walkSlot(start)
  }

  entries(path = '/'): FileNode[] {
    return [...this.walk(path)]
  }

  /**
   * Resolves symlinks inside the tree (never on the host), as the kernel would inside the container.
   * Returns the node finally reached and its path, or undefined for a dangling link or a loop.
   */
  resolve(path: string, followLast = true): {path: string; node: FileNode} | undefined {
    let budget = 40 // Linux's MAXSYMLINKS
    let pending = segments(path, true) // ".." in the asked path resolves like any other
    let resolved: string[] = []
    while (pending.length > 0) {
      const name = pending.shift()!
      if (name === '..') {
        resolved.pop()
        continue
      }
      const candidate = '/' + [...resolved, name].join('/')
      const node = this.get(candidate)
      if (!node) return undefined
      const isLast = pending.length === 0
      if (node.type === 'symlink' && (followLast || !isLast)) {
        if (--budget < 0) return undefined
        const target = node.linkTarget ?? ''
        const base = target.startsWith('/') ? [] : resolved
        pending = [...segments(target, true), ...pending]
        resolved = [...base]
        continue
      }
      if (node.type === 'hardlink' && isLast && node.linkTarget) {
        const target = this.get(node.linkTarget)
        if (target) return {path: candidate, node: target}
      }
      resolved.push(name)
    }
    const finalPath = '/' + resolved.join('/')
    const node = this.get(finalPath)
    return node ? {path: finalPath, node} : undefined
  }

  private slot(path: string): Slot | undefined {
    return this.index.get(normalize(path))
  }

  /** The slot at a normalized path, created (with its ancestors) when missing. */
  private ensureSlot(path: string): Slot {
    const existing = this.index.get(path)
    if (existing) return existing
    const parent = this.ensureSlot(parentOf(path))
    const slot: Slot = {path}
    ;(parent.children ??= new Map()).set(path.slice(path.lastIndexOf('/') + 1), slot)
    this.index.set(path, slot)
    return slot
  }

  private dropChildren(slot: Slot): FileNode[] {
    const removed: FileNode[] = []
    for (const child of slot.children?.values() ?? []) this.unindex(child, removed)
    slot.children = undefined
    this.count -= removed.length
    return removed
  }

  /** Forgets a slot and its subtree, collecting their nodes (the slot's own first). */
  private unindex(slot: Slot, into: FileNode[]): void {
    this.index.delete(slot.path)
    if (slot.node) into.push(slot.node)
    for (const child of slot.children?.values() ?? []) this.unindex(child, into)
  }
}

/** Depth first with an explicit stack: nested generators cost a resume per level for every node. */
function* walkSlot(start: Slot): Generator<FileNode> {
  const stack: Slot[] = [start]
  while (stack.length > 0) {
    const slot = stack.pop()!
    if (slot !== start && slot.node) yield slot.node
    if (!slot.children) continue
    const names = [...slot.children.keys()].sort(compareNames)
    for (let i = names.length - 1; i >= 0; i--) stack.push(slot.children.get(names[i]!)!)
  }
}

function isNode(node: FileNode | undefined): node is FileNode {
  return node !== undefined
}

/** Byte order, as `ls` in the C locale and tar listings sort. */
function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** "/a//b/./c/" → "/a/b/c" (as `segments` reads it); already-normal paths come back untouched. */
function normalize(path: string): string {
  if (path.startsWith('/') && !UNCLEAN.test(path)) return path
  return '/' + segments(path).join('/')
}

const UNCLEAN = /\/\/|\/\.\.?(?:\/|$)|.\/$/

function parentOf(path: string): string {
  const slash = path.lastIndexOf('/')
  return slash <= 0 ? '/' : path.slice(0, slash)
}

/** Path segments; with keepDots, ".." stays for the resolver. */
function segments(path: string, keepDots = false): string[] {
  return path.split('/').filter((s) => s !== '' && s !== '.' && (keepDots || s !== '..'))
}
