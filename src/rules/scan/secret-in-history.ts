/**
 * A credential in the image history: a build arg in scope of a RUN (`|N NAME=value …`), an ENV or ARG
 * default, or a command line. `docker history --no-trunc` shows it to anyone who can pull the image.
 */
import {historyLayers, parseCreatedBy} from '../../secrets/history.js'
import {finalEnv} from '../../secrets/config.js'
import {clip, redactKnown} from '../../secrets/redact.js'
import {isSecretName} from '../../secrets/secret-names.js'
import type {Finding, RuleMeta} from '../types.js'
import type {ScanContext} from './context.js'
import {capitalize, describe, evidenceOf, factsIn, factsInAssignment, listOf, type SecretFact} from './secret-facts.js'

export const meta: RuleMeta = {
  id: 'secret-in-history',
  title: 'Credential in the image history',
  severity: 'error',
  why: 'Build args and ENV values are recorded in the image history (`docker history --no-trunc`), which ships with the image: a credential passed this way is readable by anyone who can pull it.',
  fix: 'Rotate the credential; pass it with a secret mount (RUN --mount=type=secret) instead of --build-arg or ENV, or fetch in a build stage and start the final stage FROM scratch (or the runtime base) copying only the files.',
  scope: 'scan',
}

interface Occurrence {
  fact: SecretFact
  entries: number[]
  layers: number[]
  where: string
}

export function check(context: ScanContext): Finding[] {
  const history = context.image.config.history ?? []
  const layerOf = historyLayers(history)
  const env = finalEnv(context.image)
  const byFingerprint = new Map<string, Occurrence>()
  const lines = new Map<string, {entry: number; text: string; secrets: string[]}>()

  history.forEach((entry, index) => {
    const createdBy = entry.created_by ?? ''
    const parsed = parseCreatedBy(createdBy)
    const found: {fact: SecretFact; where: string}[] = []
    for (const arg of parsed.buildArgs) {
      for (const fact of factsInAssignment(arg.name, arg.value)) found.push({fact, where: `build arg ${arg.name} of a RUN`})
    }
    for (const assignment of parsed.assignments) {
      const where = whereOf(parsed.instruction, assignment.name, assignment.value, env)
      for (const fact of factsInAssignment(assignment.name, assignment.value)) found.push({fact, where})
    }
    for (const text of [createdBy, entry.comment ?? '', entry.author ?? '']) {
      for (const fact of factsIn(text)) found.push({fact, where: `${parsed.instruction} instruction`})
    }
    // Every secret-named value is masked in the evidence line, reported or not.
    const masked = [...found.map((f) => f.fact.raw), ...[...parsed.buildArgs, ...parsed.assignments].filter((a) => isSecretName(a.name) && a.value).map((a) => a.value!)]
    for (const {fact, where} of found) {
      const seen = byFingerprint.get(fact.fingerprint)
      if (seen) {
        if (!seen.entries.includes(index)) seen.entries.push(index)
        const layer = layerOf[index]
        if (layer !== undefined && !seen.layers.includes(layer)) seen.layers.push(layer)
        continue
      }
      const layer = layerOf[index]
      byFingerprint.set(fact.fingerprint, {fact, entries: [index], layers: layer === undefined ? [] : [layer], where})
      lines.set(fact.fingerprint, {entry: index, text: createdBy, secrets: masked})
    }
  })

  return [...byFingerprint.values()].map(({fact, entries, layers, where}) => {
    const line = lines.get(fact.fingerprint)!
    return {
      rule: meta.id,
      severity: fact.severity,
      message: `${capitalize(describe(fact))} in history ${listOf(['entry', 'entries'], entries)}: ${where}`,
      ...(layers.length > 0 ? {layer: layers[0]} : {}),
      evidence: {
        ...evidenceOf(fact),
        history: entries,
        ...(layers.length > 0 ? {layers} : {}),
        createdBy: clip(redactKnown(line.text, line.secrets)),
      },
    } satisfies Finding
  })
}

function whereOf(instruction: string, name: string, value: string | undefined, env: Map<string, string>): string {
  if (instruction !== 'ENV') return `${instruction} ${name}`
  return env.get(name) === value ? `ENV ${name}, still set in the final config` : `ENV ${name}, overridden later but kept in history`
}
