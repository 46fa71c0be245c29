/** A credential inside a file of some layer, including files a later layer deleted or overwrote. */
import type {Finding, RuleMeta} from '../types.js'
import type {ScanContext} from './context.js'
import {describeFate, LayerFates} from './layer-fate.js'
import {capitalize, describe} from './secret-facts.js'

export const meta: RuleMeta = {
  id: 'secret-in-layer',
  title: 'Credential in a layer file',
  severity: 'error',
  why: 'Every layer ships whole: a file holding a credential can be extracted from the image even when a later layer deleted or overwrote it.',
  fix: 'Rotate the credential; keep it out of the build context and use a secret mount (RUN --mount=type=secret) or fetch it in a build stage that is not copied into the final image.',
  scope: 'scan',
}

export function check(context: ScanContext): Finding[] {
  const fates = new LayerFates(context.layers, context.tree)
  // Known credential files are reported whole by credentials-file; their lines are not repeated here.
  const credentialFiles = new Set(context.content.credentialFiles.map((hit) => `${hit.layer}\0${hit.path}`))
  const findings: Finding[] = []
  for (const hit of context.content.secrets) {
    if (credentialFiles.has(`${hit.layer}\0${hit.path}`)) continue
    const fate = fates.of(hit.path, hit.layer)
    findings.push({
      rule: meta.id,
      severity: hit.severity,
      message: `${capitalize(describe(hit))} in ${hit.path} line ${hit.line} (${describeFate(hit.layer, fate)})`,
      path: hit.path,
      layer: hit.layer,
      evidence: {
        pattern: hit.pattern,
        redacted: hit.redacted,
        fingerprint: hit.fingerprint,
        line: hit.line,
        ...(hit.occurrences > 1 ? {occurrences: hit.occurrences} : {}),
        ...(hit.name ? {name: hit.name} : {}),
        ...(hit.example ? {example: true} : {}),
        state: fate.state,
        ...(fate.by !== undefined ? {hiddenBy: fate.by} : {}),
      },
    })
  }
  return findings
}
