/** Looking things up inside the image the way the Lambda runtime user would: symlinks, PATH, permissions. */
import type {FileNode} from '../../fs/entry.js'
import type {FileTree} from '../../fs/tree.js'
import {cleanPath} from '../../fs/path.js'

/** PATH Lambda sets for the runtime when the image does not say otherwise (Lambda's defined runtime variables). */
export const LAMBDA_DEFAULT_PATH = '/usr/local/bin:/usr/bin/:/bin:/opt/bin'

export interface Resolved {
  path: string
  node: FileNode
}

/** The node at a path, following symlinks in parents and at the end, inside the image only. */
export function resolvePath(tree: FileTree, path: string): Resolved | undefined {
  return tree.resolve(path, true)
}

/** The node a path names itself (a symlink stays a symlink), following symlinks in its parents. */
export function lookupPath(tree: FileTree, path: string): Resolved | undefined {
  const node = tree.get(path)
  if (node) return {path, node}
  return tree.resolve(path, false)
}

/** Regular files and hardlinks to them are what exec and open can use. */
export function isFileLike(node: FileNode): boolean {
  return node.type === 'file' || node.type === 'hardlink'
}

/** The Lambda runtime user owns nothing in the image, so the "other" bits decide. */
export function otherCanExecute(node: FileNode): boolean {
  return (node.mode & 0o001) !== 0
}

export function otherCanRead(node: FileNode): boolean {
  return (node.mode & 0o004) !== 0
}

/** Where `command` is found on PATH inside the image (command may itself be a path). */
export function findOnPath(tree: FileTree, command: string, pathVar: string | undefined): Resolved | undefined {
  if (command.includes('/')) return command.startsWith('/') ? executableAt(tree, command) : undefined
  for (const dir of (pathVar ?? LAMBDA_DEFAULT_PATH).split(':')) {
    if (!dir.startsWith('/')) continue
    const found = executableAt(tree, joinPath(dir, command))
    if (found) return found
  }
  return undefined
}

function executableAt(tree: FileTree, path: string): Resolved | undefined {
  const found = resolvePath(tree, path)
  return found && isFileLike(found.node) ? found : undefined
}

export {cleanPath}

export function joinPath(dir: string, name: string): string {
  return cleanPath(dir + '/' + name)
}

export function dirnameOf(path: string): string {
  const slash = path.lastIndexOf('/')
  return slash <= 0 ? '/' : path.slice(0, slash)
}

/** Where a symlink at `path` with `target` points, as an absolute clean path (not followed further). */
export function linkDestination(path: string, target: string): string {
  return target.startsWith('/') ? cleanPath(target) : joinPath(dirnameOf(path), target)
}

export function isUnder(path: string, root: string): boolean {
  return root === '/' || path === root || path.startsWith(root + '/')
}

/** Octal text of permission bits, for messages and evidence ("0755"). */
export function octal(mode: number): string {
  return '0' + (mode & 0o7777).toString(8).padStart(3, '0')
}
