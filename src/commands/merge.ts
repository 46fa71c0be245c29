import {Args} from '@oclif/core'

import {LayerAuditCommand} from '../cli/base-command.js'
import {EXIT_CODES_HELP} from '../cli/exit-codes.js'
import {emitFleetReport, fleetReportFlags} from '../cli/fleet-output.js'
import {mergeFleetReports} from '../fleet/merge.js'
import type {FleetReport} from '../fleet/report.js'

export default class Merge extends LayerAuditCommand {
  static override summary = 'Combine the JSON reports of `fleet --shard I/N` runs into one report, in any format, with one gate.'
  static override description = `Reads the shard reports (\`fleet --shard I/N --format json -o shard-I.json\`), checks that they come from one sharding and share no function, and writes the report one unsharded run would have: the same functions and findings, verdicts by --fail-on, bytes read summed. A missing shard is a warning in the report.

${EXIT_CODES_HELP}`
  static override examples = [
    '<%= config.bin %> merge shard-1.json shard-2.json shard-3.json shard-4.json',
    '<%= config.bin %> merge shards/*.json --format sarif -o fleet.sarif',
  ]
  static override strict = false
  static override enableJsonFlag = true
  static override args = {
    reports: Args.string({description: 'JSON reports of fleet shards (fleet --format json).', required: true}),
  }
  static override flags = {...fleetReportFlags}

  async run(): Promise<FleetReport> {
    const {argv, flags} = await this.parse(Merge)
    const report = await mergeFleetReports(argv as string[], flags['fail-on'])
    return emitFleetReport(report, flags, {json: this.jsonEnabled(), color: this.useColor(flags.color)})
  }
}
