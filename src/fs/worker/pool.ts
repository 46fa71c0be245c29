/**
 * The main thread's side of layer workers: a fixed set of worker threads, one layer job each at a time.
 * Blob bytes come from `image.openLayer` here (every source unchanged) and go to the worker transferred,
 * not cloned. A file stream's chunks (docker-archive, OCI layouts, the registry's blob cache) are fresh
 * buffers nobody else holds: they are transferred as they are. Other streams' chunks are copied into
 * 1 MiB buffers we own first: a source may still hold its chunk (the registry cache tee writes it to
 * disk asynchronously), so its memory is not ours to detach. Not copying matters less for the copy
 * (~0.1 s per GB) than for the garbage: 1 MiB buffers made at 150 MB/s set off a full GC of the main
 * thread's heap every ~250 ms, and compare's heap holds the zip side. Backpressure: the source pauses while a worker has more than
 * MAX_IN_FLIGHT bytes it has not yet inflated and walked.
 */
import {existsSync, ReadStream} from 'node:fs'
import type {Readable} from 'node:stream'
import {fileURLToPath} from 'node:url'
import {Worker} from 'node:worker_threads'
import type {Image, LayerInfo} from '../../image/model.js'
import type {LayerEntry} from '../entry.js'
import type {HookSpecMessage} from '../hook-spec.js'
import {reviveError, serializeError} from './error-transfer.js'
import type {FromWorker, JobSpec, ToWorker, WorkerLayerResult} from './protocol.js'

const BATCH = 1 << 20
const MAX_IN_FLIGHT = 4 << 20
const RESUME_BELOW = MAX_IN_FLIGHT / 2
const YOUNG_GENERATION_MB = 4

/** dist/fs/worker/layer-worker.js; absent when running from the TypeScript sources (vitest). */
export const LAYER_WORKER_URL = new URL('./layer-worker.js', import.meta.url)

export function layerWorkerAvailable(): boolean {
  return existsSync(fileURLToPath(LAYER_WORKER_URL))
}

export interface LayerJob {
  result: Promise<WorkerLayerResult>
  /** Stops reading the blob and tells the worker to drop the layer; `result` then rejects. */
  cancel(): void
}

/** Keys of the spec options objects sent to workers (see JobSpec): the same object, the same key. */
const optionKeys = new WeakMap<object, number>()
let nextOptionKey = 1

/** Workers started ahead of any pool (startSpareLayerWorkers); the next pool takes them first. */
const spares: LayerWorkerHandle[] = []

/**
 * Starts `count` workers now, loading these hook modules, for a pool made later: a worker takes ~0.1 s to
 * start, which a caller with other work to do first (compare reads the zips) can hide. Spares do not keep
 * the process alive; unused ones end with it.
 */
export function startSpareLayerWorkers(count: number, hookModules: readonly string[]): void {
  while (spares.length < count) {
    const handle = new LayerWorkerHandle()
    handle.worker.unref()
    handle.worker.postMessage({type: 'preload', modules: [...hookModules]} satisfies ToWorker)
    spares.push(handle)
  }
}

/** Spares not yet taken by a pool. */
export function spareLayerWorkers(): number {
  return spares.length
}

export class LayerWorkerPool {
  private readonly idle: LayerWorkerHandle[] = []
  private readonly all: LayerWorkerHandle[] = []
  private nextId = 1

  constructor(readonly size: number) {
    for (let i = 0; i < size; i++) {
      const handle = spares.shift() ?? new LayerWorkerHandle()
      handle.worker.ref()
      this.all.push(handle)
      this.idle.push(handle)
    }
  }

  /**
   * Reads one layer in an idle worker; the caller runs at most `size` jobs at once. `onBytes` hears of the
   * blob bytes the worker has inflated and walked, as it acknowledges them (no message of its own).
   */
  start(image: Image, layer: LayerInfo, specs: HookSpecMessage[], onBytes?: (bytes: number) => void): LayerJob {
    const handle = this.idle.pop()
    if (!handle) throw new Error('LayerWorkerPool: no idle worker')
    const job = handle.run(this.nextId++, image, layer, specs, onBytes)
    void job.result.then(
      () => this.idle.push(handle),
      () => this.idle.push(handle),
    )
    return job
  }

  async close(): Promise<void> {
    await Promise.all(this.all.map((h) => h.worker.terminate()))
  }
}


class LayerWorkerHandle {
  // A small young generation: the worker's garbage is mostly blob buffers, and smaller semi-spaces
  // measured ~20 MB less per worker at no cost in time.
  readonly worker = new Worker(LAYER_WORKER_URL, {resourceLimits: {maxYoungGenerationSizeMb: YOUNG_GENERATION_MB}})
  private current?: {id: number; onMessage(message: FromWorker): void; onCrash(error: Error): void}
  /** Option keys this worker holds. */
  private readonly optionsSent = new Set<number>()

  constructor() {
    this.worker.on('message', (message: FromWorker) => {
      if (this.current && message.id === this.current.id) this.current.onMessage(message)
    })
    this.worker.on('error', (error) => this.current?.onCrash(error))
    this.worker.on('exit', (code) => this.current?.onCrash(new Error(`layer worker exited with code ${code}`)))
  }

  /** The spec as this worker needs it: options it already holds are named by their key only. */
  private jobSpec({module, options, once}: HookSpecMessage): JobSpec {
    if (once || typeof options !== 'object' || options === null) return {module, options}
    let key = optionKeys.get(options)
    if (key === undefined) optionKeys.set(options, (key = nextOptionKey++))
    if (this.optionsSent.has(key)) return {module, key}
    this.optionsSent.add(key)
    return {module, key, options}
  }

  run(id: number, image: Image, layer: LayerInfo, specs: HookSpecMessage[], onBytes?: (bytes: number) => void): LayerJob {
    const send = (message: ToWorker, transfer?: ArrayBuffer[]) => this.worker.postMessage(message, transfer)
    let blob: Readable | undefined
    let settled = false
    let cancelled = false
    let inFlight = 0
    let batch: Buffer | undefined
    let batchLength = 0
    /** Entries the worker has sent so far, in tar order. */
    const sent: LayerEntry[] = []

    let settle!: {resolve: (r: WorkerLayerResult) => void; reject: (e: Error) => void}
    const result = new Promise<WorkerLayerResult>((resolve, reject) => (settle = {resolve, reject}))
    const finish = (outcome: {result: WorkerLayerResult} | {error: Error}) => {
      if (settled) return
      settled = true
      this.current = undefined
      blob?.destroy()
      if ('result' in outcome) settle.resolve(outcome.result)
      else settle.reject(outcome.error)
    }

    this.current = {
      id,
      onMessage: (message) => {
        if (message.type === 'ack') {
          inFlight -= message.bytes
          onBytes?.(message.bytes)
          if (blob && inFlight < RESUME_BELOW && blob.isPaused() && !blob.destroyed) blob.resume()
        } else if (message.type === 'entries') {
          for (const entry of JSON.parse(message.json) as LayerEntry[]) sent.push(entry)
        } else if (message.type === 'done') {
          for (const entry of message.result.entries) sent.push(entry)
          finish({result: {...message.result, entries: sent}})
        }
        else finish({error: reviveError(message.error)})
      },
      onCrash: (error) => finish({error}),
    }
    send({type: 'job', id, layer, input: image.reference, specs: specs.map((spec) => this.jobSpec(spec))})

    const flush = () => {
      if (!batch || batchLength === 0) return
      const chunk = batchLength === batch.length ? batch : batch.subarray(0, batchLength)
      inFlight += chunk.length
      send({type: 'chunk', id, chunk}, [batch.buffer as ArrayBuffer])
      batch = undefined
      batchLength = 0
    }
    /** A file stream's chunk: its own allocation, handed over whole (the view keeps offset and length). */
    const onFileData = (chunk: Buffer) => {
      inFlight += chunk.length
      send({type: 'chunk', id, chunk}, [chunk.buffer as ArrayBuffer])
      if (inFlight > MAX_IN_FLIGHT) blob?.pause()
    }
    const onData = (chunk: Buffer) => {
      let offset = 0
      while (offset < chunk.length) {
        batch ??= Buffer.allocUnsafeSlow(BATCH)
        const n = chunk.copy(batch, batchLength, offset)
        batchLength += n
        offset += n
        if (batchLength === batch.length) flush()
      }
      if (inFlight > MAX_IN_FLIGHT) blob?.pause()
    }

    image.openLayer(layer).then(
      (stream) => {
        if (settled || cancelled) {
          stream.destroy()
          if (!settled) send({type: 'abort', id})
          return
        }
        blob = stream
        stream.on('data', stream instanceof ReadStream ? onFileData : onData)
        stream.once('end', () => {
          flush()
          send({type: 'end', id})
        })
        stream.on('error', (error) => {
          if (!settled) send({type: 'abort', id, error: serializeError(error)})
        })
      },
      (error: unknown) => {
        // As on the main thread: a source that cannot open the blob throws its own error, unwrapped.
        send({type: 'abort', id})
        finish({error: error instanceof Error ? error : new Error(String(error))})
      },
    )

    return {
      result,
      cancel: () => {
        if (settled || cancelled) return
        cancelled = true
        blob?.destroy()
        send({type: 'abort', id})
      },
    }
  }
}
