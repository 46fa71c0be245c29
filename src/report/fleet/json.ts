/** The fleet report itself as JSON: what `fleet --json` and `--format json` print, and what `merge` reads back. */
import type {FleetReport} from '../../fleet/report.js'
import {withFingerprints} from '../fingerprint.js'
import {REPORT_SCHEMA_VERSION} from '../json.js'
import {redactValue} from '../redaction.js'

/**
 * The fleet report's version (docs/fleet.schema.json). It shares the single report's: a finding is the
 * same object in both, and a change to one is a change to the other.
 */
export const FLEET_SCHEMA_VERSION = REPORT_SCHEMA_VERSION

/** The report as given (functions and findings in their order), redacted, every fingerprint filled in, `schemaVersion` first. */
export function toJsonFleetReport(report: FleetReport): FleetReport {
  // A report read back (a shard's, for merge) may carry another version: this one describes what is written now.
  const {schemaVersion: _readBack, ...redacted} = redactValue(report)
  return {
    schemaVersion: FLEET_SCHEMA_VERSION,
    ...redacted,
    functions: redacted.functions.map((fn) => ({...fn, findings: withFingerprints(fn.findings)})),
  }
}

export function renderFleetJson(report: FleetReport): string {
  return `${JSON.stringify(toJsonFleetReport(report), null, 2)}\n`
}
