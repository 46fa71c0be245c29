import {Chalk} from 'chalk'

import type {TreeEntry} from '../../audit/tree-view.js'
import {humanBytes, modeString} from './units.js'

/** An indented tree: mode, owner, size, the layer that last wrote the entry, its name (and link target). */
export function renderTree(entries: TreeEntry[], options: {color: boolean; root?: string}): string {
  const c = new Chalk({level: options.color ? 1 : 0})
  const root = options.root && options.root !== '/' ? options.root.replace(/\/+$/, '') : ''
  const baseDepth = root ? root.split('/').length - 1 : 0
  const layerWidth = Math.max(1, ...entries.map((e) => String(e.layer).length))
  const out: string[] = []
  for (const e of entries) {
    const depth = e.path.split('/').length - 2 - baseDepth
    const name = depth < 0 ? e.path : e.path.slice(e.path.lastIndexOf('/') + 1)
    const indent = '  '.repeat(Math.max(0, depth))
    const shown = e.type === 'directory' ? c.blue(name + '/') : e.mode & 0o111 && e.type === 'file' ? c.green(name) : name
    const link = e.linkTarget !== undefined ? ` ${e.type === 'hardlink' ? '=>' : '->'} ${e.linkTarget}` : ''
    out.push(
      `${modeString(e.type, e.mode)} ${`${e.uid}:${e.gid}`.padStart(9)} ${humanBytes(e.size).padStart(8)}  ${c.dim(
        'L' + String(e.layer).padStart(layerWidth),
      )}${e.source ? c.dim(' ' + e.source) : ''}  ${indent}${shown}${link}`,
    )
  }
  return out.join('\n') + (out.length ? '\n' : '')
}
