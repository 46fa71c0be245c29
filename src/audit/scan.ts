/**
 * The scan side of the single streaming pass. The orchestrator creates a SecretScan before reading
 * the layers (while the image is open: attestation blobs are read right away, alongside the layers),
 * hands `scan.spec` to readLayers next to its own hooks (tree building, compare captures), flattens,
 * and then asks `scanFindings` for the findings: one pass over the bytes serves everything.
 * (`scan.hook` is the same scan as a closure: it keeps the layers on the main thread; use one of the two.)
 *
 *   const scan = createSecretScan(image, {maxFileBytes})
 *   const layers = await readLayers(image, {hookSpecs: [scan.spec, ...others]})
 *   const tree = flatten(layers)
 *   const findings = await scanFindings(image, layers, tree, scan)
 */
import type {ContentHook, LayerContents} from '../fs/entry.js'
import type {ContentHookSpec} from '../fs/hook-spec.js'
import {flatten} from '../fs/flatten.js'
import type {LayerCache} from '../fs/layer-cache.js'
import {readLayers} from '../fs/read-layers.js'
import type {FileTree} from '../fs/tree.js'
import type {Image} from '../image/model.js'
import {scanRules} from '../rules/scan/index.js'
import type {Finding} from '../rules/types.js'
import {readAttestations, type AttestationRead} from '../secrets/attestations.js'
import {ContentScanner} from '../secrets/content-scanner.js'
import type {ContentScanResult} from '../secrets/hits.js'

export {DEFAULT_MAX_FILE_BYTES} from '../secrets/content-scanner.js'

export interface SecretScanOptions {
  /** Bytes of each file scanned; longer files are scanned up to this and counted as capped. Default 1 MiB. */
  maxFileBytes?: number
}

export interface SecretScan {
  /** Pass to readLayers as a hook spec: layers may then be scanned in worker threads. */
  spec: ContentHookSpec
  /** The same scan as a closure hook (main thread only). Use either `spec` or `hook`, not both. */
  hook: ContentHook
  /** What the content hook has found so far (complete once readLayers resolved). */
  content(): ContentScanResult
  /** Attestation statements, read as soon as the scan was created. Never rejects. */
  attestations: Promise<AttestationRead>
}

export interface ScanStats {
  filesScanned: number
  bytesScanned: number
  binarySkipped: number
  /** Files longer than maxFileBytes: only their first bytes were scanned. */
  filesCapped: number
  attestations: number
  attestationsUnreadable: number
}

export function createSecretScan(image: Image, options: SecretScanOptions = {}): SecretScan {
  const scanner = new ContentScanner({maxFileBytes: options.maxFileBytes})
  return {spec: scanner.spec(), hook: scanner.hook, content: () => scanner.result(), attestations: readAttestations(image)}
}

/** Every scan rule over the pass's results. Deleted/overwritten files are told apart using layers and the final tree. */
export async function scanFindings(image: Image, layers: LayerContents[], tree: FileTree, scan: SecretScan): Promise<Finding[]> {
  const context = {image, layers, tree, content: scan.content(), attestations: await scan.attestations}
  return scanRules.flatMap((rule) => rule.check(context))
}

/** Counters for the report (Report.stats). */
export async function scanStats(scan: SecretScan): Promise<ScanStats> {
  const {stats} = scan.content()
  const attestations = await scan.attestations
  return {
    filesScanned: stats.filesScanned,
    bytesScanned: stats.bytesScanned,
    binarySkipped: stats.binarySkipped,
    filesCapped: stats.capped,
    attestations: attestations.documents.length,
    attestationsUnreadable: attestations.unreadable,
  }
}

export interface ScanImageOptions extends SecretScanOptions {
  /** Other closure hooks riding the same pass (they keep the layers on the main thread). */
  hooks?: ContentHook[]
  /** Other hooks riding the same pass, as specs. */
  hookSpecs?: ContentHookSpec[]
  concurrency?: number
  /** readLayers' `cache`: layers read before come from it. */
  layerCache?: LayerCache
}

export interface ScanImageResult {
  findings: Finding[]
  stats: ScanStats
  layers: LayerContents[]
  tree: FileTree
}

/** The whole scan on an open image (the caller closes it): one pass over the layers, then the rules. */
export async function scanImage(image: Image, options: ScanImageOptions = {}): Promise<ScanImageResult> {
  const scan = createSecretScan(image, options)
  const layers = await readLayers(image, {
    hooks: options.hooks,
    hookSpecs: [scan.spec, ...(options.hookSpecs ?? [])],
    concurrency: options.concurrency,
    cache: options.layerCache,
  })
  const tree = flatten(layers)
  const findings = await scanFindings(image, layers, tree, scan)
  return {findings, stats: await scanStats(scan), layers, tree}
}
