import type {Finding, RuleMeta} from '../types.js'
import type {CompareContext} from './context.js'
import {comparedPaths} from './expected-scope.js'
import {linkDestination} from './image-paths.js'
import {finding, type CompareRule} from './rule.js'

export const meta: RuleMeta = {
  id: 'symlink-target-mismatch',
  title: 'Symlink points somewhere else in the image',
  severity: 'error',
  why: 'The layer had a symlink at this path (e.g. libfoo.so → libfoo.so.1); in the image it points to another place, so whoever follows it loads different code or nothing.',
  fix: 'Recreate the symlink with the target the layer had (`ln -sf TARGET PATH` in the Dockerfile), or copy the layer contents with a tool that preserves symlinks.',
  scope: 'compare',
}

export function check(ctx: CompareContext): Finding[] {
  const findings: Finding[] = []
  for (const {expected, found} of comparedPaths(ctx)) {
    if (expected.type !== 'symlink' || expected.linkTarget === undefined) continue
    if (!found || found.node.type !== 'symlink' || found.node.linkTarget === undefined) continue
    // "lib.so.1" and "./lib.so.1" (or an absolute spelling of the same place) are the same link.
    if (linkDestination(expected.path, expected.linkTarget) === linkDestination(found.path, found.node.linkTarget)) continue
    findings.push(
      finding(meta, {
        path: expected.path,
        source: expected.source,
        layer: found.node.layer,
        message: `${expected.path} points to ${found.node.linkTarget} in the image but to ${expected.linkTarget} in ${expected.source ?? 'the zip function'}`,
        expected: {linkTarget: expected.linkTarget},
        actual: {linkTarget: found.node.linkTarget},
      }),
    )
  }
  return findings
}

export const rule: CompareRule = {meta, check, requires: 'expected'}
