/**
 * The trigram filter's WebAssembly kernel must compute exactly what its JS reference computes, and both
 * must report every place a literal starts, in any case, wherever it sits in the window.
 */
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {teddyCandidates} from '../../src/secrets/teddy-masks.js'
import {TrigramFilter} from '../../src/secrets/trigram-filter.js'

const LITERALS = ['token', 'password', 'akia', 'a3t', 'aws', 'ghp_', 'sk_live_', 'glpat-', '-----begin', 'https://hooks.slack.com/', 'private_key']

/** Every offset where a literal starts, ignoring ASCII case: what the candidates must include. */
function literalOffsets(text: string): number[] {
  const lower = text.toLowerCase()
  const offsets = new Set<number>()
  for (const literal of LITERALS) for (let at = lower.indexOf(literal); at !== -1; at = lower.indexOf(literal, at + 1)) offsets.add(at)
  return [...offsets].sort((a, b) => a - b)
}

function candidatesOf(filter: TrigramFilter, bytes: Uint8Array): number[] {
  filter.load([bytes], bytes.length)
  return [...filter.candidates()].filter((at) => at < bytes.length)
}

const randomCase = (s: string, flips: boolean[]) => [...s].map((ch, i) => (flips[i % flips.length] ? ch.toUpperCase() : ch)).join('')

describe('TrigramFilter', () => {
  const wasm = new TrigramFilter(LITERALS)
  const js = new TrigramFilter(LITERALS, {wasm: false})

  it('runs its WebAssembly kernel on this Node (else the scan silently falls back to the slow JS loop)', () => {
    expect(wasm.usesWasm).toBe(true)
    expect(js.usesWasm).toBe(false)
  })

  it('finds a literal alone, at the very start and at the very end of a window, in any case', () => {
    for (const text of ['token', 'TOKEN', 'ToKeN', 'a3t', 'AWS', `${'x'.repeat(29)}TOKEN`, `${'x'.repeat(61)}aws`, `Token${'y'.repeat(40)}`]) {
      const expected = literalOffsets(text)
      expect(expected.length, text).toBeGreaterThan(0)
      for (const filter of [wasm, js]) expect(candidatesOf(filter, Buffer.from(text, 'latin1')), text).toEqual(expect.arrayContaining(expected))
    }
  })

  it('kernel and JS reference agree exactly, and both cover every literal, on random windows', () => {
    const piece = fc.oneof(
      fc.constantFrom(...LITERALS).chain((l) => fc.array(fc.boolean(), {minLength: 1, maxLength: 8}).map((flips) => randomCase(l, flips))),
      fc.string({maxLength: 12}),
      fc.uint8Array({maxLength: 40}).map((b) => Buffer.from(b).toString('latin1')),
    )
    fc.assert(
      fc.property(fc.array(piece, {maxLength: 40}), (pieces) => {
        const text = pieces.join('')
        const bytes = Buffer.from(text, 'latin1')
        const fromWasm = candidatesOf(wasm, bytes)
        expect(fromWasm).toEqual(candidatesOf(js, bytes))
        expect(fromWasm).toEqual(expect.arrayContaining(literalOffsets(text)))
      }),
      {numRuns: 1000},
    )
  })

  it('ignores whatever an earlier, longer window left past the end of this one', () => {
    wasm.load([Buffer.from('x'.repeat(100) + 'token'.repeat(20))], 200)
    const short = Buffer.from('x'.repeat(90))
    expect(candidatesOf(wasm, short)).toEqual([])
  })

  it('does not make every byte of a run a candidate when its trigram is not a run (-----BEGIN sieved as "--b")', () => {
    const filter = new TrigramFilter(['--b'])
    expect(candidatesOf(filter, Buffer.from(`${'-'.repeat(4000)}BEGIN`))).toEqual([3998])
  })

  it('grows for a window larger than it has room for, and still finds a literal at its end', () => {
    const big = Buffer.alloc(3 * 1024 * 1024 + 5, 'x')
    big.write('PASSWORD', big.length - 8, 'latin1')
    expect(candidatesOf(wasm, big)).toEqual([big.length - 8])
  })

  it('counts a byte in any range of the window as a byte loop does', () => {
    const bytes = Buffer.from(Array.from({length: 5000}, (_, i) => (i * 7919) % 13 === 0 ? '\n' : 'ab'[i % 2]).join(''), 'latin1')
    for (const filter of [wasm, js]) {
      filter.load([bytes.subarray(0, 1000), bytes.subarray(1000)], bytes.length)
      for (const [from, to] of [[0, 5000], [1, 4999], [17, 18], [100, 100], [3, 200], [63, 4097]]) {
        const expected = [...bytes.subarray(from, to)].filter((b) => b === 0x0a).length
        expect(filter.count(0x0a, from, to), `${from}..${to}`).toBe(expected)
      }
    }
  })

  it('matches the reference on the exact block boundaries of the kernel', () => {
    for (const length of [1, 15, 16, 17, 31, 32, 33, 63, 64, 65]) {
      const bytes = Buffer.alloc(length, 'a')
      bytes.write('aws', Math.max(0, length - 3), 'latin1')
      wasm.load([bytes], length)
      expect([...wasm.candidates()], `length ${length}`).toEqual([...teddyCandidates(wasm.masks, bytes, length)])
    }
  })
})
