/**
 * Every layer of an image, read once by a LayerReader: decompressed, digest-checked and walked in one
 * synchronous pass per chunk. Several layers stream at once, biggest first so the last to finish is a
 * small one; results come back in layer order for flatten to apply bottom to top.
 *
 * Big images are read in worker threads (docs/performance.md): the main thread only does the I/O and
 * forwards blob bytes; each worker inflates, hashes and walks its layer. Closure hooks cannot cross
 * threads, so they keep everything on the main thread; hook SPECS (hook-spec.ts) work on both paths.
 */
import type {Readable} from 'node:stream'
import type {Image, LayerInfo, LayerProgressCallback} from '../image/model.js'
import type {ContentHook, LayerContents} from './entry.js'
import {layerHooks, type ContentHookSpec} from './hook-spec.js'
import {LayerCache, type LayerPass, type LayerPassReader} from './layer-cache.js'
import {LayerReader} from './layer-reader.js'
import {pushStream} from './push-stream.js'
import {layerMeters, type LayerMeter} from './read-progress.js'
import {LayerWorkerPool, layerWorkerAvailable, startSpareLayerWorkers, type LayerJob} from './worker/pool.js'

export interface ReadLayersOptions {
  /** Closure hooks: run on the main thread (they force the in-process path). */
  hooks?: ContentHook[]
  /** Hooks that may run in layer workers; each spec's onResult gets every layer's result. */
  hookSpecs?: ContentHookSpec[]
  /** Layers streamed at once (and workers started); default 2. */
  concurrency?: number
  /**
   * Read layers in worker threads: true forces it (from dist/ only), false never; default 'auto': env
   * LAYER_AUDIT_WORKERS=0/1 decides if set, else workers when there are no closure hooks and the
   * image's blobs add up to WORKER_MIN_BYTES or more (smaller ones don't repay a worker's start-up).
   */
  workers?: boolean | 'auto'
  /** Called as each layer completes — in completion order, not layer order (see `layer.index`). */
  onLayerDone?: (contents: LayerContents) => void
  /** Bytes of each blob read so far (default: the image's, from OpenOptions.onProgress). */
  onProgress?: LayerProgressCallback
  /**
   * Layers whose blob digest is known and whose every hook spec is cacheable come from here when it has
   * them (no blob opened) and are stored in it once read. Closure hooks make every layer uncacheable.
   */
  cache?: LayerCache
}

export const WORKER_MIN_BYTES = 32 * 1024 * 1024

/**
 * Rejects with the first layer's typed error (digest mismatch, corrupt tar, …); the other layers'
 * streams are destroyed and waited for, so nothing keeps reading after the promise settles.
 */
export async function readLayers(image: Image, options: ReadLayersOptions = {}): Promise<LayerContents[]> {
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 2))
  if (useWorkers(image, options)) return readInWorkers(image, options, Math.min(concurrency, image.layers.length))
  return readInProcess(image, options, concurrency)
}

/**
 * Starts the layer workers a coming readLayers of a big image will use (see startSpareLayerWorkers), for a
 * caller that has other work to do first. Nothing happens where readLayers would not use workers anyway.
 */
export function warmLayerWorkers(options: {concurrency?: number; hookModules: readonly string[]}): void {
  const env = process.env.LAYER_AUDIT_WORKERS
  if (env === '0' || !layerWorkerAvailable()) return
  startSpareLayerWorkers(Math.max(1, Math.floor(options.concurrency ?? 2)), options.hookModules)
}

function useWorkers(image: Image, options: ReadLayersOptions): boolean {
  if (image.layers.length === 0) return false
  const hasClosures = (options.hooks?.length ?? 0) > 0
  let wanted = options.workers ?? 'auto'
  if (wanted === 'auto') {
    const env = process.env.LAYER_AUDIT_WORKERS
    if (env === '0' || env === '1') wanted = env === '1'
  }
  if (wanted === 'auto') {
    const bytes = image.layers.reduce((sum, l) => sum + Math.max(0, l.size ?? 0), 0)
    return !hasClosures && bytes >= WORKER_MIN_BYTES && layerWorkerAvailable()
  }
  if (!wanted) return false
  if (hasClosures) throw new Error('readLayers: closure hooks cannot run in layer workers (pass hook specs)')
  if (!layerWorkerAvailable()) throw new Error('readLayers: layer workers need the built library (npm run build); running from sources?')
  return true
}

/**
 * Runs `readOne` over every layer, `concurrency` at a time, biggest blob first (with two lanes, reading
 * in layer order could leave one lane inflating a big last layer alone); the first failure cancels the rest.
 */
async function forEachLayer(
  image: Image,
  concurrency: number,
  readOne: (layer: LayerInfo, position: number, isFailed: () => boolean) => Promise<void>,
  cancelAll: () => void,
): Promise<void> {
  let failure: {error: unknown} | undefined
  const order = image.layers.map((_, i) => i).sort((a, b) => (image.layers[b].size ?? 0) - (image.layers[a].size ?? 0) || a - b)
  let next = 0
  const lane = async (): Promise<void> => {
    while (!failure && next < order.length) {
      const position = order[next++]
      try {
        await readOne(image.layers[position], position, () => failure !== undefined)
      } catch (error) {
        if (!failure) {
          failure = {error}
          cancelAll()
        }
      }
    }
  }
  await Promise.all(Array.from({length: Math.min(concurrency, image.layers.length)}, lane))
  if (failure) throw failure.error
}

async function readInProcess(image: Image, options: ReadLayersOptions, concurrency: number): Promise<LayerContents[]> {
  const specs = options.hookSpecs ?? []
  const results: LayerContents[] = new Array(image.layers.length)
  const open = new Set<Readable>()
  const meters = layerMeters(image, options.onProgress ?? image.onProgress)

  const readOne = async (layer: LayerInfo, position: number, isFailed: () => boolean): Promise<void> => {
    const meter = meters?.get(layer)
    const readBlob: LayerPassReader = async (specOptions) => {
      const blob = await image.openLayer(layer)
      if (isFailed()) {
        blob.destroy()
        throw new Error('cancelled') // another layer failed first: its error is the one reported
      }
      open.add(blob)
      try {
        const specHooks = layerHooks(specs, layer, specOptions)
        const hooks = [...(options.hooks ?? []), ...specHooks.hooks]
        // A second 'data' listener, added after pushStream's: the reader has the chunk by the time it is counted.
        const reading = pushStream(blob, new LayerReader(layer, hooks, image.reference))
        if (meter) blob.on('data', (chunk: Buffer) => meter.add(chunk.length))
        return {read: await reading, results: specHooks.results()}
      } finally {
        open.delete(blob)
      }
    }
    finishLayer(layer, position, await passOf(layer, specs, options, readBlob))
  }
  const finishLayer = layerFinisher(specs, options, results, meters)

  await forEachLayer(image, concurrency, readOne, () => {
    for (const blob of open) blob.destroy()
  })
  return results
}

async function readInWorkers(image: Image, options: ReadLayersOptions, concurrency: number): Promise<LayerContents[]> {
  const specs = options.hookSpecs ?? []
  const results: LayerContents[] = new Array(image.layers.length)
  const running = new Set<LayerJob>()
  // Started at the first layer the cache does not have: a fully cached image starts no worker.
  let pool: LayerWorkerPool | undefined
  const meters = layerMeters(image, options.onProgress ?? image.onProgress)

  const readOne = async (layer: LayerInfo, position: number, isFailed: () => boolean): Promise<void> => {
    const meter = meters?.get(layer)
    const readBlob: LayerPassReader = async (specOptions) => {
      // A cache lookup came first: another layer may have failed meanwhile, and its error is the one reported.
      if (isFailed()) throw new Error('cancelled')
      // Options a cache widened for this layer only are sent whole, not kept by the worker for later jobs.
      const messages = specs.map((s, i) => ({module: s.module, options: specOptions[i], ...(specOptions[i] === s.options ? {} : {once: true})}))
      // Counted as the worker acknowledges bytes it has inflated and walked: the work done, not the bytes sent.
      const job = (pool ??= new LayerWorkerPool(concurrency)).start(image, layer, messages, meter && ((bytes) => meter.add(bytes)))
      running.add(job)
      try {
        const {hookResults, ...read} = await job.result
        return {read, results: hookResults}
      } finally {
        running.delete(job)
      }
    }
    finishLayer(layer, position, await passOf(layer, specs, options, readBlob))
  }
  const finishLayer = layerFinisher(specs, options, results, meters)

  try {
    await forEachLayer(image, concurrency, readOne, () => {
      for (const job of running) job.cancel()
    })
  } finally {
    await pool?.close()
  }
  return results
}

/** One layer's pass: through the cache when there is one (closure hooks ride along uncached), else read. */
async function passOf(layer: LayerInfo, specs: readonly ContentHookSpec[], options: ReadLayersOptions, readBlob: LayerPassReader): Promise<LayerPass & {fromCache: boolean}> {
  if (options.cache) return options.cache.read(layer, specs, readBlob, (options.hooks?.length ?? 0) === 0)
  return {...(await readBlob(specs.map((spec) => spec.options))), fromCache: false}
}

/** Files a layer's pass: its contents in layer order, each spec's result, the progress line, onLayerDone. */
function layerFinisher(
  specs: readonly ContentHookSpec[],
  options: ReadLayersOptions,
  results: LayerContents[],
  meters: Map<LayerInfo, LayerMeter> | undefined,
): (layer: LayerInfo, position: number, pass: LayerPass & {fromCache: boolean}) => void {
  return (layer, position, {read, results: hookResults, fromCache}) => {
    const contents: LayerContents = {layer, ...read}
    results[position] = contents
    hookResults.forEach((result, i) => specs[i].onResult(layer, result))
    const meter = meters?.get(layer)
    // A cached layer counts as read whole: the line shows the image done, not stuck at 0.
    if (fromCache) meter?.add(read.compressedSize)
    meter?.done()
    options.onLayerDone?.(contents)
  }
}
