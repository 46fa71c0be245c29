/**
 * The reporters' last line of defence against leaking a secret. Findings should already carry redacted
 * evidence (src/secrets/redact.ts); this still masks, in every string of the report:
 * - values under keys named like a secret (`value`, `secret`, `token`, `password`, `credential`, …),
 *   unless they already look redacted ("AKIA…86", "••••") or are a sha256 fingerprint;
 * - well-known credential shapes anywhere (AWS key ids and secret assignments, GitHub/GitLab/Slack/
 *   Stripe/npm tokens, PEM private key blocks);
 * - the signature part of presigned URLs (X-Amz-* query strings).
 */
import type {Report} from '../audit/report.js'
import {redact} from '../secrets/redact.js'

const SENSITIVE_KEY = /value|secret|token|passw|pwd|credential|private|auth|api[-_]?key|session|cookie/i
/** Keys that name a secret but hold only a fingerprint, a redacted form or a description of it. */
const SAFE_KEY = /(sha256|hash|fingerprint|redacted|masked|preview|length|name|names|kind|type|count|file|path|rule|pattern)$/i

/** One alternation, so each string is searched once: AWS key ids, GitHub, GitLab, Slack, Stripe, npm tokens. */
const KNOWN_SHAPES =
  /\b(?:(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|APKA|AROA|ASCA)[A-Z0-9]{16}|gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,}|glpat-[A-Za-z0-9_-]{20,}|xox[abposr]-[A-Za-z0-9-]{10,}|[sr]k_live_[A-Za-z0-9]{16,}|npm_[A-Za-z0-9]{36})\b/g
const AWS_SECRET_ASSIGNMENT = /(aws_?secret_?access_?key|secret_?access_?key)(["']?\s*[:=]\s*["']?)([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])/gi
const PRIVATE_KEY_BLOCK = /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g
const PRESIGNED_QUERY = /(https?:\/\/[^\s?"'<>]+)\?[^\s"'<>]*X-Amz-[^\s"'<>]*/gi

function looksRedacted(value: string): boolean {
  return (value.length <= 16 && /[…•]/.test(value)) || /^sha256:[0-9a-f]{8,64}$/.test(value) || value === ''
}

/** Masks known credential shapes and presigned URL signatures inside free text. */
export function maskKnownSecrets(text: string): string {
  let out = text
  // Cheap substring checks first: most strings are paths and messages with nothing to mask.
  if (out.includes('PRIVATE KEY-----')) out = out.replace(PRIVATE_KEY_BLOCK, (_, kind: string) => `-----BEGIN ${kind}PRIVATE KEY----- (redacted)`)
  if (/x-amz-/i.test(out)) out = out.replace(PRESIGNED_QUERY, (_, base: string) => `${base}?… (signed query removed)`)
  if (/secret/i.test(out)) {
    out = out.replace(AWS_SECRET_ASSIGNMENT, (_, name: string, sep: string, secret: string) => `${name}${sep}${redact(secret)}`)
  }
  return out.replace(KNOWN_SHAPES, (match) => redact(match))
}

function scrub(value: unknown, sensitive: boolean): unknown {
  if (typeof value === 'string') return sensitive && !looksRedacted(value) ? redact(value) : maskKnownSecrets(value)
  if (Array.isArray(value)) return value.map((item) => scrub(item, sensitive))
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(value)) out[key] = scrub(item, sensitive || (SENSITIVE_KEY.test(key) && !SAFE_KEY.test(key)))
    return out
  }
  return value
}

/** A deep copy of any report-shaped value (a fleet report, a finding) that is safe to print in any format. */
export function redactValue<T>(value: T): T {
  return scrub(value, false) as T
}

/** A deep copy of the report that is safe to print in any format. */
export function redactReport(report: Report): Report {
  return redactValue(report)
}
