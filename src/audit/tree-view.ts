/** The `tree --json` entry shape, from any FileTree (image or zip layout). */
import type {FileNode} from '../fs/entry.js'
import {cleanPath} from '../fs/path.js'
import type {FileTree} from '../fs/tree.js'

/** A FileNode as `tree --json` prints it: no bookkeeping (`hides`, `crc32`). */
export type TreeEntry = Pick<FileNode, 'path' | 'type' | 'mode' | 'uid' | 'gid' | 'size' | 'mtime' | 'linkTarget' | 'xattrs' | 'layer' | 'source'>

export interface TreeViewOptions {
  /** Only this path and what is under it. */
  path?: string
  /** Levels below --path to include (1 = its direct children). */
  depth?: number
}

export function treeEntries(tree: FileTree, options: TreeViewOptions = {}): TreeEntry[] {
  const root = normalizeRoot(options.path)
  const baseDepth = root === '/' ? 0 : root.split('/').length - 1
  const out: TreeEntry[] = []
  for (const node of tree.walk(root)) {
    const depth = node.path.split('/').length - 1 - baseDepth
    if (options.depth !== undefined && depth > options.depth) continue
    out.push({
      path: node.path,
      type: node.type,
      mode: node.mode & 0o7777,
      uid: node.uid,
      gid: node.gid,
      size: node.size,
      mtime: node.mtime,
      ...(node.linkTarget !== undefined ? {linkTarget: node.linkTarget} : {}),
      ...(node.xattrs !== undefined ? {xattrs: node.xattrs} : {}),
      layer: node.layer,
      ...(node.source ? {source: node.source} : {}),
    })
  }
  return out
}

function normalizeRoot(path?: string): string {
  return path ? cleanPath(path) : '/'
}
