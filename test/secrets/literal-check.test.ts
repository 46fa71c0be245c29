/**
 * The literal check after the sieve (literal-check.ts): the kernel's `check` and its JS reference must keep
 * exactly the candidates where Anchor.at (and assignmentFollows, for assignment-only literals) accepts one
 * of the literals, which is what the window matcher's loop would accept.
 */
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {Anchor, assignmentFollows} from '../../src/secrets/anchor.js'
import type {CheckedLiteral} from '../../src/secrets/literal-check.js'
import {TrigramFilter} from '../../src/secrets/trigram-filter.js'

/** Literals as the default set has them: assignment-only names, plain starts, a sieve offset past a run of dashes. */
const CHECKED: CheckedLiteral[] = [
  ...['token', 'password', 'secret', 'api_key', 'api-key'].map((literal) => ({literal, assignment: true})),
  ...['aws', 'akia', 'asia', 'ghp_', 'gho_', 'sk_live_', 'glpat-', 'xoxb-', 'https://hooks.slack.com/', '-----begin'].map((literal) => ({literal, assignment: false})),
].map(({literal, assignment}) => ({literal, assignment, sieveOffset: new Anchor(literal).sieveOffset}))

const filterOf = (checked: CheckedLiteral[], wasm: boolean) =>
  new TrigramFilter(
    checked.map((c) => new Anchor(c.literal).sieve),
    {wasm, check: checked},
  )

function checked(filter: TrigramFilter, bytes: Buffer): number[] {
  filter.load([bytes], bytes.length)
  return [...filter.checkedCandidates()]
}

/** What the matcher's loop accepts: sieve places (trigram starts) where a literal starts and, if needed, an assignment follows. */
function accepted(checks: CheckedLiteral[], bytes: Buffer): number[] {
  const places = new Set<number>()
  for (const c of checks) {
    const anchor = new Anchor(c.literal)
    for (let at = 0; at < bytes.length; at++) {
      if (anchor.at(bytes, at, bytes.length) && (!c.assignment || assignmentFollows(bytes, at, bytes.length))) places.add(at + anchor.sieveOffset)
    }
  }
  return [...places].sort((a, b) => a - b)
}

const randomCase = (s: string, flips: boolean[]) => [...s].map((ch, i) => (flips[i % flips.length] ? ch.toUpperCase() : ch)).join('')

describe('literal check', () => {
  const wasm = filterOf(CHECKED, true)
  const js = filterOf(CHECKED, false)

  it('keeps a real start and drops the sieve\'s look-alikes, in the kernel and in JS', () => {
    const text = Buffer.from('to ken tokyo AKIB aws TOKEN = x token y', 'latin1')
    const expected = [text.indexOf('aws'), text.indexOf('TOKEN')]
    expect(checked(wasm, text)).toEqual(expected)
    expect(checked(js, text)).toEqual(expected)
    expect(wasm.usesWasm).toBe(true)
  })

  it('folds the case of letters only: "_" is not 0x7f, "-" is not a carriage return', () => {
    for (const text of ['sk\x7flive_x', 'SK_LIVE\x7fx', 'glpat\rx', 'ghp\x7f', 'api\rkey=1']) {
      const bytes = Buffer.from(text, 'latin1')
      expect(checked(wasm, bytes), JSON.stringify(text)).toEqual([])
      expect(checked(js, bytes), JSON.stringify(text)).toEqual([])
    }
    const upper = Buffer.from('SK_LIVE_x GLPAT-x API-KEY: 1', 'latin1')
    expect(checked(wasm, upper)).toEqual([0, 10, 18])
  })

  it('needs the whole literal inside the window, and its sieved trigram may sit past its start', () => {
    expect(checked(wasm, Buffer.from('xx sk_live', 'latin1'))).toEqual([])
    expect(checked(wasm, Buffer.from('xx sk_live_', 'latin1'))).toEqual([3]) // ends exactly at the window's end
    // "-----begin" is sieved by "--b" at offset 3: a place 3 past the literal's start, found at the window's very start.
    const pem = Buffer.from('-----BEGIN RSA', 'latin1')
    expect(checked(wasm, pem)).toEqual([3])
    expect(checked(wasm, Buffer.from('--BEGIN', 'latin1'))).toEqual([])
  })

  it('keeps an assignment-only literal where its name is followed by an assignment, as assignmentFollows says', () => {
    const cases: [string, boolean][] = [
      ['token=1', true],
      ['DB_PASSWORD_2 = x', true], // the name's run is read from the literal on: PASSWORD_2, then the assignment
      ['my_token\t:\tx', true],
      ['tokenizer = x', true],
      ["secret' = x", true],
      ['token x = y', false],
      ['token', false],
      ['token.value = 1', false],
    ]
    for (const [text, keep] of cases) {
      const bytes = Buffer.from(text, 'latin1')
      const expected = accepted(CHECKED, bytes)
      expect(checked(wasm, bytes), text).toEqual(expected)
      expect(checked(js, bytes), text).toEqual(expected)
      expect(expected.length > 0, text).toBe(keep)
    }
  })

  it('kernel, JS reference and the exact check agree on random text', () => {
    const piece = fc.oneof(
      fc.constantFrom(...CHECKED.map((c) => c.literal)).chain((l) => fc.array(fc.boolean(), {minLength: 1, maxLength: 8}).map((flips) => randomCase(l, flips))),
      fc.constantFrom('=', ' = ', ':', '"', "'", '\t', ' ', '_', '-', 'x', '\x7f', '\r', '\n', 'tok', 'aw', '--', 'KEY'),
      fc.uint8Array({maxLength: 24}).map((b) => Buffer.from(b).toString('latin1')),
    )
    fc.assert(
      fc.property(fc.array(piece, {maxLength: 40}), (pieces) => {
        const bytes = Buffer.from(pieces.join(''), 'latin1')
        const expected = accepted(CHECKED, bytes)
        expect(checked(wasm, bytes)).toEqual(expected)
        expect(checked(js, bytes)).toEqual(expected)
      }),
      {numRuns: 1000},
    )
  })

  it('checks a literal longer than its record on its first bytes only: a superset, never a miss', () => {
    const long = `https://example.com/${'a'.repeat(70)}/hook`
    const filter = filterOf([{literal: long, sieveOffset: 0, assignment: false}], true)
    const text = Buffer.from(`x ${long} ${long.slice(0, 65)}`, 'latin1')
    expect(checked(filter, text)).toEqual([2, long.length + 3])
  })

  it('hands on the candidates of a window dense with them unchecked (most would pass, and the caller checks them again)', () => {
    const dense = Buffer.from('tokyo '.repeat(2000), 'latin1')
    wasm.load([dense], dense.length)
    expect(wasm.checkedCandidates().length).toBe(2000)
    const sparse = Buffer.from(`tokyo ${'x'.repeat(100)}`.repeat(2000), 'latin1')
    expect(checked(wasm, sparse)).toEqual([])
  })

  it('checks nothing when there are more literals than its tables hold (every candidate passes)', () => {
    const many = Array.from({length: 300}, (_, i) => ({literal: `k${String(i).padStart(3, '0')}`, sieveOffset: 0, assignment: false}))
    const filter = filterOf(many, true)
    const text = Buffer.from('k00 k999 k123', 'latin1')
    filter.load([text], text.length)
    expect([...filter.checkedCandidates()]).toEqual([...filter.candidates()].filter((at) => at < text.length))
  })
})
