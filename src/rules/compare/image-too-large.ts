import type {Finding, RuleMeta} from '../types.js'
import type {CompareContext} from './context.js'
import {finding, type CompareRule} from './rule.js'

/** Lambda quotas: "Container image code package size: 10 GB (maximum uncompressed image size, including all layers)". */
export const MAX_IMAGE_BYTES = 10_737_418_240
export const WARN_IMAGE_BYTES = 9 * 1024 ** 3

export const meta: RuleMeta = {
  id: 'image-too-large',
  title: 'Image is over (or close to) Lambda\'s 10 GB uncompressed limit',
  severity: 'error',
  why: 'Lambda rejects container images whose uncompressed size, all layers included, exceeds 10 GB. Above 9 GiB the next dependency bump is likely to cross it.',
  fix: 'Use a multi-stage build so build tools and caches stay out of the final image, delete files in the same RUN that created them (a later layer that deletes still ships the bytes), and drop unused layers\' content.',
  scope: 'compare',
}

export function check(ctx: CompareContext): Finding[] {
  const total = ctx.layers.reduce((sum, l) => sum + l.uncompressedSize, 0)
  if (total <= WARN_IMAGE_BYTES) return []
  const over = total > MAX_IMAGE_BYTES
  const largest = [...ctx.layers].sort((a, b) => b.uncompressedSize - a.uncompressedSize)[0]
  return [
    finding(meta, {
      severity: over ? 'error' : 'warning',
      layer: largest?.layer.index,
      message: `the image is ${gib(total)} uncompressed (${total} bytes)${over ? ', over' : ', close to'} Lambda's limit of 10 GB (${MAX_IMAGE_BYTES} bytes); the largest layer is ${largest?.layer.index} with ${gib(largest?.uncompressedSize ?? 0)}`,
      expected: {maxUncompressedBytes: MAX_IMAGE_BYTES},
      actual: {uncompressedBytes: total, layers: ctx.layers.map((l) => l.uncompressedSize)},
    }),
  ]
}

function gib(bytes: number): string {
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`
}

export const rule: CompareRule = {meta, check}
