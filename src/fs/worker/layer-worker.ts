/**
 * A layer worker: what openLayerStream + walkLayerTar do on the main thread — sniff, stored-blob
 * digest, inflate, diff_id digest, tar walk, content hooks — for blob bytes the main thread sends.
 * The main thread keeps only the I/O (every image source unchanged); the CPU work of one layer runs here.
 */
import {Readable} from 'node:stream'
import {parentPort} from 'node:worker_threads'
import {layerStreamFrom} from '../../image/layer-stream.js'
import type {LayerInfo} from '../../image/model.js'
import type {ContentHook} from '../entry.js'
import type {HookSpecMessage, LayerHookFactory} from '../hook-spec.js'
import {walkLayerTar} from '../layer-walker.js'
import {reviveError, serializeError} from './error-transfer.js'
import type {FromWorker, ToWorker} from './protocol.js'

const port = parentPort
if (!port) throw new Error('layer-worker.js runs as a worker thread (see src/fs/worker/pool.ts)')

const post = (message: FromWorker): void => port.postMessage(message)
const factories = new Map<string, Promise<LayerHookFactory>>()

class Job {
  /** Bytes received but not yet acknowledged: the queue was above its high-water mark. */
  private unacked = 0
  readonly raw: Readable

  constructor(readonly id: number) {
    this.raw = new Readable({
      highWaterMark: 1 << 20,
      read: () => {
        if (this.unacked > 0) {
          post({type: 'ack', id: this.id, bytes: this.unacked})
          this.unacked = 0
        }
      },
    })
  }

  push(chunk: Uint8Array): void {
    if (this.raw.destroyed) return
    const buffer = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
    if (this.raw.push(buffer)) post({type: 'ack', id: this.id, bytes: buffer.length})
    else this.unacked += buffer.length
  }

  async run(layer: LayerInfo, input: string, specs: HookSpecMessage[]): Promise<void> {
    try {
      const built = await Promise.all(specs.map(async (spec) => (await factoryOf(spec.module))(spec.options, layer)))
      const hooks: ContentHook[] = built.map((b) => b.hook)
      const {tar, stats} = await layerStreamFrom(this.raw, layer, input)
      const {entries, whiteouts} = await walkLayerTar(tar, layer, hooks, {input})
      const {compression, compressedSize, uncompressedSize} = await stats
      const hookResults = built.map((b) => b.result())
      post({type: 'done', id: this.id, result: {entries, whiteouts, compression, compressedSize, uncompressedSize, hookResults}})
    } catch (error) {
      this.raw.destroy()
      post({type: 'error', id: this.id, error: serializeError(error)})
    } finally {
      jobs.delete(this.id)
    }
  }
}

const jobs = new Map<number, Job>()

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
    case 'job': {
      const job = new Job(message.id)
      jobs.set(message.id, job)
      void job.run(message.layer, message.input, message.specs)
      break
    }
    case 'chunk':
      jobs.get(message.id)?.push(message.chunk)
      break
    case 'end':
      jobs.get(message.id)?.raw.push(null)
      break
    case 'abort':
      jobs.get(message.id)?.raw.destroy(message.error ? reviveError(message.error) : new Error('cancelled'))
      break
  }
})
