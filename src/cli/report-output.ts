/**
 * Where a report goes: --json prints the Report (oclif), --format picks what stdout gets, --output FILE
 * gets the chosen format while the table still goes to the terminal. The file is written whole or not at
 * all (temp file + rename), and only once the report is complete.
 */
import {rename, writeFile} from 'node:fs/promises'
import {basename, dirname, join} from 'node:path'

import {exitCodeFor, type FailOn} from '../audit/gate.js'
import type {Report} from '../audit/report.js'
import {LayerAuditError} from '../errors.js'
import {renderReport, type ReportFormat} from '../report/index.js'

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
    await writeAtomically(flags.output, renderReport(report, format, options))
  }
  if (!context.json) {
    const format = flags.output ? 'table' : (flags.format ?? 'table')
    process.stdout.write(renderReport(report, format, {...options, color: format === 'table' && context.color}))
  }
  process.exitCode = exitCodeFor(report.summary, flags['fail-on'])
}

async function writeAtomically(file: string, text: string): Promise<void> {
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`)
  try {
    await writeFile(temp, text.endsWith('\n') ? text : text + '\n')
    await rename(temp, file)
  } catch (error) {
    throw new LayerAuditError('NOT_FOUND', `cannot write the report (${(error as NodeJS.ErrnoException).code ?? 'error'})`, {
      input: file,
      cause: error,
    })
  }
}
