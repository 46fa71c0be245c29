import type {Finding, RuleMeta} from '../types.js'
import type {CompareContext} from './context.js'
import {comparedPaths, SubtreeSkipper} from './expected-scope.js'
import {finding, type CompareRule} from './rule.js'

export const meta: RuleMeta = {
  id: 'missing-file',
  title: 'File from the zip function is missing from the image',
  severity: 'error',
  why: 'Layers cannot be attached to a container-image function: whatever a layer or the code zip put in /opt or /var/task must be inside the image at the same path, or code that loads it fails at run time.',
  fix: 'Copy the missing path into the image at build time (e.g. `COPY --from=<layer image> /opt/ /opt/`, or unzip the layer into /opt in a build stage).',
  scope: 'compare',
}

export function check(ctx: CompareContext): Finding[] {
  const findings: Finding[] = []
  const skipper = new SubtreeSkipper()
  for (const {expected: node, found} of comparedPaths(ctx)) {
    if (skipper.covers(node.path)) continue
    if (found) continue
    const what = node.type === 'directory' ? 'directory' : node.type === 'symlink' ? 'symlink' : 'file'
    const f = finding(meta, {
      message: `${what} ${node.path} from ${node.source ?? 'the zip function'} is missing from the image`,
      path: node.path,
      source: node.source,
      expected: {type: node.type, size: node.size, ...(node.linkTarget !== undefined ? {linkTarget: node.linkTarget} : {})},
    })
    findings.push(f)
    // One finding for a missing directory, not one per file under it.
    if (node.type === 'directory') skipper.skip(node.path)
  }
  for (const f of findings) {
    if (f.expected?.type === 'directory') {
      const files = countFilesUnder(ctx, f.path!)
      f.evidence = {filesUnder: files}
      if (files > 0) f.message += ` (with ${files} file${files === 1 ? '' : 's'} under it)`
    }
  }
  return findings
}

function countFilesUnder(ctx: CompareContext, path: string): number {
  let n = 0
  for (const node of ctx.expected!.tree.walk(path)) if (node.path !== path && node.type !== 'directory') n++
  return n
}

export const rule: CompareRule = {meta, check, requires: 'expected'}
