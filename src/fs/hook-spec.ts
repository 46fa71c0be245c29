/**
 * Content hooks that can run in a layer worker. A closure cannot cross threads, so a spec names a module
 * (by URL) whose `createLayerHook(options, layer)` builds one layer's hook, and whose per-layer result
 * (structured-cloneable) comes back to the main thread, where `onResult` merges it. The in-process path
 * calls the same factory, so both paths produce the same per-layer results.
 */
import type {LayerInfo} from '../image/model.js'
import type {ContentHook} from './entry.js'

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
}

/** What a worker job receives for each spec. */
export interface HookSpecMessage {
  module: string
  options: unknown
}

/** Builds each spec's hook for one layer; `finish` hands every result to its spec. */
export function layerHooks(specs: readonly ContentHookSpec[], layer: LayerInfo): {hooks: ContentHook[]; results(): unknown[]} {
  const built = specs.map((spec) => spec.factory(spec.options, layer))
  return {hooks: built.map((b) => b.hook), results: () => built.map((b) => b.result())}
}
