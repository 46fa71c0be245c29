/** Messages between readLayers (main thread) and a layer worker. One job = one layer; ids tell jobs apart. */
import type {LayerInfo} from '../../image/model.js'
import type {LayerEntry, Whiteout} from '../entry.js'
import type {SerializedError} from './error-transfer.js'

/**
 * A hook spec as a job carries it. Options that are an object get a key, and a worker is sent each
 * key's options once: later jobs name the key only (compare's plan is 3 MB serialized, ~25 ms to read).
 */
export interface JobSpec {
  module: string
  key?: number
  /** Absent when the worker already holds the options under `key`. */
  options?: unknown
}

export type ToWorker =
  | {type: 'job'; id: number; layer: LayerInfo; input: string; specs: JobSpec[]}
  /** A spare worker (startSpareLayerWorkers) loads the hook modules its jobs will ask for, ahead of them. */
  | {type: 'preload'; modules: string[]}
  /** Blob bytes in order; the buffer is transferred (the main thread copied them into memory it owns). */
  | {type: 'chunk'; id: number; chunk: Uint8Array}
  | {type: 'end'; id: number}
  /** The blob failed on the main thread (error given), or the job is cancelled because another layer failed. */
  | {type: 'abort'; id: number; error?: SerializedError}

export type FromWorker =
  /** The worker has inflated and walked this many more blob bytes: the main thread may send more. */
  | {type: 'ack'; id: number; bytes: number}
  /**
   * Entries walked so far, in tar order, sent as the layer streams: the worker holds none for long, and
   * the main thread receives a million-file layer in batches instead of one clone of the whole list
   * beside the worker's own copy. As JSON text: JSON.parse makes compact objects, faster than a structured
   * clone (which costs ~60 more bytes an entry and half again the time); names that are byte strings
   * (lone surrogates) survive it, as JSON.stringify escapes them.
   */
  | {type: 'entries'; id: number; json: string}
  | {type: 'done'; id: number; result: WorkerLayerResult}
  | {type: 'error'; id: number; error: SerializedError}

export interface WorkerLayerResult {
  /** Entries not yet sent in 'entries' messages (the pool puts the batches back in front). */
  entries: LayerEntry[]
  whiteouts: Whiteout[]
  compression: 'gzip' | 'zstd' | 'none'
  compressedSize: number
  uncompressedSize: number
  /** One per hook spec of the job, in the same order. */
  hookResults: unknown[]
}
