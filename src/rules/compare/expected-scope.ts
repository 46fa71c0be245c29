/** Which part of the zip side an image is held to: all of it, or only /opt for a layer image. */
import type {FileNode} from '../../fs/entry.js'
import type {CompareContext} from './context.js'
import {isUnder, lookupPath, type Resolved} from './image-paths.js'

/** Roots of the expected layout this image must reproduce. */
export function expectedRoots(ctx: CompareContext): string[] {
  return ctx.kind === 'layer' ? ['/opt'] : ['/']
}

/** Expected nodes in scope, depth first, children sorted by name. */
export function* expectedNodes(ctx: CompareContext): Generator<FileNode> {
  if (!ctx.expected) return
  for (const root of expectedRoots(ctx)) yield* ctx.expected.tree.walk(root)
}

export interface ComparedPath {
  expected: FileNode
  /** What the image has at that path (symlinks in parents followed); undefined when absent. */
  found?: Resolved
}

/** What each expected node in scope (in walk order) found in the image, once per context. */
const lookups = new WeakMap<CompareContext, (Resolved | undefined)[]>()

/**
 * Every expected node in scope with its image counterpart, depth first. The lookups are made on the first
 * full walk and kept (one slot a path) for the other file rules: one lookup per path instead of one per
 * rule, without a pair object a path held for the whole run (~40 MB on a million-entry zip).
 */
export function* comparedPaths(ctx: CompareContext): Generator<ComparedPath> {
  const known = lookups.get(ctx)
  const made: (Resolved | undefined)[] = []
  let i = 0
  for (const expected of expectedNodes(ctx)) {
    const found = known ? known[i++] : lookupPath(ctx.tree, expected.path)
    if (!known) made.push(found)
    yield found ? {expected, found} : {expected}
  }
  // Only a walk that reached the end knows every path.
  if (!known) lookups.set(ctx, made)
}

/** A depth-first walk that can skip a subtree (the walk yields descendants right after their directory). */
export class SubtreeSkipper {
  private skipping?: string
  skip(path: string): void {
    this.skipping = path
  }
  /** True while `path` is under the subtree being skipped. */
  covers(path: string): boolean {
    if (this.skipping !== undefined && isUnder(path, this.skipping) && path !== this.skipping) return true
    this.skipping = undefined
    return false
  }
}

/** Zip entries without Unix attributes carry no real mode (src/lambda marks them noUnixMode). */
export function modeKnown(ctx: CompareContext, node: FileNode): boolean {
  return ctx.expected?.modeKnown?.(node.path) ?? true
}
