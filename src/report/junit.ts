/**
 * JUnit XML for CI test-report UIs (GitLab, Jenkins, Azure DevOps, GitHub test reporters).
 * One <testsuite> per rule the command runs, so every check shows up even when it passes:
 * - a rule without findings: one passing testcase, "<rule id>: no findings";
 * - a finding at or above --fail-on: a testcase with <failure> (the gate fails on it);
 * - a finding below the threshold: a passing testcase, its details in <system-out>;
 * - a suppressed finding: a <skipped> testcase whose message is the suppression reason;
 * - a rule that did not apply: one <skipped> testcase, "<rule id>: not applicable", the reason as message.
 * Testcase names are stable across builds, never a message: the finding's path, else its identity, else the
 * rule id; findings that would share a name get their fingerprint's first 12 digits. Classnames are
 * "layer-audit.<command>.<rule id>".
 * No timestamps or durations, so the output is reproducible.
 */
import {atOrAbove, type FailOn} from '../audit/gate.js'
import type {Report} from '../audit/report.js'
import type {Finding, RuleMeta} from '../rules/types.js'
import {groupByRule, messageText, originText, prepare} from './prepared.js'
import type {RenderOptions, Reporter} from './reporter.js'
import {fingerprintOf} from './fingerprint.js'
import {TOOL_NAME} from './tool-info.js'

/** Element text. XML 1.0 cannot hold most control characters even escaped: drop them. */
const NOT_XML = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u
const SPECIAL = /[&<>]/

export function xmlText(text: string): string {
  if (!NOT_XML.test(text) && !SPECIAL.test(text)) return text
  return text
    .replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
}

/** Attribute value (always double-quoted here); line breaks kept as character references. */
export function xml(text: string): string {
  return xmlText(text).replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;')
}

function details(finding: Finding, rule: RuleMeta | undefined): string {
  const lines = [`${finding.severity}: ${messageText(finding)}`]
  if (finding.alsoRules?.length) lines.push(`also: ${finding.alsoRules.join(', ')} (the same cause, reported once)`)
  if (finding.path) lines.push(`path: ${finding.path}`)
  const origin = originText(finding)
  if (origin) lines.push(`from: ${origin}`)
  if (finding.expected) lines.push(`expected: ${JSON.stringify(finding.expected)}`)
  if (finding.actual) lines.push(`actual: ${JSON.stringify(finding.actual)}`)
  if (finding.evidence) lines.push(`evidence: ${JSON.stringify(finding.evidence)}`)
  if (rule?.fix) lines.push(`fix: ${rule.fix}`)
  if (finding.fingerprint) lines.push(`fingerprint: ${finding.fingerprint}`)
  return lines.join('\n')
}

export interface Suite {
  name: string
  tests: number
  failures: number
  skipped: number
  /** <property> entries of the suite (name → value), before its testcases. */
  properties?: Record<string, string>
  cases: string[]
}

/**
 * One rule's testcases (see the header): a case per finding, a skipped case when the rule did not apply,
 * or one passing "no findings" case. `classname` is the testcases' classname, unescaped.
 */
export function ruleSuite(
  rule: RuleMeta,
  findings: {active: readonly Finding[]; suppressed: readonly Finding[]; notApplicable?: string},
  failOn: FailOn,
  classname: string,
): Suite {
  const suite: Suite = {name: rule.id, tests: 0, failures: 0, skipped: 0, cases: []}
  const open = (name: string) => `    <testcase classname="${xml(classname)}" name="${xml(name)}" time="0"`
  const named = stableNames([...findings.active, ...findings.suppressed], rule.id)
  for (const finding of findings.active) {
    suite.tests++
    const name = named.get(finding)!
    if (atOrAbove(finding.severity, failOn)) {
      suite.failures++
      suite.cases.push(
        `${open(name)}>\n      <failure message="${xml(finding.message)}" type="${finding.severity}">${xmlText(details(finding, rule))}</failure>\n    </testcase>`,
      )
    } else {
      suite.cases.push(`${open(name)}>\n      <system-out>${xmlText(details(finding, rule))}</system-out>\n    </testcase>`)
    }
  }
  for (const finding of findings.suppressed) {
    suite.tests++
    suite.skipped++
    const reason = `suppressed: ${finding.suppressed?.reason ?? ''}`
    suite.cases.push(`${open(named.get(finding)!)}>\n      <skipped message="${xml(reason)}"/>\n    </testcase>`)
  }
  const reason = findings.notApplicable
  if (reason !== undefined) {
    suite.tests++
    suite.skipped++
    suite.cases.push(`${open(`${rule.id}: not applicable`)}>\n      <skipped message="${xml(`not applicable: ${reason}`)}"/>\n    </testcase>`)
  }
  if (suite.tests === 0) {
    suite.tests = 1
    suite.cases.push(`${open(`${rule.id}: no findings`)}/>`)
  }
  return suite
}

/** The XML document: <testsuites> named `name`, with the totals, around the suites. */
export function junitDocument(name: string, suites: readonly Suite[]): string {
  const total = suites.reduce(
    (sum, suite) => ({tests: sum.tests + suite.tests, failures: sum.failures + suite.failures, skipped: sum.skipped + suite.skipped}),
    {tests: 0, failures: 0, skipped: 0},
  )
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xml(name)}" tests="${total.tests}" failures="${total.failures}" errors="0" skipped="${total.skipped}" time="0">`,
  ]
  for (const suite of suites) {
    const properties = Object.entries(suite.properties ?? {})
    out.push(
      `  <testsuite name="${xml(suite.name)}" tests="${suite.tests}" failures="${suite.failures}" errors="0" skipped="${suite.skipped}" time="0">`,
      ...(properties.length > 0
        ? ['    <properties>', ...properties.map(([key, value]) => `      <property name="${xml(key)}" value="${xml(value)}"/>`), '    </properties>']
        : []),
      ...suite.cases,
      '  </testsuite>',
    )
  }
  out.push('</testsuites>')
  return `${out.join('\n')}\n`
}

export function renderJunit(report: Report, options: RenderOptions = {}): string {
  const prepared = prepare(report, options)
  const command = prepared.report.command
  const active = groupByRule(prepared.active)
  const suppressed = groupByRule(prepared.suppressed)
  const notApplicable = new Map(prepared.notApplicable.map((n) => [n.rule, n.reason]))
  const suites = prepared.rules.map((rule) =>
    ruleSuite(
      rule,
      {active: active.get(rule.id) ?? [], suppressed: suppressed.get(rule.id) ?? [], notApplicable: notApplicable.get(rule.id)},
      prepared.failOn,
      `${TOOL_NAME}.${command}.${rule.id}`,
    ),
  )
  return junitDocument(`${TOOL_NAME} ${command} ${prepared.report.image.reference}`, suites)
}

/** A name per finding that a rebuild keeps (see the header); test-report UIs track tests by name. */
function stableNames(findings: readonly Finding[], ruleId: string): Map<Finding, string> {
  const evidenceName = (finding: Finding) => (typeof finding.evidence?.name === 'string' ? finding.evidence.name : undefined)
  const base = (finding: Finding) => finding.path ?? finding.identity ?? evidenceName(finding) ?? ruleId
  const count = (list: string[]) => list.reduce((m, name) => m.set(name, (m.get(name) ?? 0) + 1), new Map<string, number>())
  const first = findings.map(base)
  const once = count(first)
  const second = findings.map((finding, i) => (once.get(first[i]!)! > 1 ? `${first[i]} #${(finding.fingerprint ?? fingerprintOf(finding)).slice(0, 12)}` : first[i]!))
  // Same fingerprint too (a rule that gives no identity): numbered in report order, which is sorted.
  const twice = count(second)
  const seen = new Map<string, number>()
  const names = new Map<Finding, string>()
  findings.forEach((finding, i) => {
    const name = second[i]!
    const n = (seen.get(name) ?? 0) + 1
    seen.set(name, n)
    names.set(finding, twice.get(name)! > 1 ? `${name} (${n})` : name)
  })
  return names
}

export const junitReporter: Reporter = {format: 'junit', render: renderJunit}
