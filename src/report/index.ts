/** The reporters by format; the CLI picks one with --format (table by default). */
import type {Report} from '../audit/report.js'
import {jsonReporter} from './json.js'
import {junitReporter} from './junit.js'
import {markdownReporter} from './markdown.js'
import type {RenderOptions, Reporter, ReportFormat} from './reporter.js'
import {sarifReporter} from './sarif.js'
import {tableReporter} from './table.js'

export {REPORT_FORMATS, type RenderOptions, type Reporter, type ReportFormat} from './reporter.js'

export const reporters: Readonly<Record<ReportFormat, Reporter>> = {
  table: tableReporter,
  json: jsonReporter,
  sarif: sarifReporter,
  junit: junitReporter,
  markdown: markdownReporter,
}

export function renderReport(report: Report, format: ReportFormat = 'table', options: RenderOptions = {}): string {
  return reporters[format].render(report, options)
}
