/**
 * The default terminal report: a one-line verdict, then findings grouped by rule (most severe first),
 * each group a table with the rule's fix below it; suppressed findings last, with their reasons; then one
 * dim line naming the rules that did not apply (never a table: they are not findings).
 * Long groups stop after `limit` rows with "… and N more (--verbose)".
 */
import {Chalk, type ChalkInstance} from 'chalk'
import Table from 'cli-table3'
import type {Report} from '../audit/report.js'
import type {Severity} from '../rules/types.js'
import {displayText} from './escape.js'
import {groupByRule, messageText, notApplicableText, originText, plural, prepare, verdictText} from './prepared.js'
import type {RenderOptions, Reporter} from './reporter.js'

const MESSAGE_WIDTH = 60

function paintSeverity(c: ChalkInstance, severity: Severity): string {
  const label = severity.padEnd(8)
  return severity === 'error' ? c.red.bold(label) : severity === 'warning' ? c.yellow.bold(label) : c.cyan(label)
}

function newTable(color: boolean, head: string[], widths: (number | null)[]): Table.Table {
  return new Table({
    head,
    colWidths: widths,
    wordWrap: true,
    // No rule between rows: long groups stay readable and short.
    chars: {mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': ''},
    style: {head: color ? ['bold'] : [], border: color ? ['grey'] : [], 'padding-left': 1, 'padding-right': 1},
  })
}

function limited<T>(items: readonly T[], options: RenderOptions): {shown: readonly T[]; hidden: number} {
  const limit = options.verbose ? Number.POSITIVE_INFINITY : (options.limit ?? 10)
  return {shown: items.slice(0, limit), hidden: Math.max(0, items.length - limit)}
}

export function renderTable(report: Report, options: RenderOptions = {}): string {
  const prepared = prepare(report, options)
  const color = Boolean(options.color)
  const c = new Chalk({level: color ? 1 : 0})
  const lines: string[] = []

  const verdict = verdictText(prepared)
  lines.push(prepared.failed ? c.red.bold(verdict) : c.green.bold(verdict))

  for (const [ruleId, findings] of groupByRule(prepared.active)) {
    const rule = prepared.ruleById.get(ruleId)
    const title = rule && rule.title !== ruleId ? ` — ${rule.title}` : ''
    lines.push('', `${paintSeverity(c, findings[0].severity)}${c.bold(ruleId)}${title} (${findings.length})`)
    const withOrigin = findings.some((finding) => originText(finding) !== '')
    const mixed = findings.some((finding) => finding.severity !== findings[0].severity)
    const head = ['path', ...(mixed ? ['severity'] : []), 'finding', ...(withOrigin ? ['from'] : [])]
    const widths = [null, ...(mixed ? [null] : []), MESSAGE_WIDTH, ...(withOrigin ? [null] : [])]
    const table = newTable(color, head, widths)
    const {shown, hidden} = limited(findings, options)
    for (const finding of shown) {
      table.push([
        displayText(finding.path ?? '—'),
        ...(mixed ? [finding.severity] : []),
        displayText(messageText(finding)),
        ...(withOrigin ? [displayText(originText(finding) || '—')] : []),
      ])
    }
    lines.push(table.toString())
    if (hidden > 0) lines.push(c.dim(`… and ${hidden} more (--verbose)`))
    if (rule?.fix) lines.push(`${c.bold('fix:')} ${rule.fix}`)
  }

  if (prepared.suppressed.length > 0) {
    lines.push('', c.dim(`suppressed (${prepared.suppressed.length}, not counted)`))
    const table = newTable(color, ['rule', 'path', 'reason'], [null, null, MESSAGE_WIDTH])
    const {shown, hidden} = limited(prepared.suppressed, options)
    for (const finding of shown) table.push([finding.rule, displayText(finding.path ?? '—'), displayText((finding.suppressed as {reason: string}).reason)])
    lines.push(table.toString())
    if (hidden > 0) lines.push(c.dim(`… and ${hidden} more (--verbose)`))
  }

  if (prepared.notApplicable.length > 0) lines.push('', c.dim(displayText(`not applicable: ${notApplicableText(prepared.notApplicable)}`)))

  // The counters are for the curious (--verbose; JSON always has them, see docs/reports.md).
  const stats = Object.entries(prepared.report.stats ?? {})
  if (options.verbose && stats.length > 0) lines.push('', c.dim(stats.map(([key, value]) => `${key}: ${value}`).join(', ')))
  if (prepared.active.length > 0 && !prepared.failed) {
    lines.push('', c.dim(`${plural(prepared.active.length, 'finding')} below --fail-on ${prepared.failOn}`))
  }
  // The verdict again, last: what a CI log's tail shows.
  if (lines.length > 1) lines.push('', prepared.failed ? c.red.bold(verdict) : c.green.bold(verdict))
  return `${lines.join('\n')}\n`
}

export const tableReporter: Reporter = {format: 'table', render: renderTable}

