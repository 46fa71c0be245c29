/**
 * The CI gate: which findings count and what the exit code is. Suppressed findings (config ignores, the
 * baseline) never count. Exit codes: 0 pass, 1 findings at or above --fail-on; 2 (usage or input error)
 * is the CLI's, for a LayerAuditError, and never comes from here.
 */
import type {Finding, Severity, Summary} from '../rules/types.js'

export type FailOn = Severity | 'never'
export const FAIL_ON_LEVELS: readonly FailOn[] = ['error', 'warning', 'note', 'never']

const RANK: Record<Severity, number> = {note: 1, warning: 2, error: 3}

/** True when `severity` is at or above the threshold; nothing is at or above 'never'. */
export function atOrAbove(severity: Severity, threshold: FailOn): boolean {
  return threshold !== 'never' && RANK[severity] >= RANK[threshold]
}

/** Severities from most to least severe, for sorting. */
export function severityOrder(a: Severity, b: Severity): number {
  return RANK[b] - RANK[a]
}

export function summarize(findings: readonly Finding[]): Summary {
  const summary: Summary = {error: 0, warning: 0, note: 0, suppressed: 0}
  for (const finding of findings) {
    if (finding.suppressed) summary.suppressed++
    else summary[finding.severity]++
  }
  return summary
}

/** Whether the gate fails: any unsuppressed finding at or above `failOn`. */
export function failsGate(input: Summary | readonly Finding[], failOn: FailOn = 'error'): boolean {
  const summary = Array.isArray(input) ? summarize(input) : (input as Summary)
  return (['error', 'warning', 'note'] as const).some((severity) => summary[severity] > 0 && atOrAbove(severity, failOn))
}

export function exitCodeFor(input: Summary | readonly Finding[], failOn: FailOn = 'error'): 0 | 1 {
  return failsGate(input, failOn) ? 1 : 0
}
