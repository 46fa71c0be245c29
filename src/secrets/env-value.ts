/** Redaction for text we display that is not a finding: ENV values (inspect --show-env), history lines. */
import {parseCreatedBy} from './history.js'
import {findSecrets} from './match.js'
import {isPlaceholder} from './placeholder.js'
import {redact, redactKnown} from './redact.js'
import {isSecretName} from './secret-names.js'

/** A value whose name says secret is masked whole; any other value has the secrets found inside it masked. */
export function redactEnvValue(name: string, value: string): string {
  if (value && isSecretName(name) && !isPlaceholder(value)) return redact(value)
  return redactSecretsIn(value)
}

/** A history `created_by`: build args, ENV and ARG values whose names say secret, and any secret a pattern finds. */
export function redactHistoryLine(createdBy: string): string {
  const parsed = parseCreatedBy(createdBy)
  const named = [...parsed.buildArgs, ...parsed.assignments]
    .filter((a) => a.value && isSecretName(a.name) && !isPlaceholder(a.value))
    .map((a) => a.value!)
  return redactKnown(createdBy, [...named, ...findSecrets(createdBy).map((m) => m.secret)])
}

export function redactSecretsIn(text: string): string {
  const found = findSecrets(text)
  return found.length ? redactKnown(text, found.map((m) => m.secret)) : text
}
