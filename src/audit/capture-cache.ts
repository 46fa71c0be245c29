/**
 * How a layer's capture is kept in the layer cache. The plan differs per function (entrypoint, wrapper,
 * handler, the zip side's sizes) while base layers are shared, so the stored result is keyed by what the
 * plan cannot vary per file (the head size) and carries the plan it was captured with. A read with plan P
 * replays P over the layer's entries in tar order (the same CaptureSelector the live capture uses) and
 * takes each wanted file's facts from the stored ones; a fact P wants that was not captured is a miss,
 * and the layer is read again with both plans together (`widen`), so the next function hits.
 */
import type {LayerEntry} from '../fs/entry.js'
import type {HookResultCache} from '../fs/hook-spec.js'
import type {FileFacts} from '../rules/compare/context.js'
import {CaptureSelector, DEFAULT_MAX_EXECUTABLE_HEADS, WANT_HASH, WANT_HEAD} from './capture-selector.js'
import {EXTENSIONS_DIR} from '../rules/compare/extensions.js'
import {DEFAULT_HEAD_BYTES, hashRoots, type CaptureLayerResult, type CapturePlan} from './content-capture.js'

interface StoredPlan {
  hash: [path: string, size: number][]
  hashUnder?: string[]
  heads: string[]
  headDirs: string[]
  executablesUnder?: string
  maxExecutableHeads?: number
  sha256: boolean
}

interface StoredFacts {
  size: number
  crc32?: number
  sha256?: string
  /** base64 */
  head?: string
}

interface StoredCapture {
  plan: StoredPlan
  /** What the plan captured, in stream order (CaptureLayerResult's paths and facts). */
  paths: string[]
  facts: StoredFacts[]
}

export function captureCache(plan: CapturePlan): HookResultCache<CapturePlan, CaptureLayerResult> {
  return {
    key: captureCacheKey(plan.headBytes),
    encode: (result, options) => encodeCapture(result, options),
    decode: (stored, _layer, entries) => replayCapture(plan, entries, stored as StoredCapture),
    widen: (stored) => unitePlans(plan, planOf((stored as StoredCapture).plan)),
    unite: (options, anticipated) => unitePlans(options, anticipated as CapturePlan),
  }
}

/** The cache key of captures keeping `headBytes` of each head: what LayerCache.anticipate names. */
export function captureCacheKey(headBytes = DEFAULT_HEAD_BYTES): string {
  return `capture head-bytes=${headBytes}`
}

/**
 * A plan asking for the first bytes of `heads` beside what every compare asks (extensions, executables
 * under /opt): what a fleet anticipates of its functions' wrappers, so that a base layer is not read
 * again for the wrapper path of the next function.
 */
export function anticipatedHeads(heads: Iterable<string>): CapturePlan {
  return {hash: new Map(), heads: new Set(heads), headDirs: [EXTENSIONS_DIR], executablesUnder: '/opt', maxExecutableHeads: DEFAULT_MAX_EXECUTABLE_HEADS, sha256: false}
}

function encodeCapture(result: CaptureLayerResult, plan: CapturePlan): StoredCapture {
  const facts = result.facts.map(({size, crc32, sha256, head}): StoredFacts => ({
    size,
    ...(crc32 !== undefined ? {crc32} : {}),
    ...(sha256 !== undefined ? {sha256} : {}),
    // A worker's head arrives as a Uint8Array: no Buffer methods.
    ...(head ? {head: Buffer.from(head.buffer, head.byteOffset, head.byteLength).toString('base64')} : {}),
  }))
  const stored: StoredPlan = {hash: [...plan.hash], heads: [...plan.heads], headDirs: [...plan.headDirs], sha256: plan.sha256 === true}
  if (plan.hashUnder !== undefined) stored.hashUnder = [...plan.hashUnder]
  if (plan.executablesUnder !== undefined) stored.executablesUnder = plan.executablesUnder
  if (plan.maxExecutableHeads !== undefined) stored.maxExecutableHeads = plan.maxExecutableHeads
  return {plan: stored, paths: result.paths, facts}
}

/**
 * What a fresh capture of this layer with `plan` would return (same facts, same stats), or undefined
 * when the stored capture lacks a fact it needs. The stored plan, replayed alongside, tells which
 * stored facts belong to which entry (a path can be written twice in a layer).
 */
export function replayCapture(plan: CapturePlan, entries: readonly LayerEntry[], stored: StoredCapture): CaptureLayerResult | undefined {
  const result: CaptureLayerResult = {paths: [], facts: [], stats: {hashedFiles: 0, hashedBytes: 0, heads: 0, headsSkipped: 0}}
  const wanted = new CaptureSelector(plan, result.stats)
  const had = new CaptureSelector(planOf(stored.plan), {headsSkipped: 0})
  let next = 0
  for (const entry of entries) {
    // As the walker calls content hooks: regular files only.
    if (entry.type !== 'file') continue
    const kept = had.select(entry) !== 0 ? next++ : -1
    if (kept !== -1 && stored.paths[kept] !== entry.path) throw new Error('capture cache: stored facts do not follow the entries')
    const want = wanted.select(entry)
    if (want === 0) continue
    const facts = kept === -1 ? undefined : factsFor(want, plan, entry, stored.facts[kept])
    if (!facts) return undefined
    result.paths.push(entry.path)
    result.facts.push(facts)
    if ((want & WANT_HEAD) !== 0) result.stats.heads++
    if ((want & WANT_HASH) !== 0) {
      result.stats.hashedFiles++
      result.stats.hashedBytes += entry.size
    }
  }
  if (next !== stored.paths.length) throw new Error('capture cache: stored facts do not follow the entries')
  return result
}

/** The facts FactsSink would have filed (same fields, same order), or undefined when one is not stored. */
function factsFor(want: number, plan: CapturePlan, entry: LayerEntry, stored: StoredFacts): FileFacts | undefined {
  // A stored fact of the wrong type is a miss, never served (the file is verified, not trusted).
  if (stored === null || typeof stored !== 'object') return undefined
  const facts: FileFacts = {size: entry.size}
  if ((want & WANT_HASH) !== 0) {
    if (typeof stored.crc32 !== 'number' || (plan.sha256 === true && typeof stored.sha256 !== 'string')) return undefined
    facts.crc32 = stored.crc32
    if (plan.sha256 === true) facts.sha256 = stored.sha256
  }
  if ((want & WANT_HEAD) !== 0) {
    if (typeof stored.head !== 'string') return undefined
    facts.head = Buffer.from(stored.head, 'base64')
  }
  return facts
}

/**
 * A stored plan decides how the next read of the layer captures (widen), so a tampered one must not be
 * able to make it keep the first bytes of every file: its shape is checked, its lists and its
 * executable-head cap bounded by what compare's own plans ask (a few paths, 256 heads).
 */
const MAX_STORED_HEADS = 10_000
const MAX_STORED_EXECUTABLE_HEADS = 4 * DEFAULT_MAX_EXECUTABLE_HEADS

function planOf(stored: StoredPlan): CapturePlan {
  const strings = (value: unknown, max: number) => Array.isArray(value) && value.length <= max && value.every((item) => typeof item === 'string')
  const ok =
    stored !== null &&
    typeof stored === 'object' &&
    strings(stored.heads, MAX_STORED_HEADS) &&
    strings(stored.headDirs, 16) &&
    (stored.hashUnder === undefined || strings(stored.hashUnder, 64)) &&
    Array.isArray(stored.hash) &&
    stored.hash.every((pair) => Array.isArray(pair) && typeof pair[0] === 'string' && typeof pair[1] === 'number') &&
    (stored.executablesUnder === undefined || typeof stored.executablesUnder === 'string') &&
    (stored.maxExecutableHeads === undefined || (Number.isSafeInteger(stored.maxExecutableHeads) && stored.maxExecutableHeads <= MAX_STORED_EXECUTABLE_HEADS)) &&
    typeof stored.sha256 === 'boolean'
  if (!ok) throw new Error('capture cache: not a stored plan')
  return {
    hash: new Map(stored.hash),
    ...(stored.hashUnder !== undefined ? {hashUnder: stored.hashUnder} : {}),
    heads: new Set(stored.heads),
    headDirs: stored.headDirs,
    ...(stored.executablesUnder !== undefined ? {executablesUnder: stored.executablesUnder} : {}),
    ...(stored.maxExecutableHeads !== undefined ? {maxExecutableHeads: stored.maxExecutableHeads} : {}),
    sha256: stored.sha256,
  }
}

/**
 * A plan that captures everything either plan does, so that both replay from its result; `plan` alone
 * when they cannot be united (a path hashed at two sizes, executables under different directories).
 */
export function unitePlans(plan: CapturePlan, other: CapturePlan): CapturePlan {
  const withExecutables = [plan, other].filter((p) => p.executablesUnder !== undefined)
  if (withExecutables.some((p) => p.executablesUnder !== withExecutables[0].executablesUnder)) return plan
  const hash = new Map(other.hash)
  for (const [path, size] of plan.hash) {
    if ((hash.get(path) ?? size) !== size) return plan
    hash.set(path, size)
  }
  const hashUnder = hashRoots(hash.keys())
  return {
    hash,
    ...(hashUnder ? {hashUnder} : {}),
    heads: new Set([...other.heads, ...plan.heads]),
    headDirs: [...new Set([...other.headDirs, ...plan.headDirs])],
    ...(withExecutables.length > 0
      ? {
          executablesUnder: withExecutables[0].executablesUnder,
          maxExecutableHeads: Math.max(...withExecutables.map((p) => p.maxExecutableHeads ?? DEFAULT_MAX_EXECUTABLE_HEADS)),
        }
      : {}),
    sha256: plan.sha256 === true || other.sha256,
    ...(plan.headBytes !== undefined ? {headBytes: plan.headBytes} : {}),
  }
}
