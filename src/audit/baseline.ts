/**
 * --baseline FILE: an earlier JSON report (or SARIF log) from layer-audit. Findings whose fingerprint it
 * holds are suppressed with reason "in baseline", so only new findings count for the gate. Every
 * finding in the file counts as seen, suppressed or not. Old reports without fingerprints are
 * fingerprinted here with the same recipe (report/fingerprint.ts).
 */
import {LayerAuditError} from '../errors.js'
import {FileTooLargeError, readFileCapped} from '../io/capped-read.js'
import {jsonErrorPlace} from '../io/json-syntax.js'
import {FINGERPRINT_VERSION, fingerprintOf} from '../report/fingerprint.js'
import type {Finding} from '../rules/types.js'

export const BASELINE_REASON = 'in baseline'
const MAX_BASELINE_BYTES = 256 * 1024 * 1024

export class BaselineError extends LayerAuditError {}

export async function loadBaseline(file: string): Promise<Set<string>> {
  let text: string
  try {
    text = (await readFileCapped(file, MAX_BASELINE_BYTES)).toString('utf8')
  } catch (error) {
    if (error instanceof FileTooLargeError) throw new BaselineError('TOO_LARGE', 'baseline over 256 MiB', {input: file})
    const code = (error as NodeJS.ErrnoException).code
    throw new BaselineError('NOT_FOUND', code === 'ENOENT' ? 'baseline file not found' : `cannot read baseline (${code ?? 'error'})`, {
      input: file,
      cause: error,
    })
  }
  if (text.length > MAX_BASELINE_BYTES) throw new BaselineError('TOO_LARGE', 'baseline over 256 MiB', {input: file})
  return parseBaseline(text, file)
}

export function parseBaseline(text: string, source: string): Set<string> {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (error) {
    // Never V8's message: it quotes the file.
    throw new BaselineError('CORRUPT', `baseline is not valid JSON (${jsonErrorPlace(text)})`, {input: source})
  }
  const fingerprints = new Set<string>()
  if (isRecord(data) && Array.isArray(data.findings)) {
    for (const finding of data.findings) {
      if (!isRecord(finding) || typeof finding.rule !== 'string') continue
      fingerprints.add(typeof finding.fingerprint === 'string' ? finding.fingerprint : fingerprintOf(finding as unknown as Finding))
    }
    return fingerprints
  }
  if (isRecord(data) && Array.isArray(data.runs)) {
    for (const run of data.runs) {
      const results = isRecord(run) && Array.isArray(run.results) ? run.results : []
      for (const result of results) {
        const value = isRecord(result) && isRecord(result.partialFingerprints) ? result.partialFingerprints[FINGERPRINT_VERSION] : undefined
        if (typeof value === 'string') fingerprints.add(value)
      }
    }
    return fingerprints
  }
  throw new BaselineError('UNKNOWN_FORMAT', 'not a layer-audit JSON report or SARIF log (no "findings" or "runs")', {input: source})
}

/** Suppresses findings the baseline has seen; findings already suppressed keep their reason. */
export function applyBaseline(findings: readonly Finding[], baseline: ReadonlySet<string>): Finding[] {
  return findings.map((finding) => {
    if (finding.suppressed) return finding
    const fingerprint = finding.fingerprint ?? fingerprintOf(finding)
    return baseline.has(fingerprint) ? {...finding, fingerprint, suppressed: {reason: BASELINE_REASON}} : finding
  })
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
