/** Anchors: the trigram each is sieved by, the exact check on bytes, and the assignment check after a name. */
import {describe, expect, it} from 'vitest'
import {Anchor, assignmentFollows} from '../../src/secrets/anchor.js'

const bytes = (s: string) => Buffer.from(s, 'latin1')

describe('Anchor', () => {
  it('is sieved by its first trigram that is not one repeated character', () => {
    expect([new Anchor('token'), new Anchor('-----begin'), new Anchor('aws'), new Anchor('xxx')].map((a) => [a.sieve, a.sieveOffset])).toEqual([
      ['tok', 0],
      ['--b', 3],
      ['aws', 0],
      ['xxx', 0],
    ])
  })

  it('matches its literal in any ASCII case, inside the window only', () => {
    const anchor = new Anchor('sk_live_')
    const text = bytes('x SK_Live_1 sk_live')
    expect(anchor.at(text, 2, text.length)).toBe(true)
    expect(anchor.at(text, 12, text.length)).toBe(false) // cut by the window's end
    expect(anchor.at(text, -1, text.length)).toBe(false)
    expect(new Anchor('token').at(bytes('tokén'), 0, 5)).toBe(false)
  })
})

describe('assignmentFollows', () => {
  it.each([
    ['password=x', true],
    ['DB_PASSWORD_2 = x', true],
    ["api_key'= x", true],
    ['token"\t:\tx', true],
    ['token := x', true],
    ['token => x', true],
    ['token x = y', false],
    ['token.value = x', false],
    ['token', false],
    ['token ""= x', false],
  ])('%j → %s', (text, expected) => {
    expect(assignmentFollows(bytes(text), 0, text.length)).toBe(expected)
  })
})
