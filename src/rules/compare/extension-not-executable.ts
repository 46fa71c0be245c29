import type {Finding, RuleMeta} from '../types.js'
import type {CompareContext} from './context.js'
import {extensionsOf} from './extensions.js'
import {isFileLike, octal, otherCanExecute, otherCanRead} from './image-paths.js'
import {finding, type CompareRule} from './rule.js'

export const meta: RuleMeta = {
  id: 'extension-not-executable',
  title: 'Extension cannot be started by the Lambda runtime user',
  severity: 'error',
  why: 'Lambda starts every file in /opt/extensions as a separate process during init, running as a least-privileged user that does not own the image files: the "other" execute bit is needed, and "other" read for scripts (the interpreter must read them). Otherwise init fails with a permission error.',
  fix: 'Make it executable for everyone: `COPY --chmod=755 … /opt/extensions/` or `RUN chmod 755 /opt/extensions/<name>`; for a dangling symlink, copy its target too.',
  scope: 'compare',
  // An extension that lost its exec bit is also a mode mismatch: one problem, reported once here.
  subsumes: ['mode-mismatch'],
}

export function check(ctx: CompareContext): Finding[] {
  const findings: Finding[] = []
  for (const ext of extensionsOf(ctx)) {
    const base = {path: ext.path, layer: ext.node.layer}
    if (!ext.target) {
      findings.push(
        finding(meta, {
          ...base,
          message: `${ext.path} is a symlink to ${ext.node.linkTarget ?? '?'}, which does not exist in the image`,
          actual: {type: ext.node.type, linkTarget: ext.node.linkTarget},
        }),
      )
      continue
    }
    const node = ext.target.node.type === 'hardlink' && ext.target.node.linkTarget ? (ctx.tree.get(ext.target.node.linkTarget) ?? ext.target.node) : ext.target.node
    if (!isFileLike(node)) {
      findings.push(finding(meta, {...base, message: `${ext.path} is a ${node.type}, not a file Lambda can run`, actual: {type: node.type}}))
      continue
    }
    const script = ext.format?.kind === 'script'
    const missing: string[] = []
    if (!otherCanExecute(node)) missing.push('execute')
    if (script && !otherCanRead(node)) missing.push('read')
    if (missing.length === 0) continue
    const via = ext.target.path !== ext.path ? ` (via ${ext.target.path})` : ''
    findings.push(
      finding(meta, {
        ...base,
        layer: node.layer,
        message: `${ext.path}${via} has mode ${octal(node.mode)}: others lack ${missing.join(' and ')} permission, so Lambda cannot start it`,
        expected: {mode: script ? 'o+rx' : 'o+x'},
        actual: {mode: octal(node.mode), uid: node.uid, gid: node.gid},
      }),
    )
  }
  return findings
}

export const rule: CompareRule = {meta, check}
