/**
 * The fleet at a terminal: the verdict, what was audited (regions, shard, functions by verdict, images,
 * what the layer cache saved), a row per function (failing and unauditable ones first), then the
 * findings of each function that fails, the first `limit` (10) each unless --verbose, each rule's fix
 * once at the end, and the verdict again last (what a CI log's tail shows). With --quiet: the failing
 * functions' failing findings and the verdict only.
 *
 * Built from table.ts's pieces: the same tables, the same width fitting (a table when every table of the
 * report fits, else every one listed), the same escaping of text from strangers (function names,
 * messages, paths all come from the account), colour only when asked.
 */
import type {ChalkInstance} from 'chalk'
import type {FleetReport, FleetVerdict} from '../../fleet/report.js'
import type {Finding} from '../../rules/types.js'
import {displayText} from '../escape.js'
import {countsText, messageText, plural} from '../prepared.js'
import type {RenderOptions} from '../reporter.js'
import {limited, LIST_INDENT, MESSAGE_MEASURE, MESSAGE_MIN, paintSeverity, shapeOf, terminalOf, type Rows} from '../table.js'
import type {Column} from '../table-layout.js'
import {displayWidth, hangingWrap, valueLine} from '../text-wrap.js'
import {byVerdict, needsAttention, prepareFleet, type PreparedFleet, type PreparedFunction} from './prepared.js'
import {fleetVerdictText, functionsText, imageOrPlanText, readText, scopeText} from './summary-text.js'

function paintVerdict(c: ChalkInstance, verdict: FleetVerdict, label: string): string {
  return verdict === 'fail' ? c.red.bold(label) : verdict === 'error' ? c.yellow.bold(label) : verdict === 'pass' ? c.green(label) : c.cyan(label)
}

function countsCell(fn: PreparedFunction['fn']): [string, string, string] {
  return [String(fn.summary.error), String(fn.summary.warning), String(fn.summary.note)]
}

/** A row per function: verdict, name, region, counts, and its image (or a zip function's migration plan). */
function functionRows(functions: readonly PreparedFunction[], c: ChalkInstance): Rows {
  const names = functions.map(({fn}) => displayText(fn.name))
  const regions = functions.map(({fn}) => displayText(fn.region))
  const counts = functions.map(({fn}) => countsCell(fn))
  const images = functions.map(({fn}) => displayText(imageOrPlanText(fn)))
  const columns: Column[] = [
    {head: 'verdict', cells: functions.map(({verdict}) => verdict), wrap: 'whole'},
    {head: 'function', cells: names, wrap: 'whole'},
    {head: 'region', cells: regions, wrap: 'whole'},
    {head: 'errors', cells: counts.map(([error]) => error), wrap: 'whole'},
    {head: 'warnings', cells: counts.map(([, warning]) => warning), wrap: 'whole'},
    {head: 'notes', cells: counts.map(([, , note]) => note), wrap: 'whole'},
    {head: 'image or plan', cells: images, wrap: 'words', measure: MESSAGE_MEASURE, min: MESSAGE_MIN},
  ]
  const list = (width: number): string[] =>
    functions.flatMap(({fn, verdict}, i) => {
      // Wrapped at spaces only, so a name or region is never split; the label painted once it is placed.
      const [first, ...rest] = hangingWrap(`  ${verdict.padEnd(6)}`, `${names[i]}  ${regions[i]}  ${countsText(fn.summary)}`, width)
      const label = first!.slice(0, 8)
      return [paintVerdict(c, verdict, label) + first!.slice(8), ...rest, ...hangingWrap(LIST_INDENT, images[i]!, width).map((line) => c.dim(line))]
    })
  return {columns, list}
}

/** One function's findings: severity, rule, path and the message. */
function findingRows(findings: readonly Finding[], c: ChalkInstance): Rows {
  const rules = findings.map((finding) => displayText(finding.rule))
  const paths = findings.map((finding) => displayText(finding.path ?? '—'))
  const messages = findings.map((finding) => displayText(messageText(finding)))
  const columns: Column[] = [
    {head: 'severity', cells: findings.map((finding) => finding.severity), wrap: 'whole'},
    {head: 'rule', cells: rules, wrap: 'whole'},
    {head: 'path', cells: paths, wrap: 'whole'},
    {head: 'finding', cells: messages, wrap: 'words', measure: MESSAGE_MEASURE, min: MESSAGE_MIN},
  ]
  const list = (width: number): string[] =>
    findings.flatMap((finding, i) => {
      const first = `  ${finding.severity.padEnd(8)}${rules[i]}`
      const painted = `  ${paintSeverity(c, finding.severity)}${c.bold(rules[i]!)}`
      const path = finding.path === undefined ? [] : [valueLine(LIST_INDENT, paths[i]!, width)]
      return [displayWidth(first) <= width ? painted : first, ...path, ...hangingWrap(LIST_INDENT, messages[i]!, width)]
    })
  return {columns, list}
}

interface Section {
  prepared: PreparedFunction
  findings: readonly Finding[]
  hidden: number
  rows: Rows
}

function sectionsOf(fleet: PreparedFleet, options: RenderOptions, c: ChalkInstance): Section[] {
  return byVerdict(fleet.functions)
    .filter(needsAttention)
    .map((prepared) => {
      // --quiet: only what fails the gate.
      const all = options.quiet ? prepared.failing : prepared.active
      const {shown, hidden} = limited(all, options)
      return {prepared, findings: shown, hidden, rows: findingRows(shown, c)}
    })
    .filter((section) => section.findings.length > 0)
}

function verdictLines(fleet: PreparedFleet, c: ChalkInstance, width: number | undefined): string[] {
  const paint = (line: string) => (fleet.failed ? c.red.bold(line) : c.green.bold(line))
  return hangingWrap('', fleetVerdictText(fleet), width).map(paint)
}

export function renderFleetTable(report: FleetReport, options: RenderOptions = {}): string {
  const fleet = prepareFleet(report, options)
  const {color, c, width, dim} = terminalOf(options)
  const quiet = options.quiet === true

  const ordered = byVerdict(fleet.functions)
  const summary = ordered.length > 0 && !quiet ? functionRows(ordered, c) : undefined
  const sections = sectionsOf(fleet, options, c)
  const show = shapeOf([...(summary ? [summary] : []), ...sections.map((section) => section.rows)], width, color)

  const lines: string[] = []
  if (!quiet) {
    lines.push(...verdictLines(fleet, c, width))
    for (const text of [scopeText(fleet.report), functionsText(fleet), readText(fleet.report.stats)]) lines.push(...hangingWrap('', displayText(text), width).map(dim))
    if (fleet.report.config) lines.push(...hangingWrap('config: ', displayText(fleet.report.config), width).map(dim))
    if (summary) lines.push('', ...show(summary))
  }

  for (const {prepared, hidden, rows} of sections) {
    const {fn, verdict} = prepared
    if (lines.length > 0) lines.push('')
    const heading = hangingWrap(`${verdict.toUpperCase()} `, `${displayText(fn.name)} (${displayText(fn.region)})`, width)
    lines.push(paintVerdict(c, verdict, heading[0]!), ...heading.slice(1))
    lines.push(...hangingWrap('', displayText(fn.arn), width).map(dim))
    lines.push(...show(rows))
    if (hidden > 0) lines.push(dim(`… and ${hidden} more (--verbose)`))
  }

  // Each rule's fix once, not once per function: a base layer's problem is in many functions.
  const fixed = [...new Set(sections.flatMap((section) => section.findings.map((finding) => finding.rule)))]
    .map((id) => fleet.ruleById.get(id))
    .filter((rule) => rule?.fix)
  if (fixed.length > 0 && !quiet) {
    lines.push('', c.bold('fixes:'))
    for (const rule of fixed) lines.push(...hangingWrap(`  ${displayText(rule!.id)}: `, rule!.fix, width))
  }
  for (const warning of fleet.report.warnings ?? []) lines.push('', ...hangingWrap('warning: ', displayText(warning), width).map((line) => c.yellow(line)))
  const unfixed = fleet.functions.filter((fn) => needsAttention(fn)).length - sections.length
  if (unfixed > 0 && !quiet) lines.push('', dim(`${plural(unfixed, 'failing function')} with no finding listed (--severity or --quiet left them out)`))
  // The verdict again, last: what a CI log's tail shows (with --quiet, its only place).
  if (lines.length > 0) lines.push('')
  lines.push(...verdictLines(fleet, c, width))
  return `${lines.join('\n')}\n`
}
