/**
 * Stable finding fingerprints, so code-scanning UIs keep one alert open across runs and rebuilds, and a
 * baseline can recognise a finding it has seen before.
 *
 * fingerprint = sha256("layer-audit/v1" NUL rule NUL path NUL identity), hex.
 *
 * In: the rule id, the path inside the image (empty when the finding has none), and `Finding.identity`
 * (what tells findings of one rule at one path apart: a variable name, a secret's sha256), or, when a
 * rule sets none, `evidence.fingerprint` (the secret's own fingerprint, which the scan rules record).
 * Out, on purpose: the message (wording changes between versions), severity (a config override must not
 * open a new alert), layer indexes and digests, image digests and tags (all change on every rebuild), and
 * the expected/actual values (a file that differs differently is still the same problem).
 * Bump the "v1" only when the recipe changes; SARIF carries it as partialFingerprints["layerAudit/v1"].
 */
import {createHash} from 'node:crypto'
import type {Finding} from '../rules/types.js'

export const FINGERPRINT_VERSION = 'layerAudit/v1'

export function identityOf(finding: Pick<Finding, 'identity' | 'evidence'>): string {
  if (finding.identity !== undefined) return finding.identity
  const secret = finding.evidence?.fingerprint
  return typeof secret === 'string' ? secret : ''
}

export function fingerprintOf(finding: Pick<Finding, 'rule' | 'path' | 'identity' | 'evidence'>): string {
  return createHash('sha256')
    .update(['layer-audit/v1', finding.rule, finding.path ?? '', identityOf(finding)].join('\0'))
    .digest('hex')
}

/** The findings with `fingerprint` filled in where a rule left it out. */
export function withFingerprints(findings: readonly Finding[]): Finding[] {
  return findings.map((finding) => (finding.fingerprint ? finding : {...finding, fingerprint: fingerprintOf(finding)}))
}
