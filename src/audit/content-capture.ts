/**
 * The content side of the single streaming pass. Knowing the expected layout up front, it hashes only
 * image files that the zip side has at the same path with the same size (different sizes already say
 * "different" without reading a byte) and keeps the first bytes of the few files rules sniff
 * (extensions, the entrypoint, the wrapper, the handler). Facts are keyed by (layer, path) because a
 * path may be written by several layers: after flatten, the copy that won (node.layer) is the one read.
 *
 * Layers may be read in worker threads: `spec()` gives readLayers a hook spec whose per-layer factory
 * (`createLayerHook`, in this module) builds a capture for one layer; its facts come back and `merge`
 * files them here. The executable-head cap (maxExecutableHeads) therefore applies per layer.
 */
import {createHash, type Hash} from 'node:crypto'
import {crc32} from 'node:zlib'
import type {ContentHook, ContentSink, LayerEntry} from '../fs/entry.js'
import type {ContentHookSpec, LayerHook} from '../fs/hook-spec.js'
import type {LayerInfo} from '../image/model.js'
import type {FileFacts} from '../rules/compare/context.js'
import {captureCache} from './capture-cache.js'
import {CaptureSelector, WANT_HASH, WANT_HEAD} from './capture-selector.js'

export const DEFAULT_HEAD_BYTES = 4096
/** The module layer workers import for the capture's per-layer hook (ContentCapture.spec). */
export const CAPTURE_HOOK_MODULE = import.meta.url

export interface CapturePlan {
  /** Image path → the size the expected side has; hashed only when the image's copy has that size. */
  hash: ReadonlyMap<string, number>
  /**
   * Directories every path of `hash` lies under (hashRoots): a file elsewhere skips the map lookup, which
   * hashes its fresh path string (most of an image's files are outside /opt and /var/task).
   */
  hashUnder?: readonly string[]
  /** Exact paths whose first bytes are kept. */
  heads: ReadonlySet<string>
  /** Directories whose direct children's first bytes are kept (e.g. /opt/extensions). */
  headDirs: readonly string[]
  /**
   * Executable files under this directory also get their first bytes kept (up to maxExecutableHeads),
   * so that an extension that is a symlink into /opt can still be sniffed: symlinks are only known
   * once every layer has streamed, too late to ask for bytes.
   */
  executablesUnder?: string
  maxExecutableHeads?: number
  /** Also compute sha256 (CRC-32 alone is what zips carry; sha256 is for evidence). Default false. */
  sha256?: boolean
  headBytes?: number
}

export interface CaptureStats {
  hashedFiles: number
  hashedBytes: number
  heads: number
  /** Executable files whose head was not kept because maxExecutableHeads was reached. */
  headsSkipped: number
}

/**
 * One layer's captured facts, in stream order: `facts[i]` is about `paths[i]` (after a worker round trip
 * `head` is a Uint8Array until merged). Arrays, not a Map: the main thread builds a map either way (on
 * merge, or cloning one), and the worker's Map.set per file was most of the capture's per-file cost.
 */
export interface CaptureLayerResult {
  paths: string[]
  facts: FileFacts[]
  stats: CaptureStats
}

export class ContentCapture {
  readonly stats: CaptureStats = {hashedFiles: 0, hashedBytes: 0, heads: 0, headsSkipped: 0}
  /** layer index → path → facts (no string keys built per lookup: rules ask once per compared file). */
  private readonly facts = new Map<number, Map<string, FileFacts>>()
  /** What this capture's own hook captured, by layer, not yet filed in `facts`. */
  private readonly captured = new Map<number, {paths: string[]; facts: FileFacts[]}>()
  private readonly headBytes: number
  private readonly selector: CaptureSelector

  constructor(private readonly plan: CapturePlan) {
    this.headBytes = plan.headBytes ?? DEFAULT_HEAD_BYTES
    this.selector = new CaptureSelector(plan, this.stats)
  }

  /** The ContentHook to hand to readLayers. */
  readonly hook: ContentHook = (entry, layer) => this.sinkFor(entry, layer)

  get(layer: number, path: string): FileFacts | undefined {
    if (this.captured.size > 0) this.fileCaptured()
    return this.facts.get(layer)?.get(path)
  }

  /** For readLayers: each layer captured on its own (in a worker or not), merged into this capture. */
  spec(): ContentHookSpec<CapturePlan, CaptureLayerResult> {
    return {
      module: CAPTURE_HOOK_MODULE,
      factory: createLayerHook,
      options: this.plan,
      onResult: (layer, result) => this.merge(layer.index, result),
      cache: captureCache(this.plan),
    }
  }

  /** Files one layer's facts (from `createLayerHook`) under that layer and adds its counters. */
  merge(layer: number, result: CaptureLayerResult): void {
    if (result.paths.length > 0) {
      let byPath = this.facts.get(layer)
      if (!byPath) this.facts.set(layer, (byPath = new Map()))
      for (let i = 0; i < result.paths.length; i++) {
        const facts = result.facts[i]
        if (facts.head && !Buffer.isBuffer(facts.head)) {
          const head = facts.head as Uint8Array
          facts.head = Buffer.from(head.buffer, head.byteOffset, head.byteLength)
        }
        // Last copy in a layer wins, as in flatten.
        byPath.set(result.paths[i], facts)
      }
    }
    this.stats.hashedFiles += result.stats.hashedFiles
    this.stats.hashedBytes += result.stats.hashedBytes
    this.stats.heads += result.stats.heads
    this.stats.headsSkipped += result.stats.headsSkipped
  }

  /** @internal What this capture learned about one layer. */
  layerResult(layer: number): CaptureLayerResult {
    const stats = {...this.stats}
    const captured = this.captured.get(layer)
    if (captured) return {paths: captured.paths, facts: captured.facts, stats}
    const filed = this.facts.get(layer) ?? new Map<string, FileFacts>()
    return {paths: [...filed.keys()], facts: [...filed.values()], stats}
  }

  private fileCaptured(): void {
    for (const [layer, captured] of this.captured) this.merge(layer, {...captured, stats: {hashedFiles: 0, hashedBytes: 0, heads: 0, headsSkipped: 0}})
    this.captured.clear()
  }

  private sinkFor(entry: LayerEntry, layer: LayerInfo): ContentSink | undefined {
    const wanted = this.selector.select(entry)
    if (wanted === 0) return undefined
    const hash = (wanted & WANT_HASH) !== 0
    const head = (wanted & WANT_HEAD) !== 0
    const facts: FileFacts = {size: entry.size}
    let captured = this.captured.get(layer.index)
    if (!captured) this.captured.set(layer.index, (captured = {paths: [], facts: []}))
    captured.paths.push(entry.path)
    captured.facts.push(facts)
    if (head) this.stats.heads++
    if (hash) {
      this.stats.hashedFiles++
      this.stats.hashedBytes += entry.size
    }
    return new FactsSink(facts, hash, hash && this.plan.sha256 === true, head ? this.headBytes : 0)
  }
}

/** The hook-spec factory: a capture of one layer (see ContentCapture.spec). */
export function createLayerHook(plan: CapturePlan, layer: LayerInfo): LayerHook<CaptureLayerResult> {
  const capture = new ContentCapture(plan)
  return {hook: capture.hook, result: () => capture.layerResult(layer.index)}
}

class FactsSink implements ContentSink {
  private crc = 0
  private readonly sha?: Hash
  private readonly headParts: Buffer[] = []
  private headLength = 0

  constructor(
    private readonly facts: FileFacts,
    private readonly crcWanted: boolean,
    sha256: boolean,
    private readonly headLimit: number,
  ) {
    if (sha256) this.sha = createHash('sha256')
  }

  write(chunk: Buffer): void {
    if (this.crcWanted) this.crc = crc32(chunk, this.crc)
    this.sha?.update(chunk)
    if (this.headLength < this.headLimit) {
      // Copy: the chunk's memory belongs to the stream and is reused.
      const part = Buffer.from(chunk.subarray(0, this.headLimit - this.headLength))
      this.headParts.push(part)
      this.headLength += part.length
    }
  }

  end(): void {
    if (this.crcWanted) this.facts.crc32 = this.crc >>> 0
    if (this.sha) this.facts.sha256 = this.sha.digest('hex')
    if (this.headLimit > 0) this.facts.head = Buffer.concat(this.headParts, this.headLength)
  }
}

/**
 * The directories, at most two levels deep, that every path lies under ('/opt/', '/var/task/'), none
 * inside another; undefined past `max` of them (a lookup for every file then costs less than the checks).
 */
export function hashRoots(paths: Iterable<string>, max = 8): string[] | undefined {
  const roots = new Set<string>()
  for (const path of paths) {
    const second = path.indexOf('/', 1)
    const third = second === -1 ? -1 : path.indexOf('/', second + 1)
    roots.add(second === -1 ? '/' : path.slice(0, (third === -1 ? second : third) + 1))
    if (roots.size > 4 * max) return undefined
  }
  const sorted = [...roots].sort()
  const outer = sorted.filter((root, i) => !sorted.slice(0, i).some((other) => root.startsWith(other)))
  return outer.length > max || outer.includes('/') ? undefined : outer
}
