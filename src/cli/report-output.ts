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
import {writeOutputFile} from './output-file.js'

export interface OutputFlags {
  format?: ReportFormat
  output?: string
  'fail-on': FailOn
  verbose?: boolean
}

/** --output's format when --format is not given: from the file name, else JSON. */
export function formatForFile(file: string): ReportFormat {
  const name = basename(file).toLowerCase()
  if (name.endsWith('.sarif') || name.endsWith('.sarif.json')) return 'sarif'
  if (name.endsWith('.xml')) return 'junit'
  if (name.endsWith('.md') || name.endsWith('.markdown')) return 'markdown'
  return 'json'
}

export async function emitReport(report: Report, flags: OutputFlags, context: {json: boolean; color: boolean}): Promise<void> {
  const options = {failOn: flags['fail-on'], verbose: flags.verbose}
  if (flags.output) {
    const format = flags.format ?? formatForFile(flags.output)
    const text = renderReport(report, format, options)
    await writeOutputFile(flags.output, text.endsWith('\n') ? text : text + '\n')
  }
  if (!context.json) {
    const format = flags.output ? 'table' : (flags.format ?? 'table')
    process.stdout.write(renderReport(report, format, {...options, color: format === 'table' && context.color}))
  }
  process.exitCode = exitCodeFor(report.summary, flags['fail-on'])
}
