/**
 * `layer-audit tree IMAGE --json` against Go's reading of the same layer blobs. Paths, link targets and
 * xattr values are compared as bytes (ours are byte strings, src/tar/byte-string.ts); both refusing
 * (tree exits 2, Go says ok:false) is agreement.
 */
import {encodeByteString} from '../../../src/tar/byte-string.js'
import {runCli} from '../../helpers/cli.js'
import {goRead, type GoEntry, type GoResult} from './go.js'
import {layerBlobs, type Wrapping} from './image.js'

/** One entry of `tree --json` (mtime and xattrs: once tree prints them). */
export interface TreeJsonEntry {
  path: string
  type: string
  mode: number
  uid: number
  gid: number
  size: number
  mtime?: number
  linkTarget?: string
  xattrs?: Record<string, string>
  layer: number
}

/** What `tree` did: read the image (exit 0), or not (exit 2 is a refusal; anything else is a crash). */
export type OurResult = {ok: true; entries: TreeJsonEntry[]} | {ok: false; code: number | null; stderr: string}

export async function ourTree(location: string): Promise<OurResult> {
  const result = await runCli(['tree', location, '--json'])
  if (result.code === 0) return {ok: true, entries: (JSON.parse(result.stdout) as {entries: TreeJsonEntry[]}).entries}
  return {ok: false, code: result.code, stderr: result.stderr.trim()}
}

/** Which optional fields `tree --json` prints (decided once per run, see detectFields). */
export interface Fields {
  mtime: boolean
  xattrs: boolean
}

/** The comparable form: bytes shown as text (printable ASCII, other bytes as \xNN). */
interface Canonical {
  type: string
  mode: number
  uid: number
  gid: number
  size: number
  layer: number
  mtime?: number
  linkTarget?: string
  xattrs?: Record<string, string>
}

/** Printable and injective: backslash and bytes outside printable ASCII become \xNN; long runs are abbreviated. */
export function showBytes(buf: Buffer, abbreviate = true): string {
  let out = ''
  for (const c of buf) out += c >= 0x20 && c < 0x7f && c !== 0x5c ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, '0')}`
  return abbreviate ? short(out) : out
}

/** Long names cut in the middle for reports (runs abbreviated first). */
export function clip(shown: string, max = 90): string {
  const s = short(shown)
  return s.length <= max ? s : `${s.slice(0, max - 30)}…${s.slice(-25)}`
}

/** Runs of 8 or more of one byte shown once with a count: "n/{a×97}". */
const short = (s: string) => s.replace(/(\\x[0-9a-f]{2}|[^/\\])\1{7,}/g, (run, unit: string) => `{${unit}×${run.length / unit.length}}`)

const fromB64 = (s: string) => Buffer.from(s, 'base64')

/** An object with its keys in one order, so that equal maps compare (and print) equal. */
const sortedObject = (entries: Array<[string, string]>): Record<string, string> =>
  Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))

function canonicalGo(e: GoEntry, fields: Fields): [string, Canonical] {
  const c: Canonical = {type: e.type, mode: e.mode, uid: e.uid, gid: e.gid, size: e.size, layer: e.layer}
  if (fields.mtime) c.mtime = e.mtime
  if (e.linkTarget_b64 !== undefined) c.linkTarget = showBytes(fromB64(e.linkTarget_b64), false)
  if (fields.xattrs) c.xattrs = sortedObject(Object.entries(e.xattrs ?? {}).map(([k, v]) => [k, showBytes(fromB64(v), false)]))
  return [showBytes(fromB64(e.path_b64), false), c]
}

function canonicalOurs(e: TreeJsonEntry, fields: Fields): [string, Canonical] {
  const c: Canonical = {type: e.type, mode: e.mode, uid: e.uid, gid: e.gid, size: e.size, layer: e.layer}
  if (fields.mtime) c.mtime = e.mtime
  if (e.linkTarget !== undefined) c.linkTarget = showBytes(encodeByteString(e.linkTarget), false)
  if (fields.xattrs) c.xattrs = sortedObject(Object.entries(e.xattrs ?? {}).map(([k, v]) => [k, showBytes(encodeByteString(v), false)]))
  return [showBytes(encodeByteString(e.path), false), c]
}

const firstLine = (s: string) => s.split('\n').find((l) => l.trim()) ?? ''

function showValue(key: string, value: unknown): string {
  if (value === undefined) return 'absent'
  if (key === 'mode' && typeof value === 'number') return `0o${value.toString(8)}`
  if (typeof value === 'string') return JSON.stringify(clip(value))
  return JSON.stringify(value)
}

export interface Comparison {
  agree: boolean
  /** One line: what each side did. */
  summary: string
  /** The differing paths and fields. */
  details: string[]
}

export function compare(go: GoResult, ours: OurResult, fields: Fields): Comparison {
  if (!go.ok) {
    if (ours.ok) return {agree: false, summary: `Go refuses (${go.error}); ours reads ${ours.entries.length} entries`, details: []}
    if (ours.code === 2) return {agree: true, summary: `both refuse (Go: ${go.error})`, details: []}
    return {agree: false, summary: `Go refuses (${go.error}); ours exits ${ours.code}: ${firstLine(ours.stderr)}`, details: []}
  }
  if (!ours.ok) return {agree: false, summary: `Go reads ${go.entries.length} entries; ours exits ${ours.code}: ${firstLine(ours.stderr)}`, details: []}
  const goMap = new Map(go.entries.map((e) => canonicalGo(e, fields)))
  const ourMap = new Map(ours.entries.map((e) => canonicalOurs(e, fields)))
  const details: string[] = []
  for (const [path, g] of goMap) {
    const o = ourMap.get(path)
    if (!o) {
      details.push(`${clip(path)}: only Go has it (${g.type}${g.linkTarget !== undefined ? ` → ${clip(g.linkTarget)}` : ''})`)
      continue
    }
    const diffs: string[] = []
    for (const key of Object.keys({...g, ...o}) as Array<keyof Canonical>) {
      if (JSON.stringify(g[key]) !== JSON.stringify(o[key])) diffs.push(`${key} Go ${showValue(key, g[key])}, ours ${showValue(key, o[key])}`)
    }
    if (diffs.length > 0) details.push(`${clip(path)}: ${diffs.join('; ')}`)
  }
  for (const [path, o] of ourMap) {
    if (!goMap.has(path)) details.push(`${clip(path)}: only ours has it (${o.type}${o.linkTarget !== undefined ? ` → ${clip(o.linkTarget)}` : ''})`)
  }
  if (details.length === 0) return {agree: true, summary: `both read ${go.entries.length} entries`, details}
  return {agree: false, summary: `Go reads ${go.entries.length} entries, ours ${ours.entries.length}; ${details.length} differ`, details}
}

export interface Readings {
  go: GoResult
  ours: OurResult
}

/** Reads one wrapping of an image both ways (compared once every reading is in: see detectFields). */
export async function readBoth(goBinary: string, location: string, scratch: string): Promise<Readings> {
  const [go, ours] = await Promise.all([goRead(goBinary, layerBlobs(location, scratch)), ourTree(location)])
  return {go, ours}
}

/**
 * Whether tree --json prints mtime and xattrs yet: seen on any entry of any of our readings. Until it
 * does, those fields are left out of the comparison (and the suite says so).
 */
export function detectFields(readings: Readings[]): Fields {
  const all = readings.flatMap((r) => (r.ours.ok ? r.ours.entries : []))
  return {mtime: all.some((e) => 'mtime' in e), xattrs: all.some((e) => 'xattrs' in e)}
}

/** The note to print when a field cannot be compared yet. */
export function fieldsNote(fields: Fields): string | undefined {
  const missing = [!fields.mtime && 'mtime', !fields.xattrs && 'xattrs'].filter(Boolean)
  return missing.length ? `no reading of ours printed ${missing.join(' or ')} (tree --json too old, or none in these layers): ${missing.join(' and ')} not compared` : undefined
}

export interface CaseOutcome {
  name: string
  wrappings: Partial<Record<Wrapping, Comparison>>
}

export const agrees = (o: CaseOutcome) => Object.values(o.wrappings).every((c) => c!.agree)

/**
 * A report of one case: what differs, once for all the wrappings that differ alike (the paths in errors
 * are left out of that test), its details indented (at most `limit`).
 */
export function describeOutcome(o: CaseOutcome, limit = 20): string {
  const groups = new Map<string, {wrappings: string[]; c: Comparison}>()
  for (const [wrapping, c] of Object.entries(o.wrappings)) {
    if (c!.agree) continue
    const key = JSON.stringify([c!.summary.replace(/\S*:\/\S*/g, '').replace(/sha256:\w+/g, ''), c!.details])
    const group = groups.get(key) ?? {wrappings: [], c: c!}
    group.wrappings.push(wrapping)
    groups.set(key, group)
  }
  const lines: string[] = []
  for (const {wrappings, c} of groups.values()) {
    lines.push(`  [${wrappings.join(', ')}] ${c.summary}`)
    for (const d of c.details.slice(0, limit)) lines.push(`      ${d}`)
    if (c.details.length > limit) lines.push(`      … ${c.details.length - limit} more`)
  }
  return `${o.name}\n${lines.join('\n')}`
}

/** Runs `tasks` with at most `limit` at a time (two cores: each `tree` is a node process). */
export async function pool<T>(tasks: Array<() => Promise<T>>, limit = 2): Promise<T[]> {
  const results: T[] = new Array(tasks.length)
  let next = 0
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++
      results[i] = await tasks[i]!()
    }
  }
  await Promise.all(Array.from({length: Math.min(limit, tasks.length)}, worker))
  return results
}
