/**
 * What every reporter starts from: the report redacted, fingerprinted and sorted, the rule list it is
 * rendered against (registry rules for the command plus any rule a finding names that the list lacks),
 * and the verdict under the --fail-on threshold.
 */
import {failsGate, severityOrder, type FailOn} from '../audit/gate.js'
import type {Report} from '../audit/report.js'
import {rulesFor} from '../rules/registry.js'
import type {Finding, NotApplicable, RuleMeta, Severity} from '../rules/types.js'
import {withFingerprints} from './fingerprint.js'
import {redactReport} from './redaction.js'
import type {RenderOptions} from './reporter.js'

export interface PreparedReport {
  report: Report
  /** Unsuppressed findings, most severe first, then by rule and path. */
  active: Finding[]
  suppressed: Finding[]
  /** Rules that did not run, in the order of `rules`. Never counted, never gated. */
  notApplicable: NotApplicable[]
  rules: RuleMeta[]
  ruleById: Map<string, RuleMeta>
  failOn: FailOn
  failed: boolean
}

/** Code-point order: the same on every machine and locale, so output is reproducible (and fast). */
function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

export function compareFindings(a: Finding, b: Finding): number {
  return (
    severityOrder(a.severity, b.severity) ||
    byCodePoint(a.rule, b.rule) ||
    byCodePoint(a.path ?? '', b.path ?? '') ||
    byCodePoint(a.message, b.message)
  )
}

/**
 * The rule list, plus a descriptor for any rule a finding or a not-applicable entry names that the list
 * lacks: such a rule still needs one (SARIF ruleIndex, JUnit suite).
 */
export function withRuleStubs(
  known: readonly RuleMeta[],
  findings: readonly Finding[],
  notApplicable: readonly NotApplicable[],
  scope: RuleMeta['scope'],
): {rules: RuleMeta[]; ruleById: Map<string, RuleMeta>} {
  const rules = [...known]
  const ruleById = new Map(rules.map((rule) => [rule.id, rule]))
  const named: [string, Severity][] = [
    ...findings.map((finding): [string, Severity] => [finding.rule, finding.severity]),
    ...notApplicable.map((n): [string, Severity] => [n.rule, 'note']),
  ]
  for (const [id, severity] of named) {
    if (ruleById.has(id)) continue
    const stub: RuleMeta = {id, title: id, severity, why: '', fix: '', scope}
    rules.push(stub)
    ruleById.set(stub.id, stub)
  }
  return {rules, ruleById}
}

export function prepare(input: Report, options: RenderOptions = {}): PreparedReport {
  const redacted = redactReport(input)
  const report: Report = {...redacted, findings: withFingerprints(redacted.findings)}
  const {rules, ruleById} = withRuleStubs(options.rules ?? rulesFor(report.command), report.findings, report.notApplicable ?? [], report.command === 'scan' ? 'scan' : 'compare')
  const order = new Map(rules.map((rule, index) => [rule.id, index]))
  const notApplicable = [...(report.notApplicable ?? [])].sort((a, b) => order.get(a.rule)! - order.get(b.rule)!)
  const sorted = [...report.findings].sort(compareFindings)
  const failOn = options.failOn ?? 'error'
  return {
    report,
    active: sorted.filter((finding) => !finding.suppressed),
    suppressed: sorted.filter((finding) => finding.suppressed),
    notApplicable,
    rules,
    ruleById,
    failOn,
    failed: failsGate(report.summary, failOn),
  }
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`
}

/** "3 errors, 1 warning, 2 notes" (zero counts left out), or "no findings". */
export function countsText(summary: Report['summary']): string {
  const parts = (['error', 'warning', 'note'] as const).filter((s) => summary[s] > 0).map((s) => plural(summary[s], s))
  return parts.length > 0 ? parts.join(', ') : 'no findings'
}

/** "image fixtures/x.tar vs function my-fn" — what was audited, in a few words. */
export function subjectText(report: Report): string {
  const image = `image ${report.image.reference}`
  if (report.command !== 'compare') return image
  const fn = report.function
  if (!fn) return image
  if (fn.name) return `${image} vs function ${fn.name}`
  const parts = [fn.layers.length > 0 ? plural(fn.layers.length, 'layer') : undefined, fn.codeSource ? 'code zip' : undefined]
  const described = parts.filter(Boolean).join(' + ')
  return described ? `${image} vs ${described}` : image
}

/** "FAIL: 3 errors, 1 warning (2 suppressed) — image … vs function …" */
export function verdictText(prepared: PreparedReport): string {
  const {report, failed} = prepared
  const suppressed = report.summary.suppressed > 0 ? ` (${report.summary.suppressed} suppressed)` : ''
  // With the gate off, findings are not a pass: say what was found and that nothing gates on it.
  const verdict = failed ? 'FAIL' : prepared.failOn === 'never' && countsText(report.summary) !== 'no findings' ? 'REPORT (--fail-on never)' : 'PASS'
  return `${verdict}: ${countsText(report.summary)}${suppressed} — ${subjectText(report)}`
}

/** "layer dd.zip", "image layer 3", "layer dd.zip, image layer 3", "image layer 3, Dockerfile:12", or "". */
export function originText(finding: Finding): string {
  const parts: string[] = []
  if (finding.source) parts.push(finding.source)
  if (finding.layer !== undefined) parts.push(`image layer ${finding.layer}`)
  // --dockerfile: the line of the instruction that made it, the file by its name only (its path is in SARIF and JSON).
  if (finding.instruction) parts.push(`${finding.instruction.file.slice(finding.instruction.file.lastIndexOf('/') + 1)}:${finding.instruction.line}`)
  return parts.join(', ')
}

export const SEVERITY_HEADINGS: Record<Severity, string> = {error: 'Errors', warning: 'Warnings', note: 'Notes'}

/** Findings grouped by rule, groups in the order of their first (most severe) finding. */
export function groupByRule(findings: readonly Finding[]): Map<string, Finding[]> {
  const groups = new Map<string, Finding[]>()
  for (const finding of findings) {
    const group = groups.get(finding.rule)
    if (group) group.push(finding)
    else groups.set(finding.rule, [finding])
  }
  return groups
}

/**
 * The message, plus the redacted secret and its fingerprint when the finding carries one: what a reviewer
 * needs to match a leak across reports and to know which key to rotate, never the secret itself.
 */
export function messageText(finding: Finding): string {
  const evidence = finding.evidence as {redacted?: unknown; fingerprint?: unknown} | undefined
  if (typeof evidence?.redacted !== 'string') return finding.message
  const print = typeof evidence.fingerprint === 'string' ? ` ${evidence.fingerprint}` : ''
  return `${finding.message} [${evidence.redacted}${print}]`
}

/** "rule-a, rule-b (why); rule-c (why)": rules that share a reason named once, in rule order. */
export function notApplicableText(notApplicable: readonly NotApplicable[]): string {
  const byReason = new Map<string, string[]>()
  for (const {rule, reason} of notApplicable) {
    const group = byReason.get(reason)
    if (group) group.push(rule)
    else byReason.set(reason, [rule])
  }
  return [...byReason].map(([reason, ids]) => `${ids.join(', ')} (${reason})`).join('; ')
}
