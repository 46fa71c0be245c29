/**
 * `layer-audit fleet` without oclif: list the account's functions (inventory.ts), keep this shard's,
 * audit each image function exactly as `compare --function` does (runCompare, with the configuration
 * already read and one LayerCache shared by every function, so a base layer of 200 images is read once),
 * give each zip function its migration readiness, and gather one FleetReport. A function that cannot be
 * audited is a finding of that function (function-unauditable), never the end of the run.
 */
import {anticipatedHeads, captureCacheKey} from '../audit/capture-cache.js'
import {applyConfig, expiredIgnoreWarnings, loadConfig, type LayerAuditConfig} from '../audit/config.js'
import {summarize, type FailOn} from '../audit/gate.js'
import {runCompare} from '../audit/run-audit.js'
import {LayerAuditError, UsageError} from '../errors.js'
import type {LayerCache} from '../fs/layer-cache.js'
import type {OpenOptions} from '../image/model.js'
import type {AwsOptions} from '../lambda/aws.js'
import {withFingerprints} from '../report/fingerprint.js'
import {redactReport} from '../report/redaction.js'
import type {Report} from '../audit/report.js'
import {WRAPPER_VARIABLE} from '../rules/compare/environment-paths.js'
import {unauditable} from '../rules/fleet/function-unauditable.js'
import type {Finding} from '../rules/types.js'
import {listFleet, type FleetFunction} from './inventory.js'
import {migrationReadiness} from './readiness.js'
import {combineFleet, verdictOf} from './combine.js'
import type {FleetFunctionResult, FleetReport} from './report.js'
import {inShard, type Shard} from './shard.js'
import {FleetState, stateKey} from './state.js'

export interface FleetRunOptions extends AwsOptions {
  /** Regions to list (default: the profile's or AWS_REGION, as one region). */
  regions: string[]
  functionGlobs?: string[]
  tags?: {key: string; value: string}[]
  shard?: Shard
  /** Functions audited at once (default 2). Each reads `layerConcurrency` layers at once. */
  concurrency?: number
  layerConcurrency?: number
  /** --state FILE: skip functions whose image and configuration did not change since it was written. */
  stateFile?: string
  configFile?: string
  cwd?: string
  maxFileBytes?: number
  /** Shared by every function: per-layer results by (blob digest, diff_id). Undefined: no layer cache. */
  layerCache?: LayerCache
  /** Registry options for opening images (insecure registries, the ECR keychain's settings, …). */
  open?: OpenOptions
  /** Zip downloads (readiness): no cache, or another cache dir. */
  noCache?: boolean
  cacheDir?: string
  /** Decides each audited function's verdict (pass/fail); the gate itself is the caller's. */
  failOn?: FailOn
  /** After each function: for a progress line. */
  onFunctionDone?: (result: FleetFunctionResult, done: number, total: number) => void
}

export async function runFleet(options: FleetRunOptions): Promise<FleetReport> {
  // Fail fast on what the user gave before any API call: the rule config and the state file.
  const config = await loadConfig({file: options.configFile, cwd: options.cwd})
  const state = options.stateFile ? await FleetState.open(options.stateFile) : undefined
  const settings = auditSettings(options, config)
  let matched = 0
  const aws: AwsOptions = {profile: options.profile, endpointUrl: options.endpointUrl, timeoutMs: options.timeoutMs}
  const inventory = await listFleet({
    ...aws,
    regions: options.regions,
    functionGlobs: options.functionGlobs,
    tags: options.tags,
    select: (arn) => {
      matched++
      return inShard(arn, options.shard)
    },
  })
  const functions = inventory.functions
  // A mistyped glob must not read as a green gate over nothing. (An empty shard of a small fleet is fine.)
  if (options.functionGlobs?.length && matched === 0) {
    throw new UsageError(`--function ${options.functionGlobs.map((g) => JSON.stringify(g)).join(' ')} matched no function in ${options.regions.join(', ')}`)
  }
  // Every wrapper path is known before the first image opens: a base layer is read once for all of them.
  options.layerCache?.anticipate(captureCacheKey(), anticipatedHeads(wrapperPaths(functions)))

  const results: FleetFunctionResult[] = new Array(functions.length)
  const images = new Set<string>()
  let fromState = 0
  let done = 0
  let next = 0
  const lane = async (): Promise<void> => {
    while (next < functions.length) {
      const position = next++
      const fn = functions[position]
      const key = stateKey(fn.arn, fn.config, settings)
      const stored = fn.error ? undefined : state?.lookup(fn.arn, key)
      let result: FleetFunctionResult
      if (stored) {
        // Who the function is comes from the account now, not from the file.
        result = {...stored, arn: fn.arn, name: fn.name, region: fn.region, packageType: fn.packageType, fromState: true}
        fromState++
      } else {
        result = await auditFunction(fn, options, aws, config)
        if (result.image?.manifestDigest) images.add(result.image.manifestDigest)
        // What could not be audited is tried again next time (access may have been granted), never skipped.
        if (result.verdict !== 'error') await state?.record(fn.arn, key, result)
      }
      result.verdict = verdictOf(result, options.failOn ?? 'error')
      results[position] = result
      options.onFunctionDone?.(result, ++done, functions.length)
    }
  }
  await Promise.all(Array.from({length: Math.max(1, Math.min(options.concurrency ?? 2, functions.length))}, lane))
  await state?.compact(new Set(functions.map((f) => f.arn)))

  // Without a layer cache every referenced layer of every audited image was read.
  const audited = results.filter((r) => !r.fromState && r.image)
  const layers = audited.reduce((sum, r) => sum + r.image!.layers, 0)
  const bytes = audited.reduce((sum, r) => sum + r.image!.compressedSize, 0)
  const cache = options.layerCache?.stats() ?? {layersReferenced: layers, layersRead: layers, bytesReferenced: bytes, bytesRead: bytes}
  const warnings = [
    // Said once for the fleet, not once a function (runCompare's own report warnings are not kept).
    ...expiredIgnoreWarnings(config),
    ...(state && state.skippedLines > 0 ? [`--state: ${state.skippedLines} unreadable line(s) in ${state.file} were skipped (an interrupted write, or another version's)`] : []),
  ]
  return combineFleet(results, {
    regions: options.regions,
    ...(options.shard ? {shard: options.shard} : {}),
    ...(config.file ? {config: config.file} : {}),
    warnings,
    stats: {
      fromState,
      images: images.size,
      layersReferenced: cache.layersReferenced,
      layersRead: cache.layersRead,
      bytesReferenced: cache.bytesReferenced,
      bytesRead: cache.bytesRead,
    },
  })
}

async function auditFunction(fn: FleetFunction, options: FleetRunOptions, aws: AwsOptions, config: LayerAuditConfig): Promise<FleetFunctionResult> {
  const base = {arn: fn.arn, name: fn.name, region: fn.region, packageType: fn.packageType}
  const failed = (finding: Finding, imageUri?: string): FleetFunctionResult => {
    const findings = applyConfig(withFingerprints([finding]), config)
    return {...base, verdict: 'error', ...(imageUri ? {imageUri} : {}), findings, summary: summarize(findings)}
  }
  if (fn.error || !fn.config) return failed(unauditable('configuration', fn.error ?? 'GetFunction returned no configuration'))
  const imageUri = fn.config.code?.resolvedImageUri ?? fn.config.code?.imageUri
  if (fn.packageType === 'Zip') {
    const readiness = await migrationReadiness(fn.config, {...aws, region: fn.region, noCache: options.noCache, cacheDir: options.cacheDir})
    return {...base, verdict: 'zip', findings: [], summary: summarize([]), readiness}
  }
  if (!imageUri) return failed(unauditable('image', 'GetFunction returned no Code.ResolvedImageUri'))
  let report: Report
  try {
    report = await runCompare({
      function: {layers: [], config: fn.config, region: fn.region, ...aws},
      // The manifest is always asked of the registry, never taken from the download cache by digest: a
      // repository the role may not read, or an image deleted from it, is this function's finding even
      // when another function's image has the same digest. (Layers come from the layer cache.)
      open: {...options.open, concurrency: options.layerConcurrency, registry: {...options.open?.registry, noCache: true}},
      config,
      maxFileBytes: options.maxFileBytes,
      layerCache: options.layerCache,
    })
  } catch (error) {
    // Anything else is our bug: it must not pass as the image's fault, nor stop the other 299.
    const line = error instanceof LayerAuditError ? error.line : `internal error: ${(error as Error)?.message ?? String(error)}`
    return failed(unauditable('image', line, imageUri), imageUri)
  }
  // Stored in --state and merged across shards: redacted once, here, as the JSON report would show it.
  const safe = redactReport(report)
  return {
    ...base,
    verdict: 'pass',
    imageUri,
    image: safe.image,
    ...(safe.function ? {function: safe.function} : {}),
    findings: safe.findings,
    notApplicable: safe.notApplicable ?? [],
    summary: safe.summary,
    ...(safe.stats ? {stats: safe.stats} : {}),
  }
}

function wrapperPaths(functions: readonly FleetFunction[]): Set<string> {
  const paths = new Set<string>()
  for (const fn of functions) {
    const wrapper = fn.config?.environment[WRAPPER_VARIABLE]
    if (fn.packageType === 'Image' && wrapper?.startsWith('/')) paths.add(wrapper)
  }
  return paths
}


/** What besides the function decides its result: a changed rule config or scan cap re-audits every function. */
function auditSettings(options: FleetRunOptions, config: LayerAuditConfig): unknown {
  // The config as parsed, not its file: stateKey hashes it, and a reformatted file changes nothing.
  return {rules: config.rules, ignore: config.ignore, maxFileBytes: options.maxFileBytes ?? null}
}
