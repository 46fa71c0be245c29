/**
 * A compressed outer archive (`docker save | gzip`) cannot seek: ranges are inflated from the start, or
 * from a cursor an earlier range left behind. Every range must still be exactly the plain bytes, in any
 * order, concurrently, after a range given up midway; and ranges in archive order inflate it about once.
 */
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type {Readable} from 'node:stream'
import {gzipSync} from 'node:zlib'
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {archiveBytes} from '../../src/image/sources/archive-bytes.js'

const dir = mkdtempSync(join(tmpdir(), 'la-archive-bytes-'))
/** 3 MiB that gzip cannot shrink to nothing, so the inflater hands out many chunks. */
const plain = Buffer.alloc(3 * 1024 * 1024)
for (let i = 0, x = 1; i < plain.length; i++) plain[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 26
const path = join(dir, 'archive.tar.gz')
writeFileSync(path, gzipSync(plain))

async function read(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

type Compressed = ReturnType<typeof archiveBytes> & {inflatedBytes: number}
const open = () => archiveBytes(path, 'gzip', 'archive.tar.gz') as Compressed

describe('compressed archive ranges', () => {
  it('reads ranges in archive order with about one inflate of the archive, not one from its start per range', async () => {
    const bytes = open()
    const ranges = Array.from({length: 12}, (_, i) => [i * 250_000 + 1000, 200_000] as const)
    for (const [start, length] of ranges) expect((await read(bytes.range(start, length))).equals(plain.subarray(start, start + length))).toBe(true)
    expect(bytes.inflatedBytes).toBeLessThanOrEqual(plain.length)
    // From the start each time it was ~6 times the archive.
    const fresh = open()
    for (const [start, length] of ranges.reverse()) expect((await read(fresh.range(start, length))).equals(plain.subarray(start, start + length))).toBe(true)
    expect(fresh.inflatedBytes).toBeGreaterThan(5 * plain.length)
    bytes.close()
    fresh.close()
  })

  it('gives the plain bytes for ranges in any order, two at once, and after a range given up midway', async () => {
    const range = fc.tuple(fc.nat(plain.length), fc.nat(600_000)).map(([start, length]) => [start, Math.min(length, plain.length - start)] as const)
    await fc.assert(
      fc.asyncProperty(fc.array(range, {minLength: 1, maxLength: 6}), fc.nat(5), async (ranges, abandonAt) => {
        const bytes = open()
        try {
          for (let i = 0; i < ranges.length; i += 2) {
            const pair = ranges.slice(i, i + 2)
            const got = await Promise.all(pair.map(([start, length]) => read(bytes.range(start, length))))
            got.forEach((buffer, k) => expect(buffer.equals(plain.subarray(pair[k][0], pair[k][0] + pair[k][1]))).toBe(true))
            if (i / 2 === abandonAt) {
              const stream = bytes.range(pair[0][0], plain.length - pair[0][0])
              for await (const _ of stream) break // destroys the range after one chunk
            }
          }
        } finally {
          bytes.close()
        }
      }),
      {numRuns: 25},
    )
  })

  it('still reads after close (cursors let go, a new one starts from the beginning)', async () => {
    const bytes = open()
    expect((await read(bytes.range(100, 10))).equals(plain.subarray(100, 110))).toBe(true)
    const before = bytes.inflatedBytes
    bytes.close()
    // Past where the closed cursor stood: a kept (destroyed) cursor would end this range early.
    expect((await read(bytes.range(200_000, 10))).equals(plain.subarray(200_000, 200_010))).toBe(true)
    expect(bytes.inflatedBytes - before).toBeGreaterThanOrEqual(200_010)
    bytes.close()
  })
})
