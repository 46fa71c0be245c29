/** --shard I/N: what it accepts, and that the slices are stable, disjoint, covering and balanced. */
import {describe, expect, it} from 'vitest'
import {UsageError} from '../../src/errors.js'
import {inShard, parseShard, shardOf} from '../../src/fleet/shard.js'

const arnOf = (k: number) => `arn:aws:lambda:eu-west-1:123456789012:function:fn-${String(k).padStart(4, '0')}`
const ARNS = Array.from({length: 1000}, (_, k) => arnOf(k))

describe('parseShard', () => {
  it.each([
    ['1/4', {index: 1, count: 4}],
    [' 2 / 4 ', {index: 2, count: 4}],
    ['4/4', {index: 4, count: 4}],
    ['1/1', {index: 1, count: 1}],
    ['10000/10000', {index: 10000, count: 10000}],
  ])('accepts %j', (text, shard) => {
    expect(parseShard(text)).toEqual(shard)
  })

  it.each(['0/4', '5/4', 'a/b', '1/0', '1/10001', '', '1/', '/4', '1/4/8', '-1/4', '1.5/4'])('refuses %j with one line', (text) => {
    let error: unknown
    try {
      parseShard(text)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(UsageError)
    const line = (error as UsageError).line
    expect(line).toMatch(/^--shard .*expected I\/N/)
    expect(line).not.toContain('\n')
  })
})

describe('shardOf', () => {
  it('is pinned: a release that moves a function to another shard breaks running CI matrices', () => {
    // Computed once (sha256 of the ARN, first 4 bytes big-endian, mod N, plus 1).
    expect(shardOf('arn:aws:lambda:eu-west-1:123456789012:function:orders-api', 4)).toBe(1)
    expect(shardOf('arn:aws:lambda:us-east-1:123456789012:function:fn-000', 4)).toBe(2)
    expect(shardOf('arn:aws:lambda:eu-west-1:123456789012:function:legacy-0', 4)).toBe(4)
    expect(shardOf('arn:aws:lambda:eu-west-1:123456789012:function:legacy-0', 8)).toBe(8)
    expect(shardOf('arn:aws:lambda:eu-west-1:123456789012:function:orders-api', 10000)).toBe(5385)
  })

  it('slices 1000 ARNs into disjoint slices that cover them, for N = 1…8', () => {
    for (let count = 1; count <= 8; count++) {
      const slices = Array.from({length: count}, (_, i) => ARNS.filter((arn) => inShard(arn, {index: i + 1, count})))
      expect(slices.flat().sort(), `N=${count}`).toEqual([...ARNS].sort())
      expect(new Set(slices.flat()).size, `N=${count}`).toBe(ARNS.length)
      for (const arn of ARNS) expect(shardOf(arn, count)).toBe(shardOf(arn, count))
    }
  })

  it('balances: each of 4 slices of 1000 ARNs within 30% of the mean', () => {
    const sizes = [0, 0, 0, 0]
    for (const arn of ARNS) sizes[shardOf(arn, 4) - 1]++
    for (const size of sizes) {
      expect(size).toBeGreaterThanOrEqual(250 * 0.7)
      expect(size).toBeLessThanOrEqual(250 * 1.3)
    }
  })

  it('takes every function when there is no shard', () => {
    expect(ARNS.every((arn) => inShard(arn, undefined))).toBe(true)
  })
})
