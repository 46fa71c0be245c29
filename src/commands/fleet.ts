import {Flags} from '@oclif/core'

import {LayerAuditCommand} from '../cli/base-command.js'
import {EXIT_CODES_HELP} from '../cli/exit-codes.js'
import {awsFlags, imageAuditFlags, imageFlags} from '../cli/flags.js'
import {fleetReportFlags, emitFleetReport} from '../cli/fleet-output.js'
import {openOptionsFrom} from '../cli/image-options.js'
import {UsageError} from '../errors.js'
import {parseTags} from '../fleet/filters.js'
import type {FleetReport} from '../fleet/report.js'
import {runFleet} from '../fleet/run-fleet.js'
import {parseShard} from '../fleet/shard.js'
import {openLayerCache} from '../fs/layer-cache.js'

export default class Fleet extends LayerAuditCommand {
  static override summary = 'Audit every image function of an account, as compare --function audits one; zip functions get a migration-readiness line.'
  static override description = `Lists the functions of each --region (ListFunctions, every page), reads each selected one (GetFunction) and audits every image function's image (Code.ResolvedImageUri) against its configuration: manifest shape, architecture, extensions, entrypoint and handler vs ImageConfig, wrapper and agent paths from its environment, size, and every scan rule. A zip function is not audited: its line says what moving it to an image takes (layers, unzipped size, runtime, base image).

Each layer's results are cached by its blob digest and diff_id in the user cache dir (LAYER_AUDIT_CACHE_DIR), so a base layer shared by 200 images is read once; the report says how many bytes were read of those referenced. --no-cache reads every layer.

A function that cannot be audited (access denied to its ECR repository, a deleted image) is a \`function-unauditable\` finding of that function; the run goes on. Lambda's API is called within its quotas (GetFunction under 100/s, ListFunctions under 15/s), retrying throttled calls with backoff.

Scale out with --shard I/N (a deterministic slice by function ARN) and combine the shards' JSON reports with \`layer-audit merge\`. --state FILE makes runs resumable: a rerun skips functions whose image and configuration did not change. See docs/fleet.md.

${EXIT_CODES_HELP}`
  static override examples = [
    '<%= config.bin %> fleet --region eu-west-1 --region us-east-1',
    '<%= config.bin %> fleet --region eu-west-1 --function "orders-*" --tag team=payments --format markdown -o fleet.md',
    '<%= config.bin %> fleet --region eu-west-1 --shard 2/8 --format json -o shard-2.json',
    '<%= config.bin %> fleet --region eu-west-1 --state fleet-state.jsonl --format asff -o asff:findings/',
  ]
  static override enableJsonFlag = true
  static override flags = {
    region: Flags.string({
      summary: 'A region to list (repeatable; default: AWS_REGION, else AWS_DEFAULT_REGION).',
      multiple: true,
      helpGroup: 'AWS',
    }),
    profile: awsFlags.profile,
    'endpoint-url': awsFlags['endpoint-url'],
    function: Flags.string({
      summary: 'Only functions whose name (or ARN) matches this glob (repeatable: any matches).',
      multiple: true,
      helpValue: 'GLOB',
      helpGroup: 'SELECTION',
    }),
    tag: Flags.string({summary: 'Only functions with this tag (repeatable: all must match).', multiple: true, helpValue: 'KEY=VALUE', helpGroup: 'SELECTION'}),
    shard: Flags.string({
      summary: 'Audit only slice I of N (by function ARN hash); merge the shard reports with `layer-audit merge`.',
      helpValue: 'I/N',
      helpGroup: 'SELECTION',
      env: 'LAYER_AUDIT_SHARD',
    }),
    concurrency: Flags.integer({summary: 'Functions audited at once (default 2).', min: 1, max: 32}),
    'layer-concurrency': Flags.integer({summary: 'Layers each function reads at once (default 2).', min: 1, max: 16, helpGroup: 'IMAGE'}),
    state: Flags.string({summary: 'Resumable runs: skip functions whose image and configuration did not change since FILE was written.', helpValue: 'FILE'}),
    'insecure-registry': imageFlags['insecure-registry'],
    'no-cache': Flags.boolean({summary: 'Neither read nor write the layer cache nor the download cache.', helpGroup: 'IMAGE'}),
    'max-file-bytes': imageAuditFlags['max-file-bytes'],
    ...fleetReportFlags,
  }

  async run(): Promise<FleetReport> {
    const {flags} = await this.parse(Fleet)
    // || not ??: an AWS_REGION set empty (a CI variable that expanded to nothing) must not hide AWS_DEFAULT_REGION.
    const regions = flags.region ?? [process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION].filter((r): r is string => Boolean(r))
    if (regions.length === 0) throw new UsageError('give --region (or set AWS_REGION): fleet lists the functions of each region')
    if (regions.some((r) => r.trim() === '')) throw new UsageError('--region was given an empty value')
    // A bad value the user set in LAYER_AUDIT_SHARD is said with the variable's name, not a flag never typed.
    const shardOnCommandLine = this.argv.some((arg) => arg === '--shard' || arg.startsWith('--shard='))
    const shard = flags.shard === undefined ? undefined : parseShard(flags.shard, shardOnCommandLine ? '--shard' : 'LAYER_AUDIT_SHARD')
    const tags = parseTags(flags.tag ?? [])
    const onProgress = this.progressCallback()
    const report = await runFleet({
      regions,
      profile: flags.profile,
      endpointUrl: flags['endpoint-url'],
      functionGlobs: flags.function,
      tags,
      shard,
      concurrency: flags.concurrency,
      layerConcurrency: flags['layer-concurrency'],
      stateFile: flags.state,
      configFile: flags.config,
      maxFileBytes: flags['max-file-bytes'],
      layerCache: flags['no-cache'] ? undefined : openLayerCache(),
      open: openOptionsFrom({'insecure-registry': flags['insecure-registry'], 'no-cache': flags['no-cache'], profile: flags.profile, 'endpoint-url': flags['endpoint-url']}, onProgress),
      noCache: flags['no-cache'],
      failOn: flags['fail-on'],
      onFunctionDone: (_result, done, total) => this.progressContext(`functions ${done}/${total}`),
    })
    this.endProgress()
    return emitFleetReport(report, flags, {json: this.jsonEnabled(), color: this.useColor(flags.color)})
  }
}
