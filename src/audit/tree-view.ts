/** The `tree --json` entry shape, from any FileTree (image or zip layout). */
import type {FileNode} from '../fs/entry.js'
import {cleanPath} from '../fs/path.js'
import type {FileTree} from '../fs/tree.js'

/**
 * A FileNode as `tree --json` prints it: the node itself, not a copy (a million-file tree is printed
 * without a second million objects). An image node is the layer's tar entry, so a device also carries
 * `devmajor`/`devminor`; a zip node carries `source` and the central directory's `crc32`.
 */
export type TreeEntry = FileNode & {devmajor?: number; devminor?: number}

export interface TreeViewOptions {
  /** Only this path and what is under it. */
  path?: string
  /** Levels below --path to include (1 = its direct children). */
  depth?: number
}

export function treeEntries(tree: FileTree, options: TreeViewOptions = {}): TreeEntry[] {
  const root = normalizeRoot(options.path)
  const baseDepth = depthOf(root)
  const out: TreeEntry[] = []
  for (const node of tree.walk(root)) {
    if (options.depth !== undefined && depthOf(node.path) - baseDepth > options.depth) continue
    out.push(node)
  }
  return out
}

/** Slashes in a cleaned path ("/" → 0, "/a/b" → 2), without splitting it. */
function depthOf(path: string): number {
  if (path === '/') return 0
  let depth = 0
  for (let i = path.indexOf('/'); i !== -1; i = path.indexOf('/', i + 1)) depth++
  return depth
}

function normalizeRoot(path?: string): string {
  return path ? cleanPath(path) : '/'
}
