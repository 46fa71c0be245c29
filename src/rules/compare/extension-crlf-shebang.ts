import type {Finding, RuleMeta} from '../types.js'
import type {CompareContext} from './context.js'
import {extensionsOf} from './extensions.js'
import {finding, type CompareRule} from './rule.js'

export const meta: RuleMeta = {
  id: 'extension-crlf-shebang',
  title: 'Extension script has a #! line ending in CRLF',
  severity: 'error',
  why: 'With Windows line endings the kernel reads the interpreter as "/bin/bash\\r" (or env looks for "python3\\r"), which does not exist: the extension fails to start with "no such file or directory" and the function fails to init.',
  fix: 'Convert the script to LF line endings (`dos2unix`, or `* text eol=lf` in .gitattributes for the repository the image is built from).',
  scope: 'compare',
  // CRLF line endings are also a content change: reported once here.
  subsumes: ['content-mismatch'],
}

export function check(ctx: CompareContext): Finding[] {
  const findings: Finding[] = []
  for (const ext of extensionsOf(ctx)) {
    if (ext.format?.kind !== 'script' || !ext.format.shebang.crlf) continue
    findings.push(
      finding(meta, {
        path: ext.path,
        layer: ext.target?.node.layer ?? ext.node.layer,
        message: `${ext.path} starts with "${ext.format.shebang.line}\\r\\n": the kernel will look for an interpreter whose name ends in a carriage return`,
        actual: {shebang: ext.format.shebang.line + '\r'},
      }),
    )
  }
  return findings
}

export const rule: CompareRule = {meta, check}
