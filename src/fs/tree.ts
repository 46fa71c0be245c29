/**
 * A merged filesystem: the image as of some layer, or the layout Lambda makes from zips.
 *
 * Memory grows with entries (a layer of a million small files must fit a laptop), so a path costs one
 * entry in a flat index (path → node) and one reference in its directory's child list — no per-path
 * wrapper object, map or name string. Child lists hold paths (the node's own string) and are pruned
 * lazily: removing a subtree drops its index entries and child lists, while the removed path may stay in
 * its parent's list until the next walk of that directory filters, sorts and dedupes it in place. A path
 * is live when the index or a child list holds it, so a stale reference is never mistaken for a child.
 * Which lower layers a node hides is kept beside it, only for the nodes that hide any.
 */
import type {FileNode} from './entry.js'

/** A node taken out of the tree, with the lower layers it hid (a path re-created later still hides them). */
export interface RemovedNode {
  node: FileNode
  hides: readonly number[]
}

export class FileTree {
  private readonly index = new Map<string, FileNode>()
  /** Directory path → paths of its children, in no order, possibly with stale or repeated ones. */
  private readonly dirs = new Map<string, string[]>([['/', []]])
  /** Child lists known to be sorted, deduplicated and free of stale paths. */
  private readonly tidy = new WeakSet<string[]>()
  /** Path → lower layers (or zips) whose copy of it the current node replaced, lowest first. */
  private readonly hides = new Map<string, readonly number[]>()

  get size(): number {
    return this.index.size
  }

  get(path: string): FileNode | undefined {
    return this.index.get(normalize(path))
  }

  has(path: string): boolean {
    return this.get(path) !== undefined
  }

  /** Lower layers whose copy of the path its node replaced, lowest first (empty when it hides none). */
  hidden(path: string): readonly number[] {
    return this.hides.get(normalize(path)) ?? NOTHING_HIDDEN
  }

  /**
   * Adds or replaces the node at node.path, with the lower layers it hides; parents must be added by
   * the caller (see flatten).
   */
  set(node: FileNode, hides: readonly number[] = NOTHING_HIDDEN): void {
    const path = normalize(node.path)
    if (path === '/') return
    if (!this.index.has(path)) this.link(path)
    this.index.set(path, node)
    if (hides.length > 0) this.hides.set(path, hides)
    else this.hides.delete(path)
    // A directory keeps its children; anything else cannot have any.
    if (node.type !== 'directory' && this.dirs.has(path)) this.dropChildren(path, [])
  }

  /** Removes the path and everything under it. Returns the nodes removed (the path's own first). */
  remove(path: string): RemovedNode[] {
    const clean = normalize(path)
    if (clean === '/' || !this.isLive(clean)) return []
    const removed: RemovedNode[] = []
    this.forget(clean, removed)
    this.dropChildren(clean, removed)
    return removed
  }

  /** Removes every descendant of a directory, keeping the directory itself. */
  clearChildren(path: string): RemovedNode[] {
    const clean = normalize(path)
    return this.dirs.has(clean) ? this.dropChildren(clean, []) : []
  }

  /** Direct children of a directory, sorted by name. */
  children(path: string): FileNode[] {
    const out: FileNode[] = []
    for (const child of this.childPaths(normalize(path))) {
      const node = this.index.get(child)
      if (node) out.push(node)
    }
    return out
  }

  /** Every node in depth-first order, children sorted by name; "/" itself is never a node. */
  *walk(path = '/'): Generator<FileNode> {
    const start = normalize(path)
    if (!this.isLive(start)) return
    const own = this.index.get(start)
    if (own) yield own
    const stack = [...this.childPaths(start)].reverse()
    while (stack.length > 0) {
      const current = stack.pop()!
      const node = this.index.get(current)
      if (node) yield node
      const children = this.childPaths(current)
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!)
    }
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

  /** Drops a path's node (recording it in `into`), not its children. */
  private forget(path: string, into: RemovedNode[]): void {
    const node = this.index.get(path)
    if (!node) return
    into.push({node, hides: this.hidden(path)})
    this.index.delete(path)
    this.hides.delete(path)
  }

  /** A path with a node, or a directory that only holds children (an ancestor its caller never set). */
  private isLive(path: string): boolean {
    return this.index.has(path) || this.dirs.has(path)
  }

  /** Lists a path in its parent's children, making the parent (and its ancestors) reachable too. */
  private link(path: string): void {
    let child = path
    for (;;) {
      const parent = parentOf(child)
      const list = this.dirs.get(parent)
      if (list) {
        list.push(child)
        this.tidy.delete(list)
        return
      }
      this.dirs.set(parent, [child])
      if (this.index.has(parent)) return
      child = parent // a parent nobody set: list it in its own parent, as the old slot tree did
    }
  }

  /** The live children of a directory, sorted by name; tidies its list in place. */
  private childPaths(dir: string): string[] {
    const list = this.dirs.get(dir)
    if (!list) return []
    if (this.tidy.has(list)) return list
    // Children share the prefix "dir/", so comparing whole paths compares their names.
    list.sort(compareNames)
    let kept = 0
    for (let i = 0; i < list.length; i++) {
      const child = list[i]!
      if ((kept === 0 || list[kept - 1] !== child) && this.isLive(child)) list[kept++] = child
    }
    list.length = kept
    this.tidy.add(list)
    return list
  }

  /** Forgets every descendant of `dir` (not `dir` itself), collecting their nodes parents first. */
  private dropChildren(dir: string, into: RemovedNode[]): RemovedNode[] {
    const stack = [dir]
    while (stack.length > 0) {
      const current = stack.pop()!
      const list = this.dirs.get(current)
      if (!list) continue
      this.dirs.delete(current)
      for (let i = list.length - 1; i >= 0; i--) {
        const child = list[i]!
        this.forget(child, into)
        stack.push(child)
      }
    }
    if (dir === '/') this.dirs.set('/', [])
    return into
  }
}

const NOTHING_HIDDEN: readonly number[] = Object.freeze([])

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
