/** Two images' manifests and histories side by side: which layers are shared, where the stacks part. */
import type {Image} from '../image/model.js'
import {redactHistoryLine} from '../secrets/env-value.js'
import type {LayerRow, ManifestDiff} from './model.js'

export interface ManifestDiffOptions {
  /** Histories are not compared (firstDivergingHistory stays unset). */
  ignoreHistory?: boolean
  /** History `created` times are not compared. */
  ignoreTimestamps?: boolean
}

export function layerRows(image: Image): LayerRow[] {
  return image.layers.map((layer) => {
    const createdBy = layer.history?.created_by
    return {
      index: layer.index,
      ...(layer.digest ? {digest: layer.digest} : {}),
      diffId: layer.diffId,
      ...(layer.size !== undefined ? {size: layer.size} : {}),
      ...(createdBy ? {createdBy: redactHistoryLine(createdBy)} : {}),
    }
  })
}

export function diffManifests(a: Image, b: Image, options: ManifestDiffOptions = {}): ManifestDiff {
  const rowsA = layerRows(a)
  const rowsB = layerRows(b)
  const idsA = new Set(rowsA.map((r) => r.diffId))
  const idsB = new Set(rowsB.map((r) => r.diffId))
  let firstDivergingLayer: number | undefined
  const longest = Math.max(rowsA.length, rowsB.length)
  for (let i = 0; i < longest; i++) {
    if (rowsA[i]?.diffId !== rowsB[i]?.diffId) {
      firstDivergingLayer = i
      break
    }
  }
  const recompressed: number[] = []
  for (let i = 0; i < Math.min(rowsA.length, rowsB.length); i++) {
    if (rowsA[i]!.diffId === rowsB[i]!.diffId && rowsA[i]!.digest && rowsB[i]!.digest && rowsA[i]!.digest !== rowsB[i]!.digest) recompressed.push(i)
  }
  const out: ManifestDiff = {
    mediaType: {a: a.manifest.mediaType, b: b.manifest.mediaType},
    layers: {a: rowsA.map((r) => ({...r, shared: idsB.has(r.diffId)})), b: rowsB.map((r) => ({...r, shared: idsA.has(r.diffId)}))},
    recompressed,
  }
  if (firstDivergingLayer !== undefined) out.firstDivergingLayer = firstDivergingLayer
  if (!options.ignoreHistory) {
    const history = firstDivergingHistory(a, b, options.ignoreTimestamps ?? false)
    if (history !== undefined) out.firstDivergingHistory = history
  }
  return out
}

function firstDivergingHistory(a: Image, b: Image, ignoreTimestamps: boolean): number | undefined {
  const ha = a.config.history ?? []
  const hb = b.config.history ?? []
  for (let i = 0; i < Math.max(ha.length, hb.length); i++) {
    const x = ha[i]
    const y = hb[i]
    if (!x || !y) return i
    if ((x.created_by ?? '') !== (y.created_by ?? '') || Boolean(x.empty_layer) !== Boolean(y.empty_layer)) return i
    if ((x.comment ?? '') !== (y.comment ?? '') || (x.author ?? '') !== (y.author ?? '')) return i
    if (!ignoreTimestamps && (x.created ?? '') !== (y.created ?? '')) return i
  }
  return undefined
}
