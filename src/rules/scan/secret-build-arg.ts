/** A build arg whose name says it carries a secret, even when its value is empty or not recorded. */
import {recordedArgs} from '../../secrets/attestations.js'
import {parseCreatedBy} from '../../secrets/history.js'
import {isSecretName} from '../../secrets/secret-names.js'
import type {Finding, RuleMeta} from '../types.js'
import type {ScanContext} from './context.js'
import {listOf} from './secret-facts.js'

export const meta: RuleMeta = {
  id: 'secret-build-arg',
  title: 'Secret passed as a build arg',
  severity: 'warning',
  why: 'Build arg values are recorded in the history of the stage that uses them and in provenance attestations (mode=max); even when this image shows none, the build passes a credential the leaky way.',
  fix: 'Pass the credential with a secret mount (RUN --mount=type=secret,id=NAME) instead of ARG/--build-arg.',
  scope: 'scan',
}

export function check(context: ScanContext): Finding[] {
  const byName = new Map<string, {entries: number[]; attestations: string[]}>()
  const note = (name: string) => {
    let seen = byName.get(name)
    if (!seen) byName.set(name, (seen = {entries: [], attestations: []}))
    return seen
  }
  ;(context.image.config.history ?? []).forEach((entry, index) => {
    const parsed = parseCreatedBy(entry.created_by ?? '')
    const args = parsed.instruction === 'ARG' ? parsed.assignments : parsed.buildArgs
    for (const arg of args) {
      const seen = isSecretName(arg.name) ? note(arg.name) : undefined
      if (seen && !seen.entries.includes(index)) seen.entries.push(index)
    }
  })
  for (const document of context.attestations.documents) {
    for (const arg of recordedArgs(document.statement)) {
      if (arg.from !== 'build-arg' || !isSecretName(arg.name)) continue
      const seen = note(arg.name)
      if (!seen.attestations.includes(document.manifest)) seen.attestations.push(document.manifest)
    }
  }
  return [...byName.entries()].map(([name, seen]) => {
    const places = [
      ...(seen.entries.length > 0 ? [`history ${listOf(['entry', 'entries'], seen.entries)}`] : []),
      ...(seen.attestations.length > 0 ? ['provenance attestation'] : []),
    ].join(' and ')
    return {
      rule: meta.id,
      severity: meta.severity,
      message: `${name} passed as a build arg (${places}); use a secret mount (RUN --mount=type=secret)`,
      evidence: {name, ...(seen.entries.length > 0 ? {history: seen.entries} : {}), ...(seen.attestations.length > 0 ? {attestations: seen.attestations} : {})},
    } satisfies Finding
  })
}
