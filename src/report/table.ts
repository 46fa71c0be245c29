/**
 * The default terminal report: a one-line verdict, then findings grouped by rule (most severe first),
 * each group a table with the rule's fix below it; suppressed findings last, with their reasons; then one
 * dim line naming the rules that did not apply (never a table: they are not findings).
 * Long groups stop after `limit` rows with "… and N more (--verbose)".
 *
 * With `width` (the terminal's), every line fits it: prose wraps at spaces, and when a table would not fit
 * without cutting a path, every group is listed instead, each finding's text under its path. A value a
 * fix asks the user to copy (a path, a digest, an ARN) is never cut: longer than the line, it gets a line
 * of its own.
 */
import {Chalk, type ChalkInstance} from 'chalk'
import Table from 'cli-table3'
import type {Report} from '../audit/report.js'
import type {Finding, Severity} from '../rules/types.js'
import {displayText} from './escape.js'
import {groupByRule, messageText, notApplicableText, originText, plural, prepare, subjectText, verdictText, type PreparedReport} from './prepared.js'
import type {RenderOptions, Reporter} from './reporter.js'
import {fitColumns, wrapCell, type Column} from './table-layout.js'
import {displayWidth, hangingWrap, valueLine, wrapWords} from './text-wrap.js'

/** The finding column's content width when there is room: a readable measure, the same in every group. */
export const MESSAGE_MEASURE = 58
/** Narrower than this, a finding reads better as a list than squeezed into a column. */
export const MESSAGE_MIN = 30
/** A "from" column narrower than this wraps "image layer 2"; a longer origin wraps at its spaces. */
const ORIGIN_MIN = 16
/** Indent of a listed finding's text under its path. */
export const LIST_INDENT = '    '

export function paintSeverity(c: ChalkInstance, severity: Severity, label = severity.padEnd(8)): string {
  return severity === 'error' ? c.red.bold(label) : severity === 'warning' ? c.yellow.bold(label) : c.cyan(label)
}

/** Cells arrive wrapped (table-layout.ts): cli-table3 only draws, it never wraps or cuts. */
function newTable(color: boolean, head: string[], widths: (number | null)[]): Table.Table {
  return new Table({
    head,
    colWidths: widths,
    wordWrap: false,
    // No rule between rows: long groups stay readable and short.
    chars: {mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': ''},
    style: {head: color ? ['bold'] : [], border: color ? ['grey'] : [], 'padding-left': 1, 'padding-right': 1},
  })
}

export function limited<T>(items: readonly T[], options: RenderOptions): {shown: readonly T[]; hidden: number} {
  const limit = options.verbose ? Number.POSITIVE_INFINITY : (options.limit ?? 10)
  return {shown: items.slice(0, limit), hidden: Math.max(0, items.length - limit)}
}

/** Rows of one table: drawn as a table, or — when some table of the report cannot fit the width — listed. */
export interface Rows {
  columns: Column[]
  /** The rows as a list: each row's value on a line of its own, its prose wrapped under it. */
  list(width: number): string[]
}

/** Prose columns arrive wrapped to their width; the message column is set to its width (+ padding), the others to their content. */
function drawTable(rows: Rows, widths: readonly number[], color: boolean): string {
  const {columns} = rows
  const table = newTable(color, columns.map((column) => column.head), columns.map((column, i) => (column.measure ? widths[i]! + 2 : null)))
  for (let row = 0; row < columns[0]!.cells.length; row++) {
    table.push(columns.map((column, i) => (column.wrap === 'words' ? wrapCell(column.cells[row]!, widths[i]!) : column.cells[row]!)))
  }
  return table.toString()
}

/** What a terminal report takes from the options: colour or not, and the width to fit (none in a pipe). */
export function terminalOf(options: RenderOptions): {color: boolean; c: ChalkInstance; width: number | undefined; dim: (line: string) => string} {
  const color = Boolean(options.color)
  const c = new Chalk({level: color ? 1 : 0})
  const width = options.width !== undefined && options.width > 0 ? Math.floor(options.width) : undefined
  return {color, c, width, dim: (line: string) => c.dim(line)}
}

/**
 * One shape for the whole report: every table drawn when every one fits the width, else every one listed.
 * Returns how to show each of `all`.
 */
export function shapeOf(all: readonly Rows[], width: number | undefined, color: boolean): (rows: Rows) => string[] {
  const fitted = all.map((rows) => fitColumns(rows.columns, width))
  const asTables = fitted.every((widths) => widths !== undefined)
  return (rows) => (asTables ? [drawTable(rows, fitted[all.indexOf(rows)]!, color)] : rows.list(width!))
}

/** `group` decides the columns (the whole group, so they do not change with --verbose); `findings` are the rows shown. */
function findingRows(group: readonly Finding[], findings: readonly Finding[], c: ChalkInstance): Rows {
  const mixed = group.some((finding) => finding.severity !== group[0]!.severity)
  const withOrigin = group.some((finding) => originText(finding) !== '')
  const paths = findings.map((finding) => displayText(finding.path ?? '—'))
  const messages = findings.map((finding) => displayText(messageText(finding)))
  const origins = findings.map((finding) => displayText(originText(finding) || '—'))
  const columns: Column[] = [
    {head: 'path', cells: paths, wrap: 'whole'},
    ...(mixed ? [{head: 'severity', cells: findings.map((finding) => finding.severity), wrap: 'whole' as const}] : []),
    {head: 'finding', cells: messages, wrap: 'words', measure: MESSAGE_MEASURE, min: MESSAGE_MIN},
    // "image layer 2" stays on one line; a zip's path and a layer wrap at the comma.
    ...(withOrigin ? [{head: 'from', cells: origins, wrap: 'words' as const, min: Math.min(ORIGIN_MIN, Math.max(...origins.map(displayWidth)))}] : []),
  ]
  const list = (width: number): string[] => {
    const lines: string[] = []
    findings.forEach((finding, i) => {
      // In a group of mixed severities each finding's severity follows its first line, or goes under it when that is full.
      const withSeverity = (line: string): string[] => {
        if (!mixed) return [line]
        const label = paintSeverity(c, finding.severity, finding.severity)
        return displayWidth(line) + 2 + finding.severity.length <= width ? [`${line}  ${label}`] : [line, LIST_INDENT + label]
      }
      if (finding.path === undefined) {
        // No path to head it: the message itself, after a dash.
        const [first, ...rest] = hangingWrap('  — ', messages[i]!, width)
        lines.push(...withSeverity(first!), ...rest)
      } else {
        const path = valueLine('  ', paths[i]!, width)
        lines.push(...withSeverity(path).map((line, n) => (n === 0 ? c.bold(path) + line.slice(path.length) : line)))
        lines.push(...hangingWrap(LIST_INDENT, messages[i]!, width))
      }
      if (withOrigin) lines.push(...hangingWrap(`${LIST_INDENT}from `, origins[i]!, width).map((line) => c.dim(line)))
    })
    return lines
  }
  return {columns, list}
}

/** Suppressed findings: rule, path and the reason they do not count. */
function suppressedRows(findings: readonly Finding[], c: ChalkInstance): Rows {
  const rules = findings.map((finding) => finding.rule)
  const paths = findings.map((finding) => displayText(finding.path ?? '—'))
  const reasons = findings.map((finding) => displayText((finding.suppressed as {reason: string}).reason))
  const columns: Column[] = [
    {head: 'rule', cells: rules, wrap: 'whole'},
    {head: 'path', cells: paths, wrap: 'whole'},
    {head: 'reason', cells: reasons, wrap: 'words', measure: MESSAGE_MEASURE, min: MESSAGE_MIN},
  ]
  const list = (width: number): string[] => {
    const lines: string[] = []
    findings.forEach((_, i) => {
      const both = `  ${rules[i]}  ${paths[i]}`
      if (displayWidth(both) <= width) lines.push(both)
      else lines.push(`  ${rules[i]}`, valueLine('  ', paths[i]!, width))
      lines.push(...hangingWrap(LIST_INDENT, reasons[i]!, width))
    })
    return lines.map((line) => c.dim(line))
  }
  return {columns, list}
}

/**
 * The verdict on one line; when that is wider than the terminal, "FAIL: 3 errors" on a line of its own
 * and what was audited wrapped beside it — below it at the top, above it at the end, so the report's
 * last line is always the verdict (what a CI log's tail shows).
 */
function verdictLines(prepared: PreparedReport, c: ChalkInstance, width: number | undefined, at: 'top' | 'end'): string[] {
  const paint = (line: string) => (prepared.failed ? c.red.bold(line) : c.green.bold(line))
  const verdict = verdictText(prepared)
  if (width === undefined || displayWidth(verdict) <= width) return [paint(verdict)]
  // verdictText is "<status>: <counts> — <subject>"; the status and counts are short, the subject is a path.
  const status = wrapWords(verdict.slice(0, verdict.length - ` — ${subjectText(prepared.report)}`.length), width).map(paint)
  const subject = wrapWords(subjectText(prepared.report), width).map((line) => c.dim(line))
  return at === 'top' ? [...status, ...subject] : [...subject, ...status]
}

/**
 * "error   missing-file — File … (2)": the severity label, the rule id in bold, the title and count,
 * wrapped under the rule id. Coloured after wrapping; a rule id too long for the line after the label
 * has a line of its own (hangingWrap), so each part is found where it landed.
 */
function groupHeading(severity: Severity, ruleId: string, rest: string, c: ChalkInstance, width: number | undefined): string[] {
  const label = severity.padEnd(8)
  const lines = hangingWrap(label, ruleId + rest, width)
  const [first, ...more] = lines
  if (first!.startsWith(label)) return [paintSeverity(c, severity) + c.bold(ruleId) + first!.slice(label.length + ruleId.length), ...more]
  // The label alone, then the rule id starting the next line.
  return [paintSeverity(c, severity, first!), c.bold(ruleId) + more[0]!.slice(ruleId.length), ...more.slice(1)]
}

/** Prose wrapped to the width, continuation lines under the text after `first`, each line painted. */
function prose(first: string, text: string, width: number | undefined, paint: (line: string) => string): string[] {
  return hangingWrap(first, text, width).map(paint)
}

export function renderTable(report: Report, options: RenderOptions = {}): string {
  const prepared = prepare(report, options)
  const {color, c, width, dim} = terminalOf(options)

  const groups = [...groupByRule(prepared.active)].map(([ruleId, findings]) => {
    const {shown, hidden} = limited(findings, options)
    return {ruleId, findings, hidden, rows: findingRows(findings, shown, c)}
  })
  const suppressed = limited(prepared.suppressed, options)
  const suppressedTable = prepared.suppressed.length > 0 ? suppressedRows(suppressed.shown, c) : undefined
  // One shape for the whole report: tables when every one fits the width, else every group listed.
  const all = [...groups.map((group) => group.rows), ...(suppressedTable ? [suppressedTable] : [])]
  const show = shapeOf(all, width, color)

  // --quiet: the failing findings (the report already holds only those) and the verdict, once, last.
  const quiet = options.quiet === true
  const {config} = prepared.report
  const lines: string[] = quiet ? [] : [...verdictLines(prepared, c, width, 'top')]
  if (config && !quiet) lines.push(...prose('config: ', displayText(config), width, dim))
  for (const {ruleId, findings, hidden, rows} of groups) {
    const rule = prepared.ruleById.get(ruleId)
    const title = rule && rule.title !== ruleId ? ` — ${rule.title}` : ''
    const also = [...new Set(findings.flatMap((finding) => finding.alsoRules ?? []))]
    const folded = also.length > 0 ? ` (also ${also.join(', ')})` : ''
    if (lines.length > 0) lines.push('')
    lines.push(...groupHeading(findings[0]!.severity, ruleId, `${title} (${findings.length})${folded}`, c, width))
    lines.push(...show(rows))
    if (hidden > 0) lines.push(c.dim(`… and ${hidden} more (--verbose)`))
    if (rule?.fix) {
      const fix = hangingWrap('fix: ', rule.fix, width)
      lines.push(`${c.bold('fix:')}${fix[0]!.slice('fix:'.length)}`, ...fix.slice(1))
    }
  }

  if (suppressedTable && !quiet) {
    lines.push('', ...prose('', `suppressed (${prepared.suppressed.length}, not counted)`, width, dim), ...show(suppressedTable))
    if (suppressed.hidden > 0) lines.push(c.dim(`… and ${suppressed.hidden} more (--verbose)`))
  }

  if (prepared.notApplicable.length > 0 && !quiet) lines.push('', ...prose('not applicable: ', displayText(notApplicableText(prepared.notApplicable)), width, dim))
  // What the user must know about the audit itself (an expired ignore, a --dockerfile that does not match the image).
  for (const warning of prepared.report.warnings ?? []) lines.push('', ...prose('warning: ', displayText(warning), width, (line) => c.yellow(line)))

  // The counters are for the curious (--verbose; JSON always has them, see docs/reports.md).
  const stats = Object.entries(prepared.report.stats ?? {})
  if (options.verbose && stats.length > 0) lines.push('', ...prose('', stats.map(([key, value]) => `${key}: ${value}`).join(', '), width, dim))
  if (prepared.active.length > 0 && !prepared.failed && !quiet) {
    lines.push('', ...prose('', `${plural(prepared.active.length, 'finding')} below --fail-on ${prepared.failOn}`, width, dim))
  }
  const {notShown} = prepared.report
  if (notShown && !quiet) lines.push('', ...prose('', `${plural(notShown.count, 'finding')} not listed (${notShown.reason}); the counts include them`, width, dim))
  // The verdict again, last: what a CI log's tail shows (with --quiet, its only place).
  if (quiet) lines.push(...(lines.length > 0 ? [''] : []), ...verdictLines(prepared, c, width, 'end'))
  else if (lines.length > 1) lines.push('', ...verdictLines(prepared, c, width, 'end'))
  return `${lines.join('\n')}\n`
}

export const tableReporter: Reporter = {format: 'table', render: renderTable}
