/** A credential in a BuildKit attestation (provenance records build args and RUN environments in mode=max). */
import {jsonStrings, recordedArgs} from '../../secrets/attestations.js'
import type {Finding, RuleMeta} from '../types.js'
import type {ScanContext} from './context.js'
import {capitalize, describe, evidenceOf, factsIn, factsInAssignment, type SecretFact} from './secret-facts.js'

export const meta: RuleMeta = {
  id: 'secret-in-attestation',
  title: 'Credential in a build attestation',
  severity: 'error',
  why: 'Provenance attestations pushed with the image (docker buildx --provenance=mode=max) record every build arg and the environment of every RUN, even of stages the final image does not contain.',
  fix: 'Rotate the credential; pass it with a secret mount (RUN --mount=type=secret) instead of a build arg, or build with --provenance=mode=min.',
  scope: 'scan',
}

export function check(context: ScanContext): Finding[] {
  const findings: Finding[] = []
  for (const document of context.attestations.documents) {
    const seen = new Set<string>()
    const report = (fact: SecretFact, path: string) => {
      if (seen.has(fact.fingerprint)) return
      seen.add(fact.fingerprint)
      findings.push({
        rule: meta.id,
        severity: fact.severity,
        message: `${capitalize(describe(fact))} in ${document.predicateType ?? 'an'} attestation at ${path}`,
        evidence: {...evidenceOf(fact), attestation: document.manifest, predicateType: document.predicateType, jsonPath: path},
      })
    }
    for (const arg of recordedArgs(document.statement)) {
      for (const fact of factsInAssignment(arg.name, arg.value)) report(fact, arg.path)
    }
    for (const s of jsonStrings(document.statement)) {
      for (const fact of s.key ? factsIn(`${s.key}=${s.value}`) : factsIn(s.value)) report(fact, s.path)
    }
  }
  return findings
}
