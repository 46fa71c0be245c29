/**
 * The result of `layer-audit fleet` (and of `layer-audit merge` over shard reports): one entry per
 * function of the account, each with what `compare --function` would report for it. Every fleet
 * reporter (src/report/fleet/*) renders this; `merge` reads it back from JSON.
 */
import type {FunctionSummary, ImageSummary} from '../audit/report.js'
import type {Finding, NotApplicable, Summary} from '../rules/types.js'

/**
 * pass / fail: an image function audited (fail = a finding at or above --fail-on);
 * error: it could not be audited (its image denied or deleted: a `function-unauditable` finding says why);
 * zip: a zip function, not audited: `readiness` says what its migration takes.
 */
export type FleetVerdict = 'pass' | 'fail' | 'error' | 'zip'

/** What moving a zip function to an image takes: its runtime, layers and sizes, and what layer-image would build. */
export interface MigrationReadiness {
  runtime?: string
  handler?: string
  architectures: string[]
  /** The function's layers in order (ARN and zip size, as ListFunctions/GetFunction say). */
  layers: {arn: string; codeSize?: number}[]
  /** The code zip's size (CodeSize). */
  codeSize?: number
  /** Sum of the entries' sizes, layers and code, as Lambda would unpack them (read from the zips' central directories). */
  unzippedSize?: number
  /** The AWS base image for the runtime (public.ecr.aws/lambda/…), when there is one. */
  baseImage?: string
  /** One line: what `layer-audit layer-image` / `dockerfile` would build for it. */
  plan: string
  /** Why the readiness is incomplete (a layer that could not be read, an OS-only runtime, …). */
  notes?: string[]
}

export interface FleetFunctionResult {
  /** The function's ARN (unqualified): the key everything is sorted, sharded and merged by. */
  arn: string
  name: string
  region: string
  packageType: 'Image' | 'Zip'
  verdict: FleetVerdict
  /** Code.ResolvedImageUri (image functions). */
  imageUri?: string
  /** Image functions that were read: the image as `compare` summarises it. */
  image?: ImageSummary
  function?: FunctionSummary
  /** As `compare --function` reports them (config and baseline applied, merged, fingerprinted). */
  findings: Finding[]
  notApplicable?: NotApplicable[]
  summary: Summary
  stats?: Record<string, number>
  readiness?: MigrationReadiness
  /** This run took the result from --state: the function's image and configuration had not changed. */
  fromState?: boolean
}

export interface FleetStats {
  functions: number
  imageFunctions: number
  zipFunctions: number
  /** Functions whose result came from --state unchanged. */
  fromState: number
  /** Distinct images (manifest digests) audited this run. */
  images: number
  /** Layer references over every audited image (a base layer of 200 images counts 200 times). */
  layersReferenced: number
  /** Layers actually streamed this run (the rest came from the layer cache or an earlier function). */
  layersRead: number
  /** Compressed bytes of every referenced layer. */
  bytesReferenced: number
  /** Compressed bytes actually streamed. */
  bytesRead: number
}

export interface FleetReport {
  schemaVersion?: number
  command: 'fleet'
  /** Regions listed, in the order given. */
  regions: string[]
  /** --shard I/N (1-based): this report holds only that slice; merged reports drop it. */
  shard?: {index: number; count: number}
  /** Shards a merged report was made from (1-based indexes), when `merge` made it. */
  mergedShards?: number[]
  /** N of the --shard I/N runs a merged report was made from: a partial merge can be merged with the rest. */
  shardCount?: number
  config?: string
  warnings?: string[]
  /** Sorted by ARN. */
  functions: FleetFunctionResult[]
  /** Over every function's findings. */
  summary: Summary
  verdicts: Record<FleetVerdict, number>
  stats: FleetStats
}
