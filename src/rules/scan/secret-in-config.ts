/** A credential in the image config (Env, Labels) or in OCI annotations of the manifest, index or layers. */
import {configItems} from '../../secrets/config.js'
import type {Finding, RuleMeta} from '../types.js'
import type {ScanContext} from './context.js'
import {capitalize, describe, evidenceOf, factsInAssignment} from './secret-facts.js'

export const meta: RuleMeta = {
  id: 'secret-in-config',
  title: 'Credential in the image config or annotations',
  severity: 'error',
  why: 'Env, Labels and annotations ship in the image metadata: anyone who can pull the image reads them, and every container (and every process in it) sees an ENV value.',
  fix: 'Rotate the credential; remove it from ENV/LABEL/annotations and give it to the function at run time (Lambda environment variables encrypted with KMS, Secrets Manager or Parameter Store).',
  scope: 'scan',
}

export function check(context: ScanContext): Finding[] {
  const findings: Finding[] = []
  for (const item of configItems(context.image)) {
    const seen = new Set<string>()
    for (const fact of factsInAssignment(item.name, item.value)) {
      if (seen.has(fact.fingerprint)) continue
      seen.add(fact.fingerprint)
      const label = item.kind === 'env' ? `ENV ${item.name}` : `${item.where.replace(/s$/, '')} ${item.name}`
      findings.push({
        rule: meta.id,
        severity: fact.severity,
        message: `${capitalize(describe(fact))} in ${label}${item.kind === 'env' ? ' (set in every container)' : ''}`,
        ...(item.layer !== undefined ? {layer: item.layer} : {}),
        evidence: {...evidenceOf(fact), where: item.where, key: item.name},
      })
    }
  }
  return findings
}
