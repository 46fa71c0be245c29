/** The external extensions of an image: what Lambda would start from /opt/extensions, resolved and sniffed. */
import type {FileNode} from '../../fs/entry.js'
import {sniffFormat, type FileFormat} from '../../inspect/file-format.js'
import type {CompareContext} from './context.js'
import {isFileLike, resolvePath, type Resolved} from './image-paths.js'

export const EXTENSIONS_DIR = '/opt/extensions'

export interface Extension {
  /** /opt/extensions/<name> */
  path: string
  /** The entry itself (may be a symlink). */
  node: FileNode
  /** What it resolves to inside the image; undefined when a symlink dangles or loops. */
  target?: Resolved
  /** Sniffed from the captured first bytes; undefined when they were not captured. */
  format?: FileFormat
}

/**
 * Lambda starts every file directly in /opt/extensions; directories there (e.g. a `lib/` of Python
 * packages next to the launcher script, as AWS's samples do) are not started.
 */
export function extensionsOf(ctx: CompareContext): Extension[] {
  const dir = resolvePath(ctx.tree, EXTENSIONS_DIR)
  if (!dir || dir.node.type !== 'directory') return []
  const out: Extension[] = []
  for (const child of ctx.tree.children(dir.path)) {
    if (child.type === 'directory') continue
    const path = EXTENSIONS_DIR + child.path.slice(dir.path.length)
    const target = resolvePath(ctx.tree, child.path)
    if (target?.node.type === 'directory') continue
    const extension: Extension = {path, node: child}
    if (target) {
      extension.target = target
      const head = isFileLike(target.node) ? ctx.facts(target.node)?.head : undefined
      if (head) extension.format = sniffFormat(head)
    }
    out.push(extension)
  }
  return out
}
