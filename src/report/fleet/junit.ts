/**
 * JUnit XML for the fleet: one <testsuite> per function (named by the function, its ARN, region and
 * verdict as <property> entries), holding what junit.ts makes of one report, rule by rule:
 * - an audited function: a testcase per finding and a passing "<rule>: no findings" per rule without any;
 * - a function that could not be audited: its findings only (saying "no findings" for rules that never
 *   ran would be a lie);
 * - a zip function: one passing "migration readiness" testcase, the plan in <system-out>.
 * Classnames are "layer-audit.fleet.<region>.<function>.<rule id>": test-report UIs that key tests by
 * classname and name keep each function's tests apart (a name may repeat across regions).
 */
import type {FleetReport} from '../../fleet/report.js'
import {displayText} from '../escape.js'
import type {RenderOptions} from '../reporter.js'
import {groupByRule} from '../prepared.js'
import {junitDocument, ruleSuite, xml, xmlText, type Suite} from '../junit.js'
import {TOOL_NAME} from '../tool-info.js'
import {prepareFleet, type PreparedFleet, type PreparedFunction} from './prepared.js'

function readinessCase(prepared: PreparedFunction, classname: string): string {
  const readiness = prepared.fn.readiness
  const lines = [
    `plan: ${readiness?.plan ?? 'unknown'}`,
    ...(readiness?.runtime ? [`runtime: ${readiness.runtime}`] : []),
    ...(readiness?.layers.length ? [`layers: ${readiness.layers.map((layer) => layer.arn).join(', ')}`] : []),
    ...(readiness?.unzippedSize !== undefined ? [`unzipped size: ${readiness.unzippedSize} bytes`] : []),
    ...(readiness?.baseImage ? [`base image: ${readiness.baseImage}`] : []),
    ...(readiness?.notes ?? []).map((note) => `note: ${note}`),
  ]
  return `    <testcase classname="${xml(`${classname}.migration-readiness`)}" name="migration readiness" time="0">\n      <system-out>${xmlText(lines.map(displayText).join('\n'))}</system-out>\n    </testcase>`
}

function functionSuite(prepared: PreparedFunction, fleet: PreparedFleet): Suite {
  const {fn, verdict} = prepared
  // Names from the account: controls and bidi overrides shown as escapes, so a test-report UI shows what is there.
  const [name, region, arn] = [fn.name, fn.region, fn.arn].map(displayText) as [string, string, string]
  const classname = `${TOOL_NAME}.fleet.${region}.${name}`
  const suite: Suite = {name, tests: 0, failures: 0, skipped: 0, properties: {arn, region, verdict}, cases: []}
  if (verdict === 'zip') {
    suite.tests = 1
    suite.cases.push(readinessCase(prepared, classname))
    return suite
  }
  const active = groupByRule(prepared.active)
  const suppressed = groupByRule(prepared.suppressed)
  const notApplicable = new Map((fn.notApplicable ?? []).map((n) => [n.rule, n.reason]))
  const rules = verdict === 'error' ? fleet.rules.filter((rule) => active.has(rule.id) || suppressed.has(rule.id)) : fleet.rules
  for (const rule of rules) {
    const part = ruleSuite(
      rule,
      {active: active.get(rule.id) ?? [], suppressed: suppressed.get(rule.id) ?? [], notApplicable: notApplicable.get(rule.id)},
      fleet.failOn,
      `${classname}.${rule.id}`,
    )
    suite.tests += part.tests
    suite.failures += part.failures
    suite.skipped += part.skipped
    suite.cases.push(...part.cases)
  }
  return suite
}

export function renderFleetJunit(report: FleetReport, options: RenderOptions = {}): string {
  const prepared = prepareFleet(report, options)
  return junitDocument(`${TOOL_NAME} fleet ${prepared.report.regions.join(', ')}`, prepared.functions.map((fn) => functionSuite(fn, prepared)))
}
