/** The fleet reporters by format: what `fleet` and `merge` write with --format and --output. */
import type {FleetReport} from '../../fleet/report.js'
import type {RenderOptions} from '../reporter.js'
import {renderFleetAsff} from './asff.js'
import {renderFleetJson} from './json.js'
import {renderFleetJunit} from './junit.js'
import {renderFleetMarkdown} from './markdown.js'
import {renderFleetSarif} from './sarif.js'
import {renderFleetTable} from './table.js'

export {renderFleetAsffBatches, toAsffFindings} from './asff.js'
export {validateAsffBatch} from './asff-validate.js'
export {FLEET_SCHEMA_VERSION, toJsonFleetReport} from './json.js'
export {toFleetSarif} from './sarif.js'

export const FLEET_FORMATS = ['table', 'json', 'sarif', 'junit', 'markdown', 'asff'] as const
export type FleetFormat = (typeof FLEET_FORMATS)[number]

const renderers: Readonly<Record<FleetFormat, (report: FleetReport, options: RenderOptions) => string>> = {
  table: renderFleetTable,
  json: renderFleetJson,
  sarif: renderFleetSarif,
  junit: renderFleetJunit,
  markdown: renderFleetMarkdown,
  // Every batch, one document per line; renderFleetAsffBatches gives them apart (a file each).
  asff: renderFleetAsff,
}

export function renderFleetReport(report: FleetReport, format: FleetFormat = 'table', options: RenderOptions = {}): string {
  return renderers[format](report, options)
}
