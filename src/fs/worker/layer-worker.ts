/**
 * A layer worker: what the main thread's LayerReader does — sniff, stored-blob digest, inflate, diff_id
 * digest, tar walk, content hooks — for blob bytes the main thread sends. The main thread keeps only the
 * I/O (every image source unchanged); the CPU work of one layer runs here, synchronously per message:
 * a chunk is inflated, hashed and walked before it is acknowledged.
 */
import {parentPort} from 'node:worker_threads'
import type {LayerInfo} from '../../image/model.js'
import type {LayerHookFactory} from '../hook-spec.js'
import {LayerReader} from '../layer-reader.js'
import {reviveError, serializeError} from './error-transfer.js'
import type {FromWorker, JobSpec, ToWorker} from './protocol.js'

const port = parentPort
if (!port) throw new Error('layer-worker.js runs as a worker thread (see src/fs/worker/pool.ts)')

const post = (message: FromWorker): void => port.postMessage(message)
/** Entries per 'entries' message: big enough that posting costs little, small enough to hold briefly. */
const ENTRY_BATCH = 4096
const factories = new Map<string, Promise<LayerHookFactory>>()
/** Spec options by key, kept for this worker's later jobs (protocol.ts JobSpec). */
const optionsByKey = new Map<number, unknown>()

class Job {
  private reader?: LayerReader
  /** Chunks that arrived while the hook modules were still loading. */
  private early: Buffer[] = []
  private ended = false
  private failed = false
  private built: {result(): unknown}[] = []

  constructor(readonly id: number) {}

  async start(layer: LayerInfo, input: string, specs: JobSpec[]): Promise<void> {
    try {
      // Before any await: a job's options are filed under their key in the order the jobs came.
      const options = specs.map(optionsOf)
      const built = await Promise.all(specs.map(async (spec, i) => (await factoryOf(spec.module))(options[i], layer)))
      if (this.failed) return
      this.built = built
      this.reader = new LayerReader(layer, built.map((b) => b.hook), input)
      const early = this.early
      this.early = []
      for (const chunk of early) this.push(chunk)
      if (this.ended) this.end()
    } catch (error) {
      this.fail(error)
    }
  }

  push(chunk: Buffer): void {
    if (this.failed) return
    if (!this.reader) {
      this.early.push(chunk)
      return
    }
    try {
      this.reader.write(chunk)
      this.sendEntries(ENTRY_BATCH)
      post({type: 'ack', id: this.id, bytes: chunk.length})
    } catch (error) {
      this.fail(error)
    }
  }

  end(): void {
    this.ended = true
    if (this.failed || !this.reader) return
    try {
      const {entries, ...read} = this.reader.end()
      if (entries.length > 0) post({type: 'entries', id: this.id, json: JSON.stringify(entries)})
      post({type: 'done', id: this.id, result: {...read, entries: [], hookResults: this.built.map((b) => b.result())}})
      jobs.delete(this.id)
    } catch (error) {
      this.fail(error)
    }
  }

  /** Posts the entries walked so far once there are at least `atLeast` of them. */
  private sendEntries(atLeast: number): void {
    if (this.reader!.pendingEntries() < atLeast) return
    post({type: 'entries', id: this.id, json: JSON.stringify(this.reader!.takeEntries())})
  }

  fail(error: unknown): void {
    if (this.failed) return
    this.failed = true
    jobs.delete(this.id)
    post({type: 'error', id: this.id, error: serializeError(error)})
  }

  /** The main thread's source failed or the job was cancelled. */
  abort(error: Error): void {
    this.fail(this.reader ? this.reader.sourceError(error) : error)
  }
}

const jobs = new Map<number, Job>()

function optionsOf(spec: JobSpec): unknown {
  if (spec.key === undefined) return spec.options
  if ('options' in spec) optionsByKey.set(spec.key, spec.options)
  else if (!optionsByKey.has(spec.key)) throw new Error(`layer worker: no options under key ${spec.key}`)
  return optionsByKey.get(spec.key)
}

function factoryOf(module: string): Promise<LayerHookFactory> {
  let factory = factories.get(module)
  if (!factory) {
    factory = import(module).then((exports: {createLayerHook?: LayerHookFactory}) => {
      if (typeof exports.createLayerHook !== 'function') throw new Error(`${module} exports no createLayerHook`)
      return exports.createLayerHook
    })
    factories.set(module, factory)
  }
  return factory
}

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'preload':
      // A module that fails to load fails the first job that names it, with the same error.
      for (const module of message.modules) factoryOf(module).catch(() => {})
      break
    case 'job': {
      const job = new Job(message.id)
      jobs.set(message.id, job)
      void job.start(message.layer, message.input, message.specs)
      break
    }
    case 'chunk': {
      const {chunk} = message
      jobs.get(message.id)?.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength))
      break
    }
    case 'end':
      jobs.get(message.id)?.end()
      break
    case 'abort':
      jobs.get(message.id)?.abort(message.error ? reviveError(message.error) : new Error('cancelled'))
      break
  }
})
