import type {Finding, RuleMeta} from '../types.js'
import type {CompareContext} from './context.js'
import {SubtreeSkipper} from './expected-scope.js'
import {finding, type CompareRule} from './rule.js'

export const meta: RuleMeta = {
  id: 'extra-file',
  title: "File in the image's /opt comes from no layer",
  severity: 'note',
  why: 'Everything under /opt used to come from the function\'s layers. A path there that no layer had was added by the image build (a newer layer version, a stray build artefact, a base image default); worth a look, rarely a failure.',
  fix: 'If it is unexpected, remove it from the build or check which layer version the image was built from; otherwise ignore this rule for the path in .layer-audit.json.',
  scope: 'compare',
}

export function check(ctx: CompareContext): Finding[] {
  if (!ctx.expected) return []
  const findings: Finding[] = []
  const skipper = new SubtreeSkipper()
  for (const node of ctx.tree.walk('/opt')) {
    if (node.path === '/opt' || skipper.covers(node.path)) continue
    if (ctx.expected.tree.has(node.path)) continue
    let files = 0
    if (node.type === 'directory') {
      skipper.skip(node.path)
      for (const child of ctx.tree.walk(node.path)) if (child.type !== 'directory') files++
    }
    findings.push(
      finding(meta, {
        path: node.path,
        layer: node.layer,
        message:
          `${node.path} is in the image but in no layer of the function` +
          (node.type === 'directory' ? ` (a directory with ${files} file${files === 1 ? '' : 's'})` : ''),
        actual: {type: node.type, size: node.size, ...(node.type === 'directory' ? {filesUnder: files} : {})},
      }),
    )
  }
  return findings
}

export const rule: CompareRule = {meta, check, requires: 'expected'}
