/**
 * What reading a layer learned, kept on disk so that a layer shared by many images (a fleet's base
 * layers) is read once, across images and across runs: its entries, whiteouts and sizes, and each hook
 * spec's result (hook-spec.ts HookResultCache). docs/performance.md, "Layer cache".
 *
 * Images are untrusted. A layer is keyed by its blob digest AND its diff_id (an image claiming a popular
 * layer's diff_id over other bytes must be read, and fail its digest check, not be served the popular
 * layer's results); only layers whose blob digest is known are cached, and only after a read that
 * verified both digests. Keys also carry the format and the tool's version, so a release never reads
 * another's shapes. Each file is verified whole on load (cache-file.ts); a bad one is a miss, and the
 * read that follows replaces it.
 */
import {createHash} from 'node:crypto'
import {join} from 'node:path'
import {promisify} from 'node:util'
import {gunzip, gzip} from 'node:zlib'
import type {LayerInfo} from '../image/model.js'
import {userCacheDir} from '../io/cache-dir.js'
import {packageInfo} from '../report/tool-info.js'
import {readCacheFile, writeCacheFile} from './cache-file.js'
import type {ContentHookSpec, HookResultCache} from './hook-spec.js'
import {decodeLayerRead, encodeLayerRead} from './layer-read-codec.js'
import type {LayerRead} from './layer-reader.js'

const gzipAsync = promisify(gzip)
const gunzipCapped = promisify(gunzip)
/** A stored hook result inflates to far less (a capture's heads, a scan's hits); more is not ours. */
const MAX_HOOK_RESULT_BYTES = 256 * 1024 * 1024
/** Bumped whenever what a file holds changes shape. */
const FORMAT = 1

export interface LayerCacheOptions {
  /** Default: defaultLayerCacheDir(). */
  dir?: string
  /** Part of every key (default: package.json's version). */
  toolVersion?: string
}

export interface LayerCacheStats {
  /** Layers asked for (hits + misses). */
  layersReferenced: number
  /** Layers streamed from their blob (= misses). */
  layersRead: number
  /** Layers served from the cache: no blob opened. */
  hits: number
  /** Layers read from their blob (not cached yet, not cacheable, or stored results that did not cover the read). */
  misses: number
  /** Stored sizes of every layer asked for. */
  bytesReferenced: number
  /** Stored sizes of the layers actually streamed. */
  bytesRead: number
  /** Files ignored as truncated, corrupt, tampered or written under another key (each replaced by the read that followed). */
  rejected: number
  /** Files that could not be written (an unwritable cache directory): the audit goes on without them. */
  writeFailures: number
}

/** One pass over a layer: what readLayers builds LayerContents from, and one result per hook spec. */
export interface LayerPass {
  read: LayerRead
  results: unknown[]
}

/** Reads the layer's blob, each spec's hook built with `options[i]`. */
export type LayerPassReader = (options: readonly unknown[]) => Promise<LayerPass>

/** $LAYER_AUDIT_CACHE_DIR, else $XDG_CACHE_HOME/layer-audit/layers, else ~/.cache/layer-audit/layers. */
export function defaultLayerCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.LAYER_AUDIT_CACHE_DIR || userCacheDir('layers', env)
}

/** The cache a command uses: the default directory (or `options.dir`). */
export function openLayerCache(options: LayerCacheOptions = {}): LayerCache {
  return new LayerCache(options)
}

export class LayerCache {
  readonly dir: string
  private readonly toolVersion: string
  private readonly anticipated = new Map<string, unknown>()
  /** Reads of cacheable layers under way, by (blob digest, diff_id). */
  private readonly inflight = new Map<string, Promise<unknown>>()
  private readonly counters: Omit<LayerCacheStats, 'layersReferenced' | 'layersRead'> = {hits: 0, misses: 0, bytesReferenced: 0, bytesRead: 0, rejected: 0, writeFailures: 0}

  constructor(options: LayerCacheOptions = {}) {
    this.dir = options.dir ?? defaultLayerCacheDir()
    this.toolVersion = options.toolVersion ?? packageInfo().version
  }

  /**
   * Options later reads of the spec cached under `key` will ask for (HookResultCache.unite): a layer
   * read from its blob is read for them too. A fleet knows every function's wrapper path before it opens
   * the first image; without this, a base layer is read again for each new path.
   */
  anticipate(key: string, options: unknown): void {
    this.anticipated.set(key, options)
  }

  /** The counters so far: bytesRead of bytesReferenced is what the cache saved. */
  stats(): LayerCacheStats {
    const {hits, misses} = this.counters
    return {layersReferenced: hits + misses, layersRead: misses, ...this.counters}
  }

  /**
   * The layer's pass from the cache when every spec's stored result covers this read, else from
   * `readLayer`, then stored (not when `cacheable` is false: closure hooks ride the read). A spec whose stored result fell short is read with its widened options
   * (what both ask for), and gets its own result replayed from that read's.
   */
  async read(layer: LayerInfo, specs: readonly ContentHookSpec[], readLayer: LayerPassReader, cacheable = true): Promise<LayerPass & {fromCache: boolean}> {
    const caches = specs.map((spec) => spec.cache)
    if (!cacheable || layer.digest === undefined || !everyDefined(caches)) {
      return {...(await this.readBlob(layer, specs.map((spec) => spec.options), readLayer)), fromCache: false}
    }
    // A fleet opens several images on one base at once: the second asker of a layer waits for the first's
    // read and store, then hits, instead of streaming the same blob twice. (No await between the check
    // and the set: of several waiters woken together, one reads and the others wait for it.)
    const lock = `${layer.digest}\0${layer.diffId}`
    for (let earlier = this.inflight.get(lock); earlier; earlier = this.inflight.get(lock)) await earlier.catch(() => {})
    const work = this.readCacheable(layer, specs, caches, readLayer)
    this.inflight.set(lock, work)
    try {
      return await work
    } finally {
      if (this.inflight.get(lock) === work) this.inflight.delete(lock)
    }
  }

  private async readCacheable(layer: LayerInfo, specs: readonly ContentHookSpec[], caches: HookResultCache[], readLayer: LayerPassReader): Promise<LayerPass & {fromCache: boolean}> {

    const stored = await this.loadLayer(layer)
    const results = new Array<unknown>(specs.length)
    const storedResults = new Array<unknown>(specs.length)
    let covered = stored !== undefined
    for (let i = 0; i < specs.length && stored; i++) {
      storedResults[i] = await this.loadResult(layer, caches[i])
      results[i] = storedResults[i] === undefined ? undefined : decodeOrMiss(caches[i], storedResults[i], layer, stored.entries)
      covered &&= results[i] !== undefined
    }
    if (stored && covered) {
      this.counters.hits++
      this.counters.bytesReferenced += layer.size ?? stored.compressedSize
      return {read: stored, results, fromCache: true}
    }

    const options = specs.map((spec, i) => {
      const widened = storedResults[i] === undefined ? spec.options : widenOr(caches[i], storedResults[i], spec.options)
      const anticipated = this.anticipated.get(caches[i].key)
      return anticipated === undefined || !caches[i].unite ? widened : caches[i].unite(widened, anticipated)
    })
    const pass = await this.readBlob(layer, options, readLayer)
    const encoded = caches.map((cache, i) => cache.encode(pass.results[i], options[i]))
    const own = specs.map((spec, i) => (options[i] === spec.options ? pass.results[i] : caches[i].decode(encoded[i], layer, pass.read.entries)))
    if (own.some((result) => result === undefined)) throw new Error('layer cache: a widened read does not cover the options it was widened for')
    await this.store(layer, stored ? undefined : pass.read, caches, encoded)
    return {read: pass.read, results: own, fromCache: false}
  }

  private async readBlob(layer: LayerInfo, options: readonly unknown[], readLayer: LayerPassReader): Promise<LayerPass> {
    const pass = await readLayer(options)
    const size = layer.size ?? pass.read.compressedSize
    this.counters.misses++
    this.counters.bytesReferenced += size
    this.counters.bytesRead += size
    return pass
  }

  private async loadLayer(layer: LayerInfo): Promise<LayerRead | undefined> {
    const payload = await this.load(layer, 'layer')
    if (!payload) return undefined
    try {
      return await decodeLayerRead(payload, layer.index)
    } catch {
      this.counters.rejected++
      return undefined
    }
  }

  private async loadResult(layer: LayerInfo, cache: HookResultCache): Promise<unknown> {
    const payload = await this.load(layer, `hook ${cache.key}`)
    if (!payload) return undefined
    try {
      return JSON.parse((await gunzipCapped(payload, {maxOutputLength: MAX_HOOK_RESULT_BYTES})).toString('utf8')) as unknown
    } catch {
      this.counters.rejected++
      return undefined
    }
  }

  private async load(layer: LayerInfo, part: string): Promise<Buffer | undefined> {
    const {key, path} = this.fileOf(layer, part)
    const file = await readCacheFile(path, key)
    if ('payload' in file) return file.payload
    if ('invalid' in file) this.counters.rejected++
    return undefined
  }

  /** `read` only when the stored layer was not valid; each hook's stored result. Failures are counted, not thrown. */
  private async store(layer: LayerInfo, read: LayerRead | undefined, caches: readonly HookResultCache[], encoded: readonly unknown[]): Promise<void> {
    const writes: Promise<void>[] = caches.map(async (cache, i) => this.write(layer, `hook ${cache.key}`, [await gzipAsync(JSON.stringify(encoded[i]))]))
    if (read) writes.push(encodeLayerRead(read).then((payload) => this.write(layer, 'layer', payload)))
    for (const outcome of await Promise.allSettled(writes)) if (outcome.status === 'rejected') this.counters.writeFailures++
  }

  private async write(layer: LayerInfo, part: string, payload: readonly Buffer[]): Promise<void> {
    const {key, path} = this.fileOf(layer, part)
    await writeCacheFile(path, key, payload)
  }

  /** The key (echoed inside the file) and the file's path: its sha256, so that no part of an image names a path. */
  private fileOf(layer: LayerInfo, part: string): {key: string; path: string} {
    const key = JSON.stringify({format: FORMAT, tool: this.toolVersion, digest: layer.digest, diffId: layer.diffId, part})
    const name = createHash('sha256').update(key).digest('hex')
    return {key, path: join(this.dir, `${name}.${part === 'layer' ? 'layer' : 'hook'}`)}
  }
}

function everyDefined<T>(values: readonly (T | undefined)[]): values is T[] {
  return values.every((value) => value !== undefined)
}

function decodeOrMiss(cache: HookResultCache, stored: unknown, layer: LayerInfo, entries: LayerRead['entries']): unknown {
  try {
    return cache.decode(stored, layer, entries)
  } catch {
    return undefined
  }
}

/** A stored result that cannot be widened (a shape decode would refuse too) is read over with the spec's own options. */
function widenOr(cache: HookResultCache, stored: unknown, options: unknown): unknown {
  try {
    return cache.widen ? cache.widen(stored) : options
  } catch {
    return options
  }
}
