/**
 * compare, lint and scan, end to end as the commands run them: open → one streaming pass (compare's capture
 * and the secret scan ride together) → rules → config and baseline → Report. No oclif here.
 */
import {statSync} from 'node:fs'
import {applyBaseline, loadBaseline} from './baseline.js'
import {loadDockerfile, placeFindings, type LoadedDockerfile} from './dockerfile-locations.js'
import {compareImage, type CompareOptions} from './compare.js'
import {CAPTURE_HOOK_MODULE} from './content-capture.js'
import {applyConfig, expiredIgnoreWarnings, loadConfig, type LayerAuditConfig} from './config.js'
import {summarize} from './gate.js'
import {summarizeImage} from './image-summary.js'
import type {KindOption} from './image-kind.js'
import {mergeFindings} from './merge-findings.js'
import type {FunctionSummary, Report} from './report.js'
import {createSecretScan, scanFindings, scanImage, scanStats} from './scan.js'
import type {LayerCache} from '../fs/layer-cache.js'
import {warmLayerWorkers, WORKER_MIN_BYTES} from '../fs/read-layers.js'
import {withFingerprints} from '../report/fingerprint.js'
import {SCAN_HOOK_MODULE} from '../secrets/content-scanner.js'
import {openImage} from '../image/open.js'
import type {Image, OpenOptions} from '../image/model.js'
import {resolveFunction, type ResolveFunctionOptions} from '../lambda/resolve.js'
import {emptyFlagError, UsageError} from '../errors.js'
import {imageOnlyRules} from '../rules/compare/all.js'
import {rules as registeredRules} from '../rules/registry.js'
import type {FunctionSettings} from '../rules/compare/context.js'
import type {Finding} from '../rules/types.js'

export interface AuditCommonOptions {
  open?: OpenOptions & {concurrency?: number}
  /** --config FILE (or LAYER_AUDIT_CONFIG); default: the nearest .layer-audit.json/.yaml up to the repository root. */
  configFile?: string
  baselineFile?: string
  /** --dockerfile FILE: the Dockerfile the image was built from, to place findings on its lines (read before the image). */
  dockerfile?: string
  cwd?: string
  maxFileBytes?: number
  /** The rule config already loaded (a fleet loads it once for every function); else configFile / discovery. */
  config?: LayerAuditConfig
  /** Shared per-layer results (a fleet passes one LayerCache to every function's audit); default: none, every layer read. */
  layerCache?: LayerCache
}

export interface CompareRunOptions extends AuditCommonOptions {
  /** The image; may be omitted when the function (PackageType Image) names one. */
  image?: string
  /** The zip function the image replaces. Required: a compare without it is a usage error, never a pass. */
  function?: ResolveFunctionOptions
  kind?: KindOption
}

/** The one line a compare without the zip side gets. */
export const NO_ZIP_SIDE =
  'compare needs the zip function it replaces: --layer, --function-zip, --function or --function-config (for the image-only checks, use: layer-audit lint IMAGE)'

export async function runCompare(options: CompareRunOptions): Promise<Report> {
  // Without the zip side most of compare checks nothing: an empty CI variable must not turn the gate into a pass.
  const fn = options.function
  const empty = fn && emptyInput(fn)
  if (empty) throw emptyFlagError(empty)
  if (!fn || (fn.layers.length === 0 && !fn.functionZip && !fn.functionName && !fn.functionConfig && !fn.config)) throw new UsageError(NO_ZIP_SIDE)
  // Inputs that can fail fast are read before the image streams: config, baseline, the zip side.
  const {config, baseline, dockerfile} = await loadGateInputs(options)
  // Layer workers take ~0.1 s to start: a big zip side (or a download) hides that when they start now.
  if (zipSideTakesAWhile(options.function)) warmLayerWorkers({concurrency: options.open?.concurrency, hookModules: [CAPTURE_HOOK_MODULE, SCAN_HOOK_MODULE]})
  // The image given by name opens while the zip side is read (a registry's manifest and config while
  // the zips download); without one, the function's own image is known only once it is resolved.
  const opening = options.image === undefined ? undefined : openImage(options.image, options.open ?? {})
  // Handled here so that a failure while the zips are read is not an unhandled rejection; awaited below.
  opening?.catch(() => {})
  let resolved: Awaited<ReturnType<typeof resolveFunction>> | undefined
  try {
    resolved = options.function ? await resolveFunction(options.function) : undefined
  } catch (error) {
    // The zip side's error is the one reported, as when the image was opened after it.
    await opening?.then((image) => image.close(), () => {})
    throw error
  }
  try {
    const input = options.image ?? resolved?.config?.code?.resolvedImageUri
    if (!input) throw new UsageError('give an IMAGE (or --function naming an image function)')
    const image = await (opening ?? openImage(input, options.open ?? {}))
    try {
      // An image function given without zips has no zip side: the rules that compare against one do not apply.
      const imageFunction = resolved?.config?.packageType === 'Image' && resolved.layout.zips.length === 0
      const audit = await auditImage(image, {
        expected: imageFunction ? undefined : resolved?.layout,
        functionConfig: resolved?.config,
        kind: options.kind,
        concurrency: options.open?.concurrency,
        layerCache: options.layerCache,
      }, options.maxFileBytes)
      return finish({
        command: 'compare',
        image: summarizeImage(image, audit.layers),
        ...(resolved ? {function: resolved.summary} : {}),
        findings: audit.findings,
        notApplicable: audit.notApplicable,
        stats: {...audit.stats, ...(resolved ? {zipLayers: resolved.layout.limits.layers} : {})},
      }, config, baseline, dockerfile && {image, dockerfile})
    } finally {
      await image.close()
    }
  } finally {
    await resolved?.dispose()
  }
}

export interface LintRunOptions extends AuditCommonOptions {
  image: string
  /** What the function will run with: its Architectures, Runtime, command (handler) and environment. */
  function?: FunctionSettings
  kind?: KindOption
}

/** Every rule that needs no zip side, and the scan rules: the image on its own, as a function would run it. */
export async function runLint(options: LintRunOptions): Promise<Report> {
  const {config, baseline, dockerfile} = await loadGateInputs(options)
  const image = await openImage(options.image, options.open ?? {})
  try {
    const audit = await auditImage(image, {
      function: options.function,
      kind: options.kind,
      concurrency: options.open?.concurrency,
      rules: imageOnlyRules.map((rule) => rule.meta.id),
      layerCache: options.layerCache,
    }, options.maxFileBytes)
    const fn = settingsSummary(options.function)
    return finish({
      command: 'lint',
      image: summarizeImage(image, audit.layers),
      ...(fn ? {function: fn} : {}),
      findings: audit.findings,
      notApplicable: audit.notApplicable,
      stats: audit.stats,
    }, config, baseline, dockerfile && {image, dockerfile})
  } finally {
    await image.close()
  }
}

export interface ScanRunOptions extends AuditCommonOptions {
  image: string
}

export async function runScan(options: ScanRunOptions): Promise<Report> {
  const {config, baseline, dockerfile} = await loadGateInputs(options)
  const image = await openImage(options.image, options.open ?? {})
  try {
    const {findings, stats, layers} = await scanImage(image, {maxFileBytes: options.maxFileBytes, concurrency: options.open?.concurrency, layerCache: options.layerCache})
    return finish({command: 'scan', image: summarizeImage(image, layers), findings, notApplicable: [], stats: {...stats}}, config, baseline, dockerfile && {image, dockerfile})
  } finally {
    await image.close()
  }
}

/** compare's rules (those `options` selects) and the scan rules over one streaming pass of the open image. */
async function auditImage(image: Image, options: Omit<CompareOptions, 'image' | 'extraHookSpecs'>, maxFileBytes: number | undefined) {
  const scan = createSecretScan(image, {maxFileBytes})
  const result = await compareImage({...options, image, extraHookSpecs: [scan.spec]})
  const secrets = await scanFindings(image, result.layers, result.tree, scan)
  return {
    findings: [...result.findings, ...secrets],
    notApplicable: result.notApplicable,
    layers: result.layers,
    stats: {...result.stats, ...(await scanStats(scan))},
  }
}

/** lint's function settings as the report shows them (never the environment: its values may be secrets). */
function settingsSummary(fn: FunctionSettings | undefined): FunctionSummary | undefined {
  if (!fn || (!fn.runtime && !fn.command?.length && !fn.handler && !fn.architectures?.length)) return undefined
  const handler = fn.command?.[0] ?? fn.handler
  return {
    ...(fn.runtime ? {runtime: fn.runtime} : {}),
    ...(handler ? {handler} : {}),
    ...(fn.architectures?.length ? {architectures: fn.architectures} : {}),
    layers: [],
  }
}

/** The flag given an empty (or blank) value, e.g. `--layer "$UNSET"`: a usage error, not an absent input. */
function emptyInput(fn: ResolveFunctionOptions): string | undefined {
  const given: [string, string | undefined][] = [
    ...fn.layers.map((value): [string, string] => ['--layer', value]),
    ['--function-zip', fn.functionZip],
    ['--function', fn.functionName],
    ['--function-config', fn.functionConfig],
  ]
  return given.find(([, value]) => value !== undefined && value.trim() === '')?.[0]
}

function zipSideTakesAWhile(fn: ResolveFunctionOptions | undefined): boolean {
  if (!fn) return false
  if (fn.functionName || fn.layers.some((layer) => layer.startsWith('arn:'))) return true
  let bytes = 0
  for (const zip of [...fn.layers, ...(fn.functionZip ? [fn.functionZip] : [])]) {
    try {
      bytes += statSync(zip).size
    } catch {
      // Reading the zip side reports it.
    }
  }
  return bytes >= WORKER_MIN_BYTES
}

async function loadGateInputs(options: AuditCommonOptions): Promise<{config: LayerAuditConfig; baseline?: Set<string>; dockerfile?: LoadedDockerfile}> {
  const config = options.config ?? (await loadConfig({file: options.configFile, cwd: options.cwd}))
  const baseline = options.baselineFile ? await loadBaseline(options.baselineFile) : undefined
  const dockerfile = options.dockerfile !== undefined ? await loadDockerfile(options.dockerfile, options.cwd) : undefined
  return {config, baseline, dockerfile}
}

function finish(
  partial: Omit<Report, 'summary'>,
  config: LayerAuditConfig,
  baseline: Set<string> | undefined,
  placing?: {image: Image; dockerfile: LoadedDockerfile},
): Report {
  let findings: Finding[] = mergeFindings(applyConfig(withFingerprints(partial.findings), config), registeredRules)
  // --dockerfile: each finding on the instruction that made its layer (counted as reported: merged).
  const placed = placing ? placeFindings(findings, placing.image, placing.dockerfile) : {findings}
  findings = placed.findings
  // After the merge: a baseline holds merged findings, under the fingerprint of the rule they are reported as.
  if (baseline) findings = applyBaseline(findings, baseline)
  const warnings = [...expiredIgnoreWarnings(config), ...(placed.warning ? [placed.warning] : [])]
  return {
    ...partial,
    ...(config.file ? {config: config.file} : {}),
    findings,
    summary: summarize(findings),
    ...(warnings.length ? {warnings} : {}),
  }
}
