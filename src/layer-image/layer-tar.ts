/**
 * One image layer's tar, streamed: each path's header, then (for a regular file) its content read from its
 * zip with the CRC-32 checked, then padding. Nothing is extracted to disk and no file is held whole.
 */
import type {FileNode} from '../fs/entry.js'
import type {FunctionLayout} from '../lambda/layout.js'
import {LayerAuditError} from '../errors.js'
import {padding, tarHeader, TAR_END} from './tar-header.js'

/** Fixed mtime of every entry (the Unix epoch) unless --keep-mtimes: the same zips give the same bytes any day. */
export const FIXED_MTIME = 0

export interface LayerTarOptions {
  keepMtimes?: boolean
}

export async function* layerTar(layout: FunctionLayout, nodes: readonly FileNode[], options: LayerTarOptions = {}): AsyncGenerator<Buffer> {
  for (const node of nodes) {
    const type = node.type
    if (type !== 'file' && type !== 'directory' && type !== 'symlink') {
      throw new LayerAuditError('UNSUPPORTED', `${node.path}: a ${type} cannot come from a zip`)
    }
    const size = type === 'file' ? node.size : 0
    yield tarHeader({
      name: node.path.slice(1),
      type,
      mode: node.mode & 0o7777,
      size,
      mtime: options.keepMtimes ? node.mtime : FIXED_MTIME,
      ...(type === 'symlink' ? {linkTarget: node.linkTarget ?? ''} : {}),
    })
    if (type !== 'file') continue
    let written = 0
    for await (const chunk of await layout.openFile(node.path)) {
      written += (chunk as Buffer).length
      yield chunk as Buffer
    }
    // The header promised `size` bytes: a zip that lied about it must not produce a shifted tar.
    if (written !== size) throw new LayerAuditError('CORRUPT', `${node.path}: ${written} bytes read, the zip declares ${size}`)
    yield padding(size)
  }
  yield TAR_END
}
