/**
 * Where a fleet report goes (fleet and merge): --format on stdout, --output FILE in its format while the
 * table goes to the terminal, --json. ASFF is several documents (≤ 100 findings each, BatchImportFindings'
 * limit): on stdout and in a file, one document per line; `-o asff:DIR/` writes DIR/batch-001.json, ….
 */
import {mkdir} from 'node:fs/promises'
import {join} from 'node:path'
import {Flags} from '@oclif/core'

import {exitCodeFor} from '../audit/gate.js'
import {reportView} from '../audit/report-view.js'
import type {Report} from '../audit/report.js'
import type {FleetReport} from '../fleet/report.js'
import {FLEET_FORMATS, renderFleetAsffBatches, renderFleetReport, toJsonFleetReport, type FleetFormat} from '../report/fleet/index.js'
import {reportFlags} from './flags.js'
import {writeOutputFile} from './output-file.js'
import {formatForFile, outputTarget, writeOutputs, type OutputFlags} from './report-output.js'
import {terminalWidth} from './terminal.js'

export const fleetReportFlags = {
  format: Flags.option({options: FLEET_FORMATS, summary: 'Report format on stdout (asff: Security Hub BatchImportFindings documents, one per line).', helpGroup: 'REPORT', env: 'LAYER_AUDIT_FORMAT'})(),
  output: Flags.string({
    char: 'o',
    summary: "Write the report to FILE (repeatable), in FORMAT, else --format, else the format FILE's extension says; asff:DIR/ writes one file per batch of 100 findings.",
    helpValue: '[FORMAT:]FILE',
    multiple: true,
    helpGroup: 'REPORT',
  }),
  'fail-on': reportFlags['fail-on'],
  severity: reportFlags.severity,
  quiet: reportFlags.quiet,
  config: reportFlags.config,
  verbose: reportFlags.verbose,
  color: reportFlags.color,
}

type FleetOutputFlags = Omit<OutputFlags, 'format'> & {format?: FleetFormat}

/** Renders and writes every output, sets the exit code by the gate, and returns what --json prints. */
export async function emitFleetReport(report: FleetReport, flags: FleetOutputFlags, context: {json: boolean; color: boolean}): Promise<FleetReport> {
  const shown = fleetView(report, flags)
  const options = {failOn: flags['fail-on'], verbose: flags.verbose, quiet: flags.quiet}
  const outputs = flags.output ?? []
  // asff:DIR/ is a directory of batch files; every other output is one file, written as compare's are.
  const targets = outputs.map((value) => ({value, ...outputTarget(value, FLEET_FORMATS, flags.format, formatForFile)}))
  const isAsffDir = ({format, path}: {format: FleetFormat; path: string}) => format === 'asff' && path.endsWith('/')
  for (const target of targets.filter(isAsffDir)) await writeAsffBatches(shown, target.path, options)
  const files = targets.filter((target) => !isAsffDir(target)).map((target) => target.value)
  await writeOutputs(files, FLEET_FORMATS, flags.format, formatForFile, (format) => renderFleetReport(shown, format, options))
  if (!context.json) {
    const format = outputs.length > 0 ? 'table' : (flags.format ?? 'table')
    process.stdout.write(renderFleetReport(shown, format, {...options, color: format === 'table' && context.color, width: terminalWidth(process.stdout)}))
  }
  process.exitCode = exitCodeFor(report.summary, flags['fail-on'])
  return toJsonFleetReport(shown)
}

/** --severity and --quiet over each function's findings (the summaries and the gate still count them all). */
function fleetView(report: FleetReport, flags: FleetOutputFlags): FleetReport {
  if (!flags.severity && !flags.quiet) return report
  return {
    ...report,
    functions: report.functions.map((fn) => {
      const view = reportView({findings: fn.findings} as Report, {severity: flags.severity, quiet: flags.quiet, failOn: flags['fail-on']})
      return view.findings === fn.findings ? fn : {...fn, findings: view.findings}
    }),
  }
}

async function writeAsffBatches(report: FleetReport, dir: string, options: {failOn: FleetOutputFlags['fail-on']}): Promise<void> {
  await mkdir(dir, {recursive: true})
  const batches = renderFleetAsffBatches(report, options)
  for (const [i, batch] of batches.entries()) await writeOutputFile(join(dir, `batch-${String(i + 1).padStart(3, '0')}.json`), batch.endsWith('\n') ? batch : batch + '\n')
}
