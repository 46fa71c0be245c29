/** The Report itself as JSON: what `--json` and `--format json` print, and what --baseline reads back. */
import type {Report} from '../audit/report.js'
import {withFingerprints} from './fingerprint.js'
import {redactReport} from './redaction.js'
import type {RenderOptions, Reporter} from './reporter.js'

/**
 * The report as given (findings in their order), redacted and with every fingerprint filled in, and
 * always a `notApplicable` list (empty when every rule ran).
 */
export function toJsonReport(report: Report): Report {
  const redacted = redactReport(report)
  return {...redacted, findings: withFingerprints(redacted.findings), notApplicable: redacted.notApplicable ?? []}
}

export function renderJson(report: Report, _options: RenderOptions = {}): string {
  return `${JSON.stringify(toJsonReport(report), null, 2)}\n`
}

export const jsonReporter: Reporter = {format: 'json', render: renderJson}
