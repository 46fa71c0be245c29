import type {FileNode} from '../../fs/entry.js'
import type {Finding, RuleMeta} from '../types.js'
import type {CompareContext} from './context.js'
import {comparedPaths, SubtreeSkipper} from './expected-scope.js'
import {isFileLike, resolvePath} from './image-paths.js'
import {finding, type CompareRule} from './rule.js'

export const meta: RuleMeta = {
  id: 'type-mismatch',
  title: 'Path has a different type in the image',
  severity: 'error',
  why: 'A path that was a file in the zip function is a directory or symlink in the image (or the other way round), so code that opens, lists or execs it behaves differently.',
  fix: 'Copy the path so it keeps its type; when a symlink became a file (zip flattens links) or a file became a symlink, check that it still points at the same content.',
  scope: 'compare',
}

export function check(ctx: CompareContext): Finding[] {
  const findings: Finding[] = []
  const skipper = new SubtreeSkipper()
  for (const {expected, found} of comparedPaths(ctx)) {
    if (!found || skipper.covers(expected.path)) continue
    const actualType = kindOf(found.node)
    const expectedType = kindOf(expected)
    if (actualType === expectedType) continue
    // Below a path that changed type, every child would repeat the same story.
    if (expected.type === 'directory') skipper.skip(expected.path)
    const target = actualType === 'symlink' ? resolvePath(ctx.tree, expected.path) : undefined
    // A symlink standing in for a file of the same size or for a directory, or a file where the zip had a
    // symlink (zip tools store links as copies or as links), usually still works: say so, as a warning.
    const benign =
      (expectedType === 'file' && actualType === 'symlink' && target && isFileLike(target.node) && target.node.size === expected.size) ||
      (expectedType === 'directory' && actualType === 'symlink' && target?.node.type === 'directory') ||
      (expectedType === 'symlink' && actualType === 'file')
    findings.push(
      finding(meta, {
        severity: benign ? 'warning' : 'error',
        path: expected.path,
        source: expected.source,
        layer: found.node.layer,
        message:
          `${expected.path} is a ${actualType} in the image but a ${expectedType} in ${expected.source ?? 'the zip function'}` +
          (target ? ` (it points to ${target.path})` : ''),
        expected: {type: expectedType, ...(expected.linkTarget !== undefined ? {linkTarget: expected.linkTarget} : {})},
        actual: {type: actualType, ...(found.node.linkTarget !== undefined ? {linkTarget: found.node.linkTarget} : {})},
      }),
    )
  }
  return findings
}

/** A hardlink is a file as far as anyone reading it can tell. */
function kindOf(node: FileNode): string {
  return node.type === 'hardlink' ? 'file' : node.type
}

export const rule: CompareRule = {meta, check, requires: 'expected'}
