/** The Report itself as JSON: what `--json` and `--format json` print, and what --baseline reads back. */
import type {Report} from '../audit/report.js'
import {withFingerprints} from './fingerprint.js'
import {redactReport} from './redaction.js'
import type {RenderOptions, Reporter} from './reporter.js'

/**
 * The JSON report's version (docs/report.schema.json, docs/reports.md): bumped when a field changes meaning
 * or is removed; a new optional field keeps it.
 */
export const REPORT_SCHEMA_VERSION = 1

/**
 * The report as given (findings in their order), redacted and with every fingerprint filled in, always a
 * `notApplicable` list (empty when every rule ran), and `schemaVersion` first, so a reader sees it before
 * anything it might misread.
 */
export function toJsonReport(report: Report): Report {
  // A report read back (a baseline) may carry another version: this one describes what is written now.
  const {schemaVersion: _readBack, ...redacted} = redactReport(report)
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    ...redacted,
    findings: withFingerprints(redacted.findings),
    notApplicable: redacted.notApplicable ?? [],
  }
}

export function renderJson(report: Report, _options: RenderOptions = {}): string {
  return `${JSON.stringify(toJsonReport(report), null, 2)}\n`
}

export const jsonReporter: Reporter = {format: 'json', render: renderJson}
