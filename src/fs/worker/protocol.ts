/** Messages between readLayers (main thread) and a layer worker. One job = one layer; ids tell jobs apart. */
import type {LayerInfo} from '../../image/model.js'
import type {LayerEntry, Whiteout} from '../entry.js'
import type {HookSpecMessage} from '../hook-spec.js'
import type {SerializedError} from './error-transfer.js'

export type ToWorker =
  | {type: 'job'; id: number; layer: LayerInfo; input: string; specs: HookSpecMessage[]}
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
  | {type: 'done'; id: number; result: WorkerLayerResult}
  | {type: 'error'; id: number; error: SerializedError}

export interface WorkerLayerResult {
  entries: LayerEntry[]
  whiteouts: Whiteout[]
  compression: 'gzip' | 'zstd' | 'none'
  compressedSize: number
  uncompressedSize: number
  /** One per hook spec of the job, in the same order. */
  hookResults: unknown[]
}
