/**
 * What `--severity` and `--quiet` leave of a report. Only the findings listed change: the summary, the
 * verdict and the exit code still count every finding, so hiding notes never turns a failing gate green
 * (and a report says how many findings it does not show, and why).
 */
import {atOrAbove, type FailOn} from './gate.js'
import type {Report} from './report.js'
import type {Severity} from '../rules/types.js'

export interface ReportViewOptions {
  /** Show findings at or above this severity. */
  severity?: Severity
  /** Show only the findings that fail the gate (unsuppressed, at or above failOn). */
  quiet?: boolean
  failOn: FailOn
}

export function reportView(report: Report, options: ReportViewOptions): Report {
  const {severity, quiet, failOn} = options
  if (!severity && !quiet) return report
  const shown = report.findings.filter(
    (f) => (!severity || atOrAbove(f.severity, severity)) && (!quiet || (!f.suppressed && atOrAbove(f.severity, failOn))),
  )
  if (shown.length === report.findings.length) return report
  const reason = quiet ? '--quiet: only findings that fail the gate are listed' : `--severity ${severity}`
  return {...report, findings: shown, notShown: {count: report.findings.length - shown.length, reason}}
}
