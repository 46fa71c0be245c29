import {Chalk} from 'chalk'

import type {TreeEntry} from '../../audit/tree-view.js'
import {displayText} from '../escape.js'
import {humanBytes, modeString} from './units.js'

/**
 * An indented tree: mode, owner, size, the layer that last wrote the entry (L<n>; "-" for directories
 * Lambda itself creates), its name and link target. Zip layouts get a legend of which zip L<n> is.
 */
export function renderTree(entries: TreeEntry[], options: {color: boolean; root?: string}): string {
  let out = ''
  for (const piece of treePieces(entries, options)) out += piece
  return out
}

/**
 * renderTree in pieces of 64 KiB: a million-line tree is never one string, and a piece's lines die young
 * (megabyte pieces outlived the young generation and grew the heap by ~150 MB on a million lines).
 */
export function* treePieces(entries: TreeEntry[], options: {color: boolean; root?: string}): Generator<string> {
  const c = new Chalk({level: options.color ? 1 : 0})
  const root = options.root && options.root !== '/' ? options.root.replace(/\/+$/, '') : '/'
  const rootDepth = root === '/' ? 1 : depthOf(root)
  let layerWidth = 2 // no spread: a million arguments overflow the stack
  for (const e of entries) layerWidth = Math.max(layerWidth, String(e.layer).length + 1)
  const sources = new Map<number, string>()
  let buffer = ''
  for (const e of entries) {
    if (e.source) sources.set(e.layer, e.source)
    const indent = depthOf(e.path) - rootDepth
    const name = displayText(e.path === root ? e.path : e.path.slice(e.path.lastIndexOf('/') + 1))
    const executable = e.type === 'file' && (e.mode & 0o111) !== 0
    const shown = e.type === 'directory' ? c.blue(name + '/') : executable ? c.green(name) : name
    const link = e.linkTarget !== undefined ? ` ${e.type === 'hardlink' ? '=>' : '->'} ${displayText(e.linkTarget)}` : ''
    const layer = (e.layer < 0 ? '-' : `L${e.layer}`).padStart(layerWidth)
    buffer += `${modeString(e.type, e.mode)} ${`${e.uid}:${e.gid}`.padStart(9)} ${humanBytes(e.size).padStart(8)} ${c.dim(layer)}  ${'  '.repeat(Math.max(0, indent))}${shown}${link}\n`
    if (buffer.length >= CHUNK) {
      yield buffer
      buffer = ''
    }
  }
  if (sources.size) {
    buffer += '\n'
    for (const [layer, source] of [...sources].sort((a, b) => a[0] - b[0])) buffer += c.dim(`L${layer} = ${displayText(source)}`) + '\n'
  }
  if (buffer) yield buffer
}

const CHUNK = 1 << 16

function depthOf(path: string): number {
  return path.split('/').filter(Boolean).length
}
