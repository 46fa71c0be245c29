/**
 * The fleet as ONE SARIF run: each function's findings are results as sarif.ts makes them, keyed by the
 * function's ARN, so a code-scanning UI keeps one alert per finding per function:
 * - `logicalLocations` name the function (`kind: "function"`, its ARN) and, for a finding with a path,
 *   the path in its image (`image:///…`, as a single report's placed findings do);
 * - `partialFingerprints["layerAuditFleet/v1"]` = sha256 over the ARN and the finding's own fingerprint:
 *   the same finding in two functions is two alerts, and stays each one's alert across runs;
 * - `properties.functionArn`, `properties.imageUri` and the finding's own `fingerprint`.
 * `tool.driver.rules` lists only the rules results name. Suppressed findings are results with
 * `suppressions`, as in a single report. Zip functions have no results; rules not applicable are not
 * listed (the JSON report has them per function).
 */
import {createHash} from 'node:crypto'
import type {FleetReport} from '../../fleet/report.js'
import type {Finding} from '../../rules/types.js'
import type {RenderOptions} from '../reporter.js'
import {locationUri, SARIF_SCHEMA_URI, sarifDriver, sarifResult} from '../sarif.js'
import {TOOL_NAME} from '../tool-info.js'
import {prepareFleet, type PreparedFunction} from './prepared.js'

export const FLEET_FINGERPRINT_VERSION = 'layerAuditFleet/v1'

export function fleetFingerprint(arn: string, finding: Finding): string {
  return createHash('sha256')
    .update(['layer-audit-fleet/v1', arn, finding.fingerprint!].join('\0'))
    .digest('hex')
}

function functionResult(prepared: PreparedFunction, finding: Finding, ruleIndex: ReadonlyMap<string, number>): Record<string, unknown> {
  const {fn} = prepared
  const reference = fn.imageUri ?? fn.arn
  const result = sarifResult(finding, ruleIndex, reference)
  const [location] = result.locations as Record<string, unknown>[]
  location!.logicalLocations = [
    {fullyQualifiedName: fn.arn, name: fn.name, kind: 'function'},
    ...(finding.path ? [{fullyQualifiedName: locationUri(finding, reference), kind: 'resource'}] : []),
  ]
  result.partialFingerprints = {[FLEET_FINGERPRINT_VERSION]: fleetFingerprint(fn.arn, finding)}
  result.properties = {
    ...(result.properties as Record<string, unknown> | undefined),
    functionArn: fn.arn,
    ...(fn.imageUri ? {imageUri: fn.imageUri} : {}),
    fingerprint: finding.fingerprint!,
  }
  return result
}

export function toFleetSarif(report: FleetReport, options: RenderOptions = {}): Record<string, unknown> {
  const prepared = prepareFleet(report, options)
  const named = new Set(prepared.functions.flatMap((fn) => fn.fn.findings.map((finding) => finding.rule)))
  const rules = prepared.rules.filter((rule) => named.has(rule.id))
  const ruleIndex = new Map(rules.map((rule, index) => [rule.id, index]))
  const results = prepared.functions.flatMap((fn) => [...fn.active, ...fn.suppressed].map((finding) => functionResult(fn, finding, ruleIndex)))
  const {regions, shard, mergedShards, summary, stats} = prepared.report
  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {driver: sarifDriver(rules, options)},
        automationDetails: {id: `${TOOL_NAME}/fleet/`},
        invocations: [
          {
            executionSuccessful: true,
            toolExecutionNotifications: (prepared.report.warnings ?? []).map((text) => ({level: 'warning', message: {text}})),
          },
        ],
        results,
        properties: {command: 'fleet', regions, ...(shard ? {shard} : {}), ...(mergedShards ? {mergedShards} : {}), summary, verdicts: prepared.verdicts, stats},
      },
    ],
  }
}

export function renderFleetSarif(report: FleetReport, options: RenderOptions = {}): string {
  return `${JSON.stringify(toFleetSarif(report, options), null, 2)}\n`
}
