/**
 * Teddy (Hyperscan's multi-literal matcher), the tables: each trigram (of a literal: see anchor.ts) puts its
 * bucket bit (8 buckets) into two 16-entry tables per byte position, one indexed by the byte's low nibble,
 * one by its high nibble. A byte allows at position k the buckets set in both of its entries; the buckets
 * allowed at all three positions of a place may have a trigram starting there. A place can pass where no
 * trigram starts (trigrams of one bucket mixed, nibbles of different bytes mixed), never fail where one does:
 * the candidates are a superset, checked exactly by the caller. Both cases of a letter are in the tables (they
 * share the low nibble), so the bytes need no case folding.
 */

/** Prefixes that do little aliasing together, found by a local search on python, JS, docs and the bench image. */
const TUNED_BUCKETS: readonly (readonly string[])[] = [
  ['ghp', 'gho', 'ghu', 'ghs', 'ghr'],
  ['cre', 'npm'],
  ['glp', 'pas'],
  ['aws', 'aut', 'iqo', 'fwo'],
  ['aki', 'asi', 'abi', 'acc', 'api', 'pri'],
  ['a3t', 'git', 'htt'],
  ['tok', 'xox', 'sk_', 'rk_'],
  ['sec', 'ses', '--b'],
]
const BUCKETS = 8
export const PREFIX = 3

/** lo[position][low nibble] and hi[position][high nibble] → bucket bits. */
export interface TeddyMasks {
  lo: Uint8Array[]
  hi: Uint8Array[]
}

/** The tables for these trigrams (or longer literals: their first three characters), matched ignoring ASCII case. */
export function teddyMasks(literals: readonly string[]): TeddyMasks {
  const prefixes = [...new Set(literals.map(prefixOf))]
  const tuned = new Map(TUNED_BUCKETS.flatMap((group, bucket) => group.map((prefix) => [prefix, bucket] as const)))
  const buckets: string[][] = Array.from({length: BUCKETS}, () => [])
  for (const prefix of prefixes) if (tuned.has(prefix)) buckets[tuned.get(prefix)!].push(prefix)
  // A literal added since the tuning goes where it lets the fewest new byte triples through.
  for (const prefix of prefixes.filter((p) => !tuned.has(p))) {
    const growth = buckets.map((bucket) => acceptedTriples([...bucket, prefix]) - acceptedTriples(bucket))
    buckets[growth.indexOf(Math.min(...growth))].push(prefix)
  }
  const masks: TeddyMasks = {lo: [0, 1, 2].map(() => new Uint8Array(16)), hi: [0, 1, 2].map(() => new Uint8Array(16))}
  buckets.forEach((bucket, b) => {
    for (const prefix of bucket) {
      for (let k = 0; k < PREFIX; k++) {
        for (const byte of casesOf(prefix.charCodeAt(k))) {
          masks.lo[k][byte & 15] |= 1 << b
          masks.hi[k][byte >> 4] |= 1 << b
        }
      }
    }
  })
  return masks
}

/** The literal's first three characters, lower case. */
function prefixOf(literal: string): string {
  if (literal.length < PREFIX) throw new Error(`Teddy: "${literal}" is shorter than ${PREFIX} characters`)
  return literal.slice(0, PREFIX).toLowerCase()
}

const casesOf = (byte: number) => (byte >= 0x61 && byte <= 0x7a ? [byte, byte - 0x20] : [byte])

/** How many byte triples a bucket lets through: per position, its low nibbles times its high nibbles. */
function acceptedTriples(bucket: readonly string[]): number {
  if (bucket.length === 0) return 0
  let n = 1
  for (let k = 0; k < PREFIX; k++) {
    const bytes = bucket.flatMap((prefix) => casesOf(prefix.charCodeAt(k)))
    n *= new Set(bytes.map((b) => b & 15)).size * new Set(bytes.map((b) => b >> 4)).size
  }
  return n
}

/**
 * What the kernel computes, in plain JS: for tests, and where WebAssembly SIMD is missing. Like the kernel it
 * looks at every place of whole 32-byte turns, reading zeros past `length`.
 */
export function teddyCandidates(masks: TeddyMasks, bytes: Uint8Array, length: number): Int32Array {
  const out: number[] = []
  const at = (i: number) => (i < length ? bytes[i] : 0)
  const places = Math.ceil(length / 32) * 32
  for (let p = 0; p < places; p++) {
    let buckets = 0xff
    for (let k = 0; k < PREFIX; k++) buckets &= masks.lo[k][at(p + k) & 15] & masks.hi[k][at(p + k) >> 4]
    if (buckets !== 0) out.push(p)
  }
  return Int32Array.from(out)
}
