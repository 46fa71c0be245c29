/** The one-glance answer: counts, bytes, where the layers part, and what the change means for Lambda. */
import type {ConfigChange, DiffSummary, FileChange, ManifestDiff} from './model.js'
import {isAtOrUnder} from '../fs/tree-order.js'

/** Lambda's limit on an image function's uncompressed layers. */
export const LAMBDA_IMAGE_LIMIT = 10 * 1024 ** 3

export interface SummaryInput {
  files: readonly FileChange[]
  config: readonly ConfigChange[]
  manifest: ManifestDiff
  /** Layer stack and history differences count: off for --semantic, where only content matters. Media
   *  types and recompressed layers never count — the same image as docker-archive and as OCI is the same. */
  countManifest: boolean
  sizeA: number
  sizeB: number
}

export function summarizeDiff(input: SummaryInput): DiffSummary {
  const {files, config, manifest} = input
  const counts = {added: 0, removed: 0, modified: 0}
  let bytesAdded = 0
  let bytesRemoved = 0
  for (const change of files) {
    counts[change.kind]++
    const sizeA = change.a?.size ?? 0
    const sizeB = change.b?.size ?? 0
    if (sizeB > sizeA) bytesAdded += sizeB - sizeA
    else bytesRemoved += sizeA - sizeB
    // What a folded directory held went with it (removed, or A's side of a type change) or came with it.
    if (change.bytesBelow) {
      if (change.kind === 'removed' || (change.kind === 'modified' && change.a?.type === 'directory')) bytesRemoved += change.bytesBelow
      else bytesAdded += change.bytesBelow
    }
  }
  const touches = (dir: string) => files.some((change) => isAtOrUnder(change.path, dir))
  const onlyA = manifest.layers.a.filter((l) => !l.shared).length
  const onlyB = manifest.layers.b.filter((l) => !l.shared).length
  const manifestDiffers = input.countManifest && (manifest.firstDivergingLayer !== undefined || manifest.firstDivergingHistory !== undefined)
  return {
    same: files.length === 0 && config.length === 0 && !manifestDiffers,
    files: counts,
    config: config.length,
    layers: {onlyA, onlyB, shared: manifest.layers.b.length - onlyB},
    bytesAdded,
    bytesRemoved,
    ...(manifest.firstDivergingLayer !== undefined ? {firstDivergingLayer: manifest.firstDivergingLayer} : {}),
    lambda: {
      opt: touches('/opt'),
      extensions: touches('/opt/extensions'),
      task: touches('/var/task'),
      entrypoint: config.some((c) => c.key === 'entrypoint'),
      handler: config.some((c) => c.key === 'cmd'),
      sizeA: input.sizeA,
      sizeB: input.sizeB,
      overLimit: input.sizeB > LAMBDA_IMAGE_LIMIT,
    },
  }
}
