import {sniffFormat} from '../../inspect/file-format.js'
import type {Finding, RuleMeta} from '../types.js'
import type {CompareContext} from './context.js'
import {WRAPPER_VARIABLE} from './environment-paths.js'
import {isFileLike, octal, otherCanExecute, otherCanRead, resolvePath} from './image-paths.js'
import {finding, type CompareRule} from './rule.js'

export const meta: RuleMeta = {
  id: 'wrapper-not-executable',
  title: 'AWS_LAMBDA_EXEC_WRAPPER script cannot be run',
  severity: 'error',
  why: 'The runtime execs the wrapper as the Lambda runtime user, who does not own the image files: it needs the "other" execute bit, and read for a script. A wrapper without them (or a directory, or a script with a CRLF #! line) stops the runtime from starting.',
  fix: 'Make the wrapper executable for everyone (`COPY --chmod=755 …` or `RUN chmod 755 <wrapper>`) and keep LF line endings.',
  scope: 'compare',
  // A wrapper that lost its exec bit is also a mode mismatch: reported once here.
  subsumes: ['mode-mismatch'],
}

export function check(ctx: CompareContext): Finding[] {
  const wrapper = ctx.env[WRAPPER_VARIABLE]
  if (!wrapper?.startsWith('/')) return []
  if (ctx.kind === 'layer' && !wrapper.startsWith('/opt/')) return []
  const found = resolvePath(ctx.tree, wrapper)
  if (!found) return [] // wrapper-missing
  let node = found.node
  if (node.type === 'hardlink' && node.linkTarget) node = ctx.tree.get(node.linkTarget) ?? node
  const base = {path: wrapper, layer: node.layer, evidence: {variable: WRAPPER_VARIABLE, origin: ctx.envOrigin[WRAPPER_VARIABLE]}}
  if (!isFileLike(node)) return [finding(meta, {...base, message: `${WRAPPER_VARIABLE}=${wrapper} is a ${node.type}, not a file`, actual: {type: node.type}})]
  const head = ctx.facts(found.node)?.head
  const format = head ? sniffFormat(head) : undefined
  const script = format?.kind === 'script'
  const missing: string[] = []
  if (!otherCanExecute(node)) missing.push('execute')
  if (script && !otherCanRead(node)) missing.push('read')
  const findings: Finding[] = []
  if (missing.length > 0) {
    findings.push(
      finding(meta, {
        ...base,
        message: `${WRAPPER_VARIABLE}=${wrapper} has mode ${octal(node.mode)}: others lack ${missing.join(' and ')} permission`,
        expected: {mode: script ? 'o+rx' : 'o+x'},
        actual: {mode: octal(node.mode), uid: node.uid, gid: node.gid},
      }),
    )
  }
  if (format?.kind === 'script' && format.shebang.crlf) {
    findings.push(finding(meta, {...base, message: `${WRAPPER_VARIABLE}=${wrapper} starts with a #! line ending in CRLF`, actual: {shebang: format.shebang.line + '\r'}}))
  }
  if (format?.kind === 'unknown') {
    findings.push(finding(meta, {...base, message: `${WRAPPER_VARIABLE}=${wrapper} is ${format.hint}, which cannot be executed`, actual: {format: format.hint}}))
  }
  return findings
}

export const rule: CompareRule = {meta, check}
