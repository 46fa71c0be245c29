/**
 * A pull-request comment: the verdict as a heading, the counts, the findings of each severity grouped by
 * rule with the rule's fix (errors and warnings open, notes and suppressed findings in collapsed
 * <details>), each rule linked to its docs when there is a home page; the rules that did not apply in a
 * last collapsed list (not findings: never counted). Lists stop after `limit` findings (default 50) to
 * stay under comment size limits.
 */
import type {Report} from '../audit/report.js'
import type {Finding, RuleMeta, Severity} from '../rules/types.js'
import {code, literal, prose} from './markdown-text.js'
import {countsText, messageText, originText, prepare, SEVERITY_HEADINGS, subjectText} from './prepared.js'
import type {RenderOptions, Reporter} from './reporter.js'
import {TOOL_NAME, packageInfo, ruleDocsPath, ruleDocsUri} from './tool-info.js'

/** A finding's message, the path it names set in code (copyable as it is), the rest rendered literally. */
function messageMarkdown(message: string, path: string | undefined): string {
  return path ? message.split(path).map(literal).join(code(path)) : literal(message)
}

/**
 * Findings grouped by rule: the rule (linked when there is a home page) and its title, one bullet per
 * finding, then the rule's fix once. Lists, not tables: a table row as wide as its longest message does
 * not fit a pull-request comment.
 */
export function findingsByRule(
  findings: readonly Finding[],
  ruleById: ReadonlyMap<string, RuleMeta>,
  options: RenderOptions,
  homepage: string | undefined,
): string[] {
  const limit = options.verbose ? Number.POSITIVE_INFINITY : (options.limit ?? 50)
  const groups = new Map<string, Finding[]>()
  for (const finding of findings) groups.set(finding.rule, [...(groups.get(finding.rule) ?? []), finding])
  const lines: string[] = []
  let shown = 0
  for (const [ruleId, group] of groups) {
    if (shown >= limit) break
    const rule = ruleById.get(ruleId)
    const uri = ruleDocsUri(ruleId, homepage)
    const name = uri ? `[${code(ruleId)}](${uri})` : code(ruleId)
    const also = [...new Set(group.flatMap((finding) => finding.alsoRules ?? []))]
    lines.push('', `**${name}**${rule && rule.title !== ruleId ? ` ${prose(rule.title)}` : ''}${also.length ? ` (also ${also.map(code).join(', ')})` : ''}`, '')
    for (const finding of group.slice(0, limit - shown)) {
      const origin = originText(finding)
      const message = messageText(finding)
      // Most messages name their path already; the path is set in code only when one does not.
      const path = finding.path && !message.includes(finding.path) ? `${code(finding.path)}: ` : ''
      lines.push(`- ${path}${messageMarkdown(message, finding.path)}${origin ? ` (from ${literal(origin)})` : ''}`)
    }
    shown += Math.min(group.length, limit - shown)
    if (rule?.fix) lines.push('', `Fix: ${prose(rule.fix)}`)
  }
  if (findings.length > shown) lines.push('', `… and ${findings.length - shown} more (run with \`--verbose\` for all).`)
  return lines
}

/** Said once when rule ids are not links (no home page): where each rule's page is. */
export const RULE_DOCS_NOTE = `Each rule is explained, with its fix, in \`${ruleDocsPath('<rule>')}\` of the ${TOOL_NAME} package.`

export function renderMarkdown(report: Report, options: RenderOptions = {}): string {
  const prepared = prepare(report, options)
  const homepage = options.informationUri ?? packageInfo().homepage
  const {summary, command} = prepared.report
  const out: string[] = []
  const mark = prepared.failed ? '❌' : '✅'
  out.push(`### ${mark} ${TOOL_NAME} ${command}: ${prepared.failed ? 'FAIL' : 'PASS'}`, '')
  out.push(`${literal(subjectText(prepared.report))}: **${countsText(summary)}** (gate: \`--fail-on ${prepared.failOn}\`)`, '')
  out.push('| errors | warnings | notes | suppressed |', '| ---: | ---: | ---: | ---: |')
  out.push(`| ${summary.error} | ${summary.warning} | ${summary.note} | ${summary.suppressed} |`)
  const {config, warnings, notShown} = prepared.report
  if (config) out.push('', `Config: ${code(config)}`)
  for (const warning of warnings ?? []) out.push('', `> **Warning:** ${literal(warning)}`)
  if (notShown) out.push('', `${notShown.count} finding${notShown.count === 1 ? '' : 's'} not listed (${literal(notShown.reason)}); the counts above include them.`)

  for (const severity of ['error', 'warning'] as Severity[]) {
    const findings = prepared.active.filter((finding) => finding.severity === severity)
    if (findings.length === 0) continue
    out.push('', `#### ${SEVERITY_HEADINGS[severity]} (${findings.length})`, ...findingsByRule(findings, prepared.ruleById, options, homepage))
  }

  const collapsed: [string, Finding[], 'finding' | 'reason'][] = [
    [SEVERITY_HEADINGS.note, prepared.active.filter((finding) => finding.severity === 'note'), 'finding'],
    ['Suppressed', prepared.suppressed, 'reason'],
  ]
  for (const [heading, findings, last] of collapsed) {
    if (findings.length === 0) continue
    out.push('', `<details><summary>${heading} (${findings.length})</summary>`)
    if (last === 'finding') out.push(...findingsByRule(findings, prepared.ruleById, options, homepage))
    else {
      out.push('')
      const limit = options.verbose ? Number.POSITIVE_INFINITY : (options.limit ?? 50)
      for (const finding of findings.slice(0, limit)) {
        out.push(`- ${code(finding.rule)}${finding.path ? ` ${code(finding.path)}` : ''}: ${literal(finding.suppressed?.reason ?? '')}`)
      }
      if (findings.length > limit) out.push('', `… and ${findings.length - limit} more (run with \`--verbose\` for all).`)
    }
    out.push('', '</details>')
  }

  if (prepared.notApplicable.length > 0) {
    out.push('', `<details><summary>Not applicable (${prepared.notApplicable.length}, not checked)</summary>`, '')
    for (const {rule, reason} of prepared.notApplicable) out.push(`- ${code(rule)}: ${literal(reason)}`)
    out.push('', '</details>')
  }
  // Without a home page the rule ids are not links: say once where their pages are rather than link a made-up site.
  if (!homepage && prepared.active.length + prepared.suppressed.length > 0) {
    out.push('', RULE_DOCS_NOTE)
  }
  return `${out.join('\n')}\n`
}

export const markdownReporter: Reporter = {format: 'markdown', render: renderMarkdown}
