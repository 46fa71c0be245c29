/**
 * OCI whiteout markers (image-spec layer.md, "Whiteouts"). Matched on the base name with plain string
 * tests, never a regex, so a dot can never mean "any character".
 */
import type {LayerInfo} from '../image/model.js'
import type {Whiteout} from './entry.js'
import {LayerTarError} from './layer-error.js'
import {baseName, parentPath} from './path.js'

export const WHITEOUT_PREFIX = '.wh.'
/** AUFS metadata prefix; `.wh..wh..opq` is the only one with a meaning for images. */
export const WHITEOUT_META_PREFIX = '.wh..wh.'
export const OPAQUE_MARKER = '.wh..wh..opq'

/** What a cleaned path means: an ordinary entry, a whiteout, or AUFS metadata to ignore. */
export type WhiteoutMatch = {kind: 'entry'} | {kind: 'whiteout'; whiteout: Whiteout} | {kind: 'ignore'}

const ENTRY: WhiteoutMatch = {kind: 'entry'}
const IGNORE: WhiteoutMatch = {kind: 'ignore'}

/**
 * Classifies a cleaned absolute path. `.wh.NAME` removes NAME beside it; `.wh..wh..opq` makes its
 * directory opaque; other `.wh..wh.*` names (AUFS hard-link bookkeeping) are ignored, as containerd does.
 * A bare `.wh.` (or one naming `.`/`..`) names nothing and is corrupt.
 */
export function classifyPath(path: string, layer: LayerInfo, input?: string): WhiteoutMatch {
  const base = baseName(path)
  if (!base.startsWith(WHITEOUT_PREFIX)) return ENTRY
  const dir = parentPath(path)
  if (base === OPAQUE_MARKER) return {kind: 'whiteout', whiteout: {kind: 'opaque', path: dir}}
  if (base.startsWith(WHITEOUT_META_PREFIX)) return IGNORE
  const target = base.slice(WHITEOUT_PREFIX.length)
  if (target === '' || target === '.' || target === '..') {
    throw new LayerTarError('CORRUPT', layer, `whiteout ${JSON.stringify(path)} names no file`, {input})
  }
  return {kind: 'whiteout', whiteout: {kind: 'file', path: dir === '/' ? '/' + target : dir + '/' + target}}
}

/** The tar name a whiteout came from ("/a/b" file → "/a/.wh.b"; opaque "/a" → "/a/.wh..wh..opq"). */
export function whiteoutMarkerPath(whiteout: Whiteout): string {
  if (whiteout.kind === 'opaque') return (whiteout.path === '/' ? '' : whiteout.path) + '/' + OPAQUE_MARKER
  const dir = parentPath(whiteout.path)
  return (dir === '/' ? '' : dir) + '/' + WHITEOUT_PREFIX + baseName(whiteout.path)
}
