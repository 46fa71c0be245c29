/** The synchronous inflaters the layer reader uses: same bytes and same errors as Node's own streams. */
import {execFileSync} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {createGunzip, gzipSync} from 'node:zlib'
import {describe, expect, it} from 'vitest'
import {createInflater} from '../../src/image/inflate.js'

/** Feeds `input` in pieces; the bytes out, or the error's message. */
function inflate(kind: 'gzip' | 'zstd', input: Buffer, piece = 100_000): {out?: Buffer; error?: string} {
  const inflater = createInflater(kind)
  const out: Buffer[] = []
  try {
    for (let at = 0; at < input.length; at += piece) out.push(...inflater.write(input.subarray(at, at + piece)))
    out.push(...inflater.end())
    return {out: Buffer.concat(out)}
  } catch (error) {
    return {error: (error as Error).message}
  }
}

/** What Node's stream gunzip says of the same bytes. */
function nodeGunzip(input: Buffer): Promise<{out?: Buffer; error?: string}> {
  return new Promise((resolve) => {
    const out: Buffer[] = []
    const gunzip = createGunzip()
    gunzip.on('data', (c: Buffer) => out.push(c))
    gunzip.on('end', () => resolve({out: Buffer.concat(out)}))
    gunzip.on('error', (e) => resolve({error: e.message}))
    gunzip.end(input)
  })
}

describe('createInflater', () => {
  const text = Buffer.from('layer bytes '.repeat(50_000))
  const noise = randomBytes(300_000)
  const a = gzipSync(text)
  const b = gzipSync(noise)

  it('gzip: one member, several members (pigz, eStargz), whatever the input pieces', () => {
    for (const piece of [1, 777, 1 << 20]) {
      expect(inflate('gzip', a, piece).out!.equals(text)).toBe(true)
      expect(inflate('gzip', Buffer.concat([a, b]), piece).out!.equals(Buffer.concat([text, noise]))).toBe(true)
    }
  })

  it('gzip: never hands out more than 256 KiB in one piece, even from a run of zeros', () => {
    const zeros = gzipSync(Buffer.alloc(64 << 20))
    const inflater = createInflater('gzip')
    const pieces = [...inflater.write(zeros), ...inflater.end()]
    expect(pieces.reduce((n, p) => n + p.length, 0)).toBe(64 << 20)
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThanOrEqual(256 * 1024)
  })

  it('gzip: a truncated, damaged or foreign stream fails with the message Node gives', async () => {
    const damaged = Buffer.from(a)
    damaged.fill(0xff, 20, 60)
    for (const [what, input] of [
      ['truncated', a.subarray(0, a.length - 30)],
      ['damaged', damaged],
      ['not gzip', Buffer.from('plain text, not gzip')],
    ] as const) {
      const ours = inflate('gzip', input)
      expect(ours.error, what).toBeDefined()
      expect(ours.error, what).toBe((await nodeGunzip(input)).error)
    }
  })

  it('zstd: the zstd CLI output inflates; an empty or truncated stream fails', () => {
    const zst = execFileSync('zstd', ['-q', '-c'], {input: text})
    expect(inflate('zstd', zst, 5000).out!.equals(text)).toBe(true)
    expect(inflate('zstd', Buffer.alloc(0)).error).toBe('empty zstd stream')
    expect(inflate('zstd', zst.subarray(0, zst.length - 10)).error).toBeDefined()
  })
})
