/**
 * Values that stand for a secret without being one: variable references, template slots, masks and
 * the words people type into examples. A scanner that reports these trains users to ignore it.
 */
/** Substrings that mark a made-up value. */
const PLACEHOLDER_PARTS = [
  'changeme', 'change_me', 'change-me', 'changeit', 'placeholder', 'example', 'dummy', 'redacted', 'your_',
  'your-', 'replace_', 'replace-', 'insert_', 'xxxx', '****', '....',
]
/** Whole values that are words, not secrets. */
const PLACEHOLDER_VALUES = new Set([
  'secret', 'password', 'passwd', 'token', 'apikey', 'api_key', 'none', 'null', 'nil', 'undefined', 'notset',
  'true', 'false', 'required', 'optional', 'string', 'value', 'test', 'mysecret', 'mypassword', 'mytoken',
])

export function isPlaceholder(raw: string): boolean {
  const value = raw.trim().replace(/^["'`]|["'`]$/g, '')
  if (value === '') return true
  // $VAR, ${VAR}, $(cmd), {{ .Values.x }}, <token>, %(name)s, %VAR%, @VAR@
  if (/^\$\{?[A-Za-z_][A-Za-z0-9_]*(?::?[-=?+][^}]*)?\}?$/.test(value)) return true
  if (/\$\{[^}]*\}|\$\([^)]*\)|\{\{[^}]*\}\}|^<[^>]+>$|%\([A-Za-z_]+\)s|^%[A-Za-z_]+%$|^@[A-Za-z_]+@$/.test(value)) return true
  // One character repeated ("xxxxxxxx", "00000000") or a mask.
  if (/^(.)\1*$/.test(value)) return true
  const lower = value.toLowerCase()
  if (PLACEHOLDER_VALUES.has(lower)) return true
  return PLACEHOLDER_PARTS.some((part) => lower.includes(part)) && !looksRandom(value)
}

/** A long mixed token that merely contains a word ("sk…token…") is still a token. */
function looksRandom(value: string): boolean {
  return value.length >= 32 && /[0-9]/.test(value) && /[A-Z]/.test(value) && /[a-z]/.test(value)
}
