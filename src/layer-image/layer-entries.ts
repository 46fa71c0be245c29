/**
 * Which paths of a Lambda layout go into an image layer, in the order they are written: sorted, so every
 * parent directory comes before its children (a path sorts before every path it is a prefix of).
 */
import {ZipError} from '../errors.js'
import type {FileNode} from '../fs/entry.js'
import {quoteInput} from '../io/input-text.js'
import {LAYERS_ROOT, type FunctionLayout} from '../lambda/layout.js'

/**
 * With `layer`: the paths that zip wrote (as the layout of the zips up to it has them), plus their parent
 * directories as that layout has them (so a directory an earlier zip made 0700 keeps 0700). Without: every
 * path under /opt (the squashed image). /opt itself is always there, 0755, as Lambda makes it.
 */
export function layerEntries(layout: FunctionLayout, layer?: number): FileNode[] {
  const chosen = new Map<string, FileNode>()
  for (const node of layout.tree.walk(LAYERS_ROOT)) {
    if (layer !== undefined && node.layer !== layer && node.path !== LAYERS_ROOT) continue
    refuseNul(node)
    chosen.set(node.path, node)
    if (layer === undefined) continue
    for (let parent = parentOf(node.path); parent.length >= LAYERS_ROOT.length && !chosen.has(parent); parent = parentOf(parent)) {
      const dir = layout.tree.get(parent)
      if (dir) chosen.set(parent, dir)
    }
  }
  return [...chosen.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
}

function parentOf(path: string): string {
  return path.slice(0, path.lastIndexOf('/'))
}

/**
 * A zip name may hold a NUL byte; no filesystem can, and Go's archive/tar (containerd, umoci, skopeo)
 * rejects a PAX path with one: an image written with it would not unpack anywhere. Refused, named.
 */
function refuseNul(node: FileNode): void {
  if (!node.path.includes('\0') && !node.linkTarget?.includes('\0')) return
  const what = node.path.includes('\0') ? 'name' : 'symlink target'
  throw new ZipError('CORRUPT', `entry ${quoteInput(node.path)}: its ${what} holds a NUL byte, which no filesystem or tar reader accepts`, {input: node.source ?? 'a layer zip'})
}
