import type {Finding, RuleMeta} from '../types.js'
import type {CompareContext} from './context.js'
import {comparedPaths, modeKnown} from './expected-scope.js'
import {octal} from './image-paths.js'
import {finding, type CompareRule} from './rule.js'

export const meta: RuleMeta = {
  id: 'mode-mismatch',
  title: 'Permission bits differ from the zip function',
  severity: 'warning',
  why: 'Lambda keeps the Unix permissions stored in a layer zip. In the image the bits differ: a lost execute bit stops a binary, script or wrapper from starting (error); other differences change who may read or write (warning).',
  fix: 'Restore the mode in the Dockerfile (`COPY --chmod=755 …` or `RUN chmod 755 /opt/…`); a COPY from a Windows checkout or a zip without Unix modes is the usual cause.',
  scope: 'compare',
}

export function check(ctx: CompareContext): Finding[] {
  const findings: Finding[] = []
  for (const {expected, found} of comparedPaths(ctx)) {
    if (!found || (expected.type !== 'file' && expected.type !== 'directory')) continue
    if (!modeKnown(ctx, expected)) continue // the zip entry carried no Unix mode
    let actual = found.node
    if (actual.type === 'hardlink' && actual.linkTarget) actual = ctx.tree.get(actual.linkTarget) ?? actual
    if (actual.type !== expected.type) continue
    const want = expected.mode & 0o777
    const have = actual.mode & 0o777
    if (want === have) continue
    const lost = want & ~have
    // Directories that gained bits are harmless and common (umask differences); only losses count.
    if (expected.type === 'directory' && lost === 0) continue
    const execLost = (lost & 0o111) !== 0
    findings.push(
      finding(meta, {
        severity: execLost ? 'error' : 'warning',
        path: expected.path,
        source: expected.source,
        layer: found.node.layer,
        message: `${expected.path} has mode ${octal(have)} in the image but ${octal(want)} in ${expected.source ?? 'the zip function'}${execLost ? ' (execute permission lost)' : ''}`,
        expected: {mode: octal(want)},
        actual: {mode: octal(have)},
      }),
    )
  }
  return findings
}

export const rule: CompareRule = {meta, check, requires: 'expected'}
