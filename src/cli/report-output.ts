/**
 * Where a report goes: --json prints the Report (oclif), --format picks what stdout gets, --output FILE
 * gets the chosen format while the table still goes to the terminal. The file is written only once the
 * report is complete: whole or not at all when it is a regular file, in place when it is a FIFO, a device
 * or a symlink such as /dev/stdout (see output-file.ts).
 */
import {basename} from 'node:path'

import {exitCodeFor, type FailOn} from '../audit/gate.js'
import type {Report} from '../audit/report.js'
import {renderReport, type ReportFormat} from '../report/index.js'
import {REPORT_FORMATS} from '../report/reporter.js'
import type {Severity} from '../rules/types.js'
import {writeOutputFile} from './output-file.js'
import {terminalWidth} from './terminal.js'

export interface OutputFlags {
  format?: ReportFormat
  output?: string[]
  'fail-on': FailOn
  verbose?: boolean
  severity?: Severity
  quiet?: boolean
}

/** --output's format when --format is not given: from the file name, else JSON. */
export function formatForFile(file: string): ReportFormat {
  const name = basename(file).toLowerCase()
  if (name.endsWith('.sarif') || name.endsWith('.sarif.json')) return 'sarif'
  if (name.endsWith('.xml')) return 'junit'
  if (name.endsWith('.md') || name.endsWith('.markdown')) return 'markdown'
  return 'json'
}

/** An --output value: `sarif:report.json` names its format; a bare path takes --format, else its extension's. */
export function outputTarget<F extends string>(value: string, formats: readonly F[], given: F | undefined, byName: (file: string) => F): {format: F; path: string} {
  const colon = value.indexOf(':')
  const prefix = colon > 0 ? value.slice(0, colon) : ''
  if ((formats as readonly string[]).includes(prefix) && colon < value.length - 1) return {format: prefix as F, path: value.slice(colon + 1)}
  return {format: given ?? byName(value), path: value}
}

/** Writes the text for each --output, each file whole (see output-file.ts), in the order given. */
export async function writeOutputs<F extends string>(
  outputs: readonly string[],
  formats: readonly F[],
  given: F | undefined,
  byName: (file: string) => F,
  render: (format: F) => string,
): Promise<void> {
  for (const value of outputs) {
    const {format, path} = outputTarget(value, formats, given, byName)
    const text = render(format)
    await writeOutputFile(path, text.endsWith('\n') ? text : text + '\n')
  }
}

export async function emitReport(report: Report, flags: OutputFlags, context: {json: boolean; color: boolean}): Promise<void> {
  const options = {failOn: flags['fail-on'], verbose: flags.verbose, quiet: flags.quiet}
  const outputs = flags.output ?? []
  await writeOutputs(outputs, REPORT_FORMATS, flags.format, formatForFile, (format) => renderReport(report, format, options))
  if (!context.json) {
    const format = outputs.length > 0 ? 'table' : (flags.format ?? 'table')
    process.stdout.write(renderReport(report, format, {...options, color: format === 'table' && context.color, width: terminalWidth(process.stdout)}))
  }
  process.exitCode = exitCodeFor(report.summary, flags['fail-on'])
}
