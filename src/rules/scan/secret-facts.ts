/**
 * A secret found in a name/value or a line of text, reduced to what may leave the scanner: pattern,
 * redacted form and fingerprint. `raw` exists only so the caller can redact the surrounding text; it
 * must never be put into a Finding (evidenceOf leaves it out).
 */
import {findSecrets, isAwsDocumentationKey} from '../../secrets/match.js'
import {isPlaceholder} from '../../secrets/placeholder.js'
import {fingerprint, redact} from '../../secrets/redact.js'
import {isSecretName} from '../../secrets/secret-names.js'
import type {Severity} from '../types.js'

export interface SecretFact {
  pattern: string
  description: string
  severity: Severity
  example: boolean
  redacted: string
  fingerprint: string
  /** The variable the secret was assigned to, when known. */
  name?: string
  /** Never into a Finding. */
  raw: string
}

/** Pattern id for a value reported because its variable's name says secret. */
export const SECRET_NAMED_VALUE = 'secret-named-variable'

export function factsIn(text: string): SecretFact[] {
  return findSecrets(text).map((m) => ({
    pattern: m.pattern.id,
    description: m.pattern.description,
    severity: m.severity,
    example: m.example,
    redacted: redact(m.normalized),
    fingerprint: fingerprint(m.normalized),
    name: m.name,
    raw: m.secret,
  }))
}

/**
 * Secrets in `NAME=value`: the patterns first (they see the name, which AWS secret keys need), then the
 * value itself when the name says secret and the value is not a placeholder.
 */
export function factsInAssignment(name: string, value: string | undefined): SecretFact[] {
  if (value === undefined || value === '') return []
  const facts = factsIn(`${name}=${value}`).map((f) => ({...f, name: f.name ?? name}))
  if (facts.some((f) => value.includes(f.raw))) return facts
  if (isSecretName(name) && isSecretValue(value)) {
    const example = isAwsDocumentationKey(value)
    facts.push({
      pattern: SECRET_NAMED_VALUE,
      description: `value of ${name}`,
      severity: example ? 'note' : 'error',
      example,
      redacted: redact(value),
      fingerprint: fingerprint(value),
      name,
      raw: value,
    })
  }
  return facts
}

function isSecretValue(value: string): boolean {
  return value.trim().length >= 4 && !/^\d+$/.test(value.trim()) && !isPlaceholder(value)
}

/** What a finding says about the secret: never the raw value. */
export function evidenceOf(fact: SecretFact): Record<string, unknown> {
  return {
    pattern: fact.pattern,
    redacted: fact.redacted,
    fingerprint: fact.fingerprint,
    ...(fact.name ? {name: fact.name} : {}),
    ...(fact.example ? {example: true} : {}),
  }
}

/** "AWS secret access key", or "documentation example key (AWS access key id)". */
export function describe(fact: {description: string; example: boolean}): string {
  return fact.example ? `documentation example key (${fact.description})` : fact.description
}

export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}

/** "entry 3", "entries 3, 5 and 7" */
export function listOf(word: [string, string], numbers: number[]): string {
  if (numbers.length === 1) return `${word[0]} ${numbers[0]}`
  return `${word[1]} ${numbers.slice(0, -1).join(', ')} and ${numbers[numbers.length - 1]}`
}
