// File contents for the benchmark image: slices of one seeded 64 MiB pool, half word-salad text and
// half random 6-bit bytes in 4 KiB blocks, so layers gzip to about half their size (like real images)
// and no two files share deflate matches. Building the pool once per process is far cheaper than
// generating 2 GB of pseudo-random bytes.
import {xorshift32} from '../../../fixtures/lib/content.js'
import {poolSizeFor} from './plan.js'

const WORDS = ('import export function return const class self def lambda layer handler request response ' +
  'buffer stream value index error module require package version config region bucket event context ' +
  'record batch flush retry timeout token object string number boolean array null undefined true false').split(' ')

export function buildPool(seed, scale = 1) {
  const size = poolSizeFor(scale)
  const pool = Buffer.allocUnsafe(size)
  const next = xorshift32(seed)
  const BLOCK = 4096
  for (let off = 0; off < size; off += BLOCK) {
    const end = Math.min(size, off + BLOCK)
    if (next() & 1) {
      for (let i = off; i < end; i += 4) {
        const r = next()
        pool[i] = 0x30 + (r & 63)
        if (i + 1 < end) pool[i + 1] = 0x30 + ((r >>> 6) & 63)
        if (i + 2 < end) pool[i + 2] = 0x30 + ((r >>> 12) & 63)
        if (i + 3 < end) pool[i + 3] = 0x30 + ((r >>> 18) & 63)
      }
    } else {
      let i = off
      while (i < end) {
        const word = WORDS[next() % WORDS.length]
        const sep = next() % 9 === 0 ? '\n' : ' '
        i += pool.write(word + sep, i, end - i, 'latin1')
      }
    }
  }
  return pool
}

/** The bytes of one planned entry. */
export function contentOf(pool, entry) {
  if (entry.text !== undefined) return Buffer.from(entry.text, 'latin1')
  const span = pool.length - entry.size
  const off = span > 0 ? entry.contentSeed % span : 0
  return pool.subarray(off, off + entry.size)
}
