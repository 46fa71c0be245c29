/**
 * compare and scan, end to end as the commands run them: open → one streaming pass (compare's capture and
 * the secret scan ride together) → rules → config and baseline → Report. No oclif here.
 */
import {statSync} from 'node:fs'
import {applyBaseline, loadBaseline} from './baseline.js'
import {compareImage} from './compare.js'
import {CAPTURE_HOOK_MODULE} from './content-capture.js'
import {applyConfig, loadConfig, type LayerAuditConfig} from './config.js'
import {summarize} from './gate.js'
import {summarizeImage} from './image-summary.js'
import type {KindOption} from './image-kind.js'
import type {Report} from './report.js'
import {createSecretScan, scanFindings, scanImage, scanStats} from './scan.js'
import {warmLayerWorkers, WORKER_MIN_BYTES} from '../fs/read-layers.js'
import {withFingerprints} from '../report/fingerprint.js'
import {SCAN_HOOK_MODULE} from '../secrets/content-scanner.js'
import {openImage} from '../image/open.js'
import type {OpenOptions} from '../image/model.js'
import {resolveFunction, type ResolveFunctionOptions} from '../lambda/resolve.js'
import {UsageError} from '../errors.js'
import type {Finding} from '../rules/types.js'

export interface AuditCommonOptions {
  open?: OpenOptions & {concurrency?: number}
  /** --config FILE; default .layer-audit.json in cwd when present. */
  configFile?: string
  baselineFile?: string
  cwd?: string
  maxFileBytes?: number
}

export interface CompareRunOptions extends AuditCommonOptions {
  /** The image; may be omitted when the function (PackageType Image) names one. */
  image?: string
  function?: ResolveFunctionOptions
  kind?: KindOption
}

export async function runCompare(options: CompareRunOptions): Promise<Report> {
  // Inputs that can fail fast are read before the image streams: config, baseline, the zip side.
  const {config, baseline} = await loadGateInputs(options)
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
      const scan = createSecretScan(image, {maxFileBytes: options.maxFileBytes})
      const result = await compareImage({
        image,
        expected: resolved?.layout,
        functionConfig: resolved?.config,
        kind: options.kind,
        concurrency: options.open?.concurrency,
        extraHookSpecs: [scan.spec],
      })
      const secrets = await scanFindings(image, result.layers, result.tree, scan)
      const stats = {...result.stats, ...(await scanStats(scan))}
      return finish({
        command: 'compare',
        image: summarizeImage(image, result.layers),
        ...(resolved ? {function: resolved.summary} : {}),
        findings: [...result.findings, ...secrets],
        stats: {...stats, ...(resolved ? {zipLayers: resolved.layout.limits.layers} : {})},
      }, config, baseline)
    } finally {
      await image.close()
    }
  } finally {
    await resolved?.dispose()
  }
}

export interface ScanRunOptions extends AuditCommonOptions {
  image: string
}

export async function runScan(options: ScanRunOptions): Promise<Report> {
  const {config, baseline} = await loadGateInputs(options)
  const image = await openImage(options.image, options.open ?? {})
  try {
    const {findings, stats, layers} = await scanImage(image, {maxFileBytes: options.maxFileBytes, concurrency: options.open?.concurrency})
    return finish({command: 'scan', image: summarizeImage(image, layers), findings, stats: {...stats}}, config, baseline)
  } finally {
    await image.close()
  }
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

async function loadGateInputs(options: AuditCommonOptions): Promise<{config: LayerAuditConfig; baseline?: Set<string>}> {
  const config = await loadConfig({file: options.configFile, cwd: options.cwd})
  const baseline = options.baselineFile ? await loadBaseline(options.baselineFile) : undefined
  return {config, baseline}
}

function finish(
  partial: Omit<Report, 'summary'>,
  config: LayerAuditConfig,
  baseline: Set<string> | undefined,
): Report {
  let findings: Finding[] = applyConfig(withFingerprints(partial.findings), config)
  if (baseline) findings = applyBaseline(findings, baseline)
  return {...partial, findings, summary: summarize(findings)}
}
