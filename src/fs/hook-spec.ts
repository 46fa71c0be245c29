/**
 * Content hooks that can run in a layer worker. A closure cannot cross threads, so a spec names a module
 * (by URL) whose `createLayerHook(options, layer)` builds one layer's hook, and whose per-layer result
 * (structured-cloneable) comes back to the main thread, where `onResult` merges it. The in-process path
 * calls the same factory, so both paths produce the same per-layer results.
 */
import type {LayerInfo} from '../image/model.js'
import type {ContentHook, LayerEntry} from './entry.js'

/** One layer's hook and what it learned, read once the layer has streamed to its end. */
export interface LayerHook<R = unknown> {
  hook: ContentHook
  result(): R
}

export type LayerHookFactory<O = unknown, R = unknown> = (options: O, layer: LayerInfo) => LayerHook<R>

export interface ContentHookSpec<O = unknown, R = unknown> {
  /** URL of an ES module exporting `createLayerHook` (the same function as `factory`); workers import it. */
  module: string
  /** The factory itself, for layers read on the main thread. (Method syntax: specs of any O, R fit ContentHookSpec.) */
  factory(options: O, layer: LayerInfo): LayerHook<R>
  /** Structured-cloneable (plain data, Maps, Sets): copied to each worker job. */
  options: O
  /** Main thread, once per layer as it completes (completion order; see `layer.index`). */
  onResult(layer: LayerInfo, result: R): void
  /** How a layer's result is kept in a LayerCache; a spec without it makes every layer read again. */
  cache?: HookResultCache<O, R>
}

/**
 * A spec's per-layer result as a LayerCache stores and replays it. The cache keys a stored result by the
 * layer and `key`; whatever else the options change must be stored with the result (`encode`) and
 * judged when it is loaded (`decode`): a stored result serves a read only if it yields exactly what
 * reading the layer with this spec's options would.
 */
export interface HookResultCache<O = unknown, R = unknown> {
  /** A stable string of the options a stored result cannot answer for otherwise (e.g. the scan's maxFileBytes). */
  key: string
  /** The result as JSON data, with whatever of the options it was made with `decode` needs. */
  encode(result: R, options: O): unknown
  /**
   * This spec's result for `layer` (re-indexed to it) from a stored one and the layer's entries in tar
   * order, or undefined when the stored result does not cover what this spec's options ask for. Stored
   * data is verified but may be of any shape: throwing is a miss too.
   */
  decode(stored: unknown, layer: LayerInfo, entries: readonly LayerEntry[]): R | undefined
  /**
   * The options to read a layer with when its stored result did not cover this spec's: what both ask for,
   * so the result stored next covers both (default: this spec's options).
   */
  widen?(stored: unknown): O
  /**
   * The options to read a layer with when the cache was told what later reads will ask for
   * (LayerCache.anticipate): these options and the anticipated ones together. The spec's own result is
   * then replayed from the wider one, so anticipating never changes a result, only saves a re-read.
   */
  unite?(options: O, anticipated: unknown): O
}

/** What a worker job receives for each spec. */
export interface HookSpecMessage {
  module: string
  options: unknown
  /** Options for this job only (a cache's widened plan): sent whole, not kept by the worker under a key. */
  once?: boolean
}

/** Builds each spec's hook for one layer (with `options[i]` in place of a spec's own); `results` reads what they learned. */
export function layerHooks(
  specs: readonly ContentHookSpec[],
  layer: LayerInfo,
  options: readonly unknown[] = specs.map((spec) => spec.options),
): {hooks: ContentHook[]; results(): unknown[]} {
  const built = specs.map((spec, i) => spec.factory(options[i], layer))
  return {hooks: built.map((b) => b.hook), results: () => built.map((b) => b.result())}
}
