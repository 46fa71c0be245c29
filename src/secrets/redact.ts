/**
 * The only way a secret leaves this module: a short prefix and suffix ("AKIA…86") and a sha256
 * fingerprint, so two reports (or a baseline) can name the same secret without holding it.
 */
import {createHash} from 'node:crypto'

const MASK = '••••'

/** At most 6 characters of a secret are shown; anything shorter than 12 is fully masked. */
export function redact(secret: string): string {
  if (secret.length < 12) return MASK
  if (secret.length < 20) return `${secret.slice(0, 2)}…${secret.slice(-1)}`
  return `${secret.slice(0, 4)}…${secret.slice(-2)}`
}

/** "sha256:" + the first 16 hex digits of sha256(secret): enough to match, useless to recover it. */
export function fingerprint(secret: string): string {
  return 'sha256:' + createHash('sha256').update(secret, 'utf8').digest('hex').slice(0, 16)
}

/** Replaces every occurrence of each secret in text by its redacted form (longest secrets first). */
export function redactKnown(text: string, secrets: Iterable<string>): string {
  const unique = [...new Set(secrets)].filter((s) => s.length > 0).sort((a, b) => b.length - a.length)
  let out = text
  for (const secret of unique) out = out.split(secret).join(redact(secret))
  return out
}

/** Cuts text for evidence after redaction, so the cut can never leave half a secret behind. */
export function clip(text: string, max = 200): string {
  return text.length <= max ? text : text.slice(0, max - 1) + '…'
}
