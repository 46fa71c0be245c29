import type {Finding, RuleMeta} from '../types.js'
import type {CompareContext} from './context.js'
import {finding, type CompareRule} from './rule.js'

export const meta: RuleMeta = {
  id: 'zip-limits',
  title: 'The zip function was over the zip package limits',
  severity: 'note',
  why: 'A zip-packaged function may use at most 5 layers and 250 MB unzipped (function plus layers). The layout given is over one of them, so it could not have been deployed as a zip as described; images are not bound by these limits (10 GB instead).',
  fix: 'Nothing to fix for the image; check that the layers and code given are the ones the function really used.',
  scope: 'compare',
}

export function check(ctx: CompareContext): Finding[] {
  const limits = ctx.expected?.limits
  if (!limits) return []
  const findings: Finding[] = []
  if (limits.layers > limits.maxLayers) {
    findings.push(
      finding(meta, {
        message: `the zip side has ${limits.layers} layers; a zip function may have ${limits.maxLayers}`,
        expected: {maxLayers: limits.maxLayers},
        actual: {layers: limits.layers},
      }),
    )
  }
  if (limits.unzippedSize > limits.maxUnzippedSize) {
    findings.push(
      finding(meta, {
        message: `the zip side unzips to ${limits.unzippedSize} bytes; a zip function may unzip to ${limits.maxUnzippedSize} bytes (250 MB)`,
        expected: {maxUnzippedBytes: limits.maxUnzippedSize},
        actual: {unzippedBytes: limits.unzippedSize},
      }),
    )
  }
  return findings
}

export const rule: CompareRule = {meta, check, requires: 'expected'}
