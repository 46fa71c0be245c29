import type {Finding, RuleMeta} from '../types.js'
import type {CompareContext} from './context.js'
import {comparedPaths} from './expected-scope.js'
import {finding, type CompareRule} from './rule.js'

export const meta: RuleMeta = {
  id: 'content-mismatch',
  title: 'File in the image differs from the zip function',
  severity: 'error',
  why: 'The image holds different bytes at a path the layer or code zip provided (another version, a truncated copy, a text file with changed line endings), so the function no longer runs the code it was tested with.',
  fix: 'Rebuild the image from the same layer version the function used (check the layer ARN/version or the layer image tag) and copy the files unchanged.',
  scope: 'compare',
}

export function check(ctx: CompareContext): Finding[] {
  const findings: Finding[] = []
  for (const {expected, found} of comparedPaths(ctx)) {
    if (expected.type !== 'file' || !found) continue
    let actual = found.node
    if (actual.type === 'hardlink' && actual.linkTarget) actual = ctx.tree.get(actual.linkTarget) ?? actual
    if (actual.type !== 'file') continue // type-mismatch speaks for it
    const where = {path: expected.path, source: expected.source, layer: found.node.layer}
    if (actual.size !== expected.size) {
      findings.push(
        finding(meta, {
          ...where,
          message: `${expected.path} is ${actual.size} bytes in the image but ${expected.size} bytes in ${expected.source ?? 'the zip function'}`,
          expected: {size: expected.size, ...(expected.crc32 !== undefined ? {crc32: hex(expected.crc32)} : {})},
          actual: {size: actual.size},
        }),
      )
      continue
    }
    if (expected.crc32 === undefined) continue
    const facts = ctx.facts(found.node)
    if (facts?.crc32 === undefined) continue // not captured (e.g. reached through a symlinked parent)
    if (facts.crc32 === expected.crc32 >>> 0) continue
    findings.push(
      finding(meta, {
        ...where,
        message: `${expected.path} has the same size but different content than in ${expected.source ?? 'the zip function'} (CRC-32 ${hex(facts.crc32)} vs ${hex(expected.crc32)})`,
        expected: {size: expected.size, crc32: hex(expected.crc32)},
        actual: {size: actual.size, crc32: hex(facts.crc32), ...(facts.sha256 ? {sha256: facts.sha256} : {})},
      }),
    )
  }
  return findings
}

function hex(crc: number): string {
  return (crc >>> 0).toString(16).padStart(8, '0')
}

export const rule: CompareRule = {meta, check, requires: 'expected'}
