import type {Finding, RuleMeta} from '../types.js'
import type {CompareContext} from './context.js'
import {extensionsOf} from './extensions.js'
import {finding, type CompareRule} from './rule.js'

export const meta: RuleMeta = {
  id: 'extension-unknown-format',
  title: 'Extension is neither an ELF binary nor a #! script',
  severity: 'error',
  why: 'Lambda execs every file in /opt/extensions. A file that is neither a Linux (ELF) executable nor a script starting with #! (a README, a jar, a macOS binary, a script with a byte-order mark) fails with "exec format error" and the function fails to init.',
  fix: 'Keep only executables directly in /opt/extensions: move data files into a subdirectory, add a #! line to scripts, and ship the Linux build of binaries.',
  scope: 'compare',
}

export function check(ctx: CompareContext): Finding[] {
  const findings: Finding[] = []
  for (const ext of extensionsOf(ctx)) {
    if (ext.format?.kind !== 'unknown') continue
    findings.push(
      finding(meta, {
        path: ext.path,
        layer: ext.target?.node.layer ?? ext.node.layer,
        message: `${ext.path} is ${ext.format.hint}, which the kernel cannot execute`,
        actual: {format: ext.format.hint, size: ext.target?.node.size},
      }),
    )
  }
  return findings
}

export const rule: CompareRule = {meta, check}
