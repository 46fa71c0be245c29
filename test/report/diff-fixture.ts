/** A hand-made diff report for the diff reporters' tests. */
import type {DiffReport} from '../../src/diff/model.js'

/** One removed file, written by a layer whose history line is `createdBy`. */
export function diffReport(createdBy: string, path = '/usr/bin/sh'): DiffReport {
  const side = (reference: string): DiffReport['a'] => ({reference, source: 'docker-archive', mediaType: 'm', platform: 'linux/amd64', layers: 1, compressedSize: 10, uncompressedSize: 20})
  const lambda = {opt: false, extensions: false, task: false, entrypoint: false, handler: false, sizeA: 20, sizeB: 10, overLimit: false}
  return {
    command: 'diff',
    a: side('a.tar'),
    b: side('b.tar'),
    options: {mode: 'merged', path: '/', ignore: [], ignoreTimestamps: false, ignoreHistory: false, semantic: false, content: false, showEnv: false},
    summary: {same: false, files: {added: 0, removed: 1, modified: 0}, config: 0, layers: {onlyA: 1, onlyB: 1, shared: 0}, bytesAdded: 0, bytesRemoved: 10, firstDivergingLayer: 0, lambda},
    files: [{path, kind: 'removed', a: {type: 'file', mode: 0o755, uid: 0, gid: 0, size: 10, mtime: 0, layer: 0, createdBy}}],
    config: [],
    manifest: {mediaType: {a: 'm', b: 'm'}, layers: {a: [], b: []}, firstDivergingLayer: 0, recompressed: []},
  }
}
