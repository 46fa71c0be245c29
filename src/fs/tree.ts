/**
 * A merged filesystem: the image as of some layer, or the layout Lambda makes from zips.
 * Nodes live in a path-keyed tree so removing a directory removes its subtree in one step.
 */
import type {FileNode} from './entry.js'

interface Slot {
  node?: FileNode
  children?: Map<string, Slot>
}

export class FileTree {
  private readonly root: Slot = {children: new Map()}
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
    let slot = this.root
    for (const name of segments(node.path)) {
      slot.children ??= new Map()
      let next = slot.children.get(name)
      if (!next) {
        next = {}
        slot.children.set(name, next)
      }
      slot = next
    }
    if (!slot.node) this.count++
    slot.node = node
    // A directory keeps its children; anything else cannot have any.
    if (node.type !== 'directory' && slot.children) this.dropChildren(slot)
  }

  /** Removes the path and everything under it. Returns the nodes removed (the path's own first). */
  remove(path: string): FileNode[] {
    const names = segments(path)
    const last = names.pop()
    if (last === undefined) return []
    const parent = this.slot(names.length ? '/' + names.join('/') : '/')
    const slot = parent?.children?.get(last)
    if (!slot) return []
    const removed: FileNode[] = []
    collect(slot, removed)
    parent!.children!.delete(last)
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
    let pending = segments(path)
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
    let slot: Slot | undefined = this.root
    for (const name of segments(path)) {
      slot = slot.children?.get(name)
      if (!slot) return undefined
    }
    return slot
  }

  private dropChildren(slot: Slot): FileNode[] {
    const removed: FileNode[] = []
    for (const child of slot.children?.values() ?? []) collect(child, removed)
    slot.children = undefined
    this.count -= removed.length
    return removed
  }
}

function* walkSlot(slot: Slot): Generator<FileNode> {
  if (!slot.children) return
  for (const name of [...slot.children.keys()].sort(compareNames)) {
    const child = slot.children.get(name)!
    if (child.node) yield child.node
    yield* walkSlot(child)
  }
}

function collect(slot: Slot, into: FileNode[]): void {
  if (slot.node) into.push(slot.node)
  for (const child of slot.children?.values() ?? []) collect(child, into)
}

function isNode(node: FileNode | undefined): node is FileNode {
  return node !== undefined
}

/** Byte order, as `ls` in the C locale and tar listings sort. */
function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** Path segments; with keepDots, ".." stays for the resolver. */
function segments(path: string, keepDots = false): string[] {
  return path.split('/').filter((s) => s !== '' && s !== '.' && (keepDots || s !== '..'))
}
