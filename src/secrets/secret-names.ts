/**
 * Whether a variable NAME says it holds a secret. Names are matched by segment (split on _ . -) so
 * TOKENIZERS_PARALLELISM is not a token, and *_FILE / *_PATH names (which point at a mounted secret,
 * the recommended pattern) are not secrets themselves.
 */
const SECRET_SEGMENT = /(?:^|[_.-])[A-Z0-9]*(?:SECRETS?|TOKENS?|PASSWORDS?|PASSWD|PASSPHRASE|APIKEY|CREDENTIALS?)(?:[_.-]|$)/
const SECRET_PAIR = /(?:^|[_.-])(?:API|PRIVATE|ACCESS|SECRET|SIGNING|ENCRYPTION|MASTER|CLIENT)[_.-]?KEY(?:[_.-]|$)/
const EXPLICIT = new Set(['AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_SECURITY_TOKEN', 'AWS_ACCESS_KEY_ID'])
const POINTER_SUFFIX = /[_.-](?:FILE|PATH|DIR|LOCATION|NAME|LENGTH|ARN|ID|TYPE)$/

export function isSecretName(name: string): boolean {
  const upper = name.toUpperCase()
  if (EXPLICIT.has(upper)) return true
  if (POINTER_SUFFIX.test(upper)) return false
  return SECRET_SEGMENT.test(upper) || SECRET_PAIR.test(upper)
}
