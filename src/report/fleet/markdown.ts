/**
 * The fleet as a pull-request comment or a job summary: the verdict as a heading, what was audited, one
 * summary table (a row per function: failing and unauditable ones first), then each failing function's
 * findings by severity and rule, as markdown.ts lists one report's (each rule's fix once). Every text
 * that came from the account (names, messages, paths, plans) is rendered literally (markdown-text.ts).
 */
import type {FleetReport, FleetVerdict} from '../../fleet/report.js'
import type {Severity} from '../../rules/types.js'
import {findingsByRule, RULE_DOCS_NOTE} from '../markdown.js'
import {cellCode, code, literal} from '../markdown-text.js'
import {SEVERITY_HEADINGS} from '../prepared.js'
import type {RenderOptions} from '../reporter.js'
import {TOOL_NAME, packageInfo} from '../tool-info.js'
import {byVerdict, needsAttention, prepareFleet} from './prepared.js'
import {fleetVerdictText, functionsText, imageOrPlanText, readText, scopeText} from './summary-text.js'

const MARKS: Record<FleetVerdict, string> = {pass: '✅ pass', fail: '❌ fail', error: '⚠️ error', zip: '📦 zip'}

export function renderFleetMarkdown(report: FleetReport, options: RenderOptions = {}): string {
  const prepared = prepareFleet(report, options)
  const homepage = options.informationUri ?? packageInfo().homepage
  const out: string[] = []
  out.push(`### ${prepared.failed ? '❌' : '✅'} ${TOOL_NAME} fleet: ${prepared.failed ? 'FAIL' : 'PASS'}`, '')
  out.push(`${literal(fleetVerdictText(prepared))} (gate: \`--fail-on ${prepared.failOn}\`)`, '')
  out.push(`${literal(scopeText(prepared.report))} · ${literal(functionsText(prepared))} · ${literal(readText(prepared.report.stats))}`)
  if (prepared.report.config) out.push('', `Config: ${code(prepared.report.config)}`)
  for (const warning of prepared.report.warnings ?? []) out.push('', `> **Warning:** ${literal(warning)}`)

  const ordered = byVerdict(prepared.functions)
  if (ordered.length > 0) {
    out.push('', '| function | region | verdict | errors | warnings | notes | image or plan |', '| --- | --- | --- | ---: | ---: | ---: | --- |')
    for (const {fn, verdict} of ordered) {
      const {error, warning, note} = fn.summary
      out.push(`| ${literal(fn.name)} | ${literal(fn.region)} | ${MARKS[verdict]} | ${error} | ${warning} | ${note} | ${cellCode(imageOrPlanText(fn))} |`)
    }
  }

  for (const {fn, verdict, active} of ordered.filter(needsAttention)) {
    out.push('', `#### ${MARKS[verdict].split(' ')[0]} ${literal(fn.name)} (${literal(fn.region)})`, '', code(fn.arn))
    for (const severity of ['error', 'warning', 'note'] as Severity[]) {
      const findings = active.filter((finding) => finding.severity === severity)
      if (findings.length === 0) continue
      out.push('', `**${SEVERITY_HEADINGS[severity]} (${findings.length})**`, ...findingsByRule(findings, prepared.ruleById, options, homepage))
    }
  }
  if (!homepage && ordered.some(needsAttention)) {
    out.push('', RULE_DOCS_NOTE)
  }
  return `${out.join('\n')}\n`
}
