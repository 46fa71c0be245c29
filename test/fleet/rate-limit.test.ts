/**
 * The token bucket on a fake clock, and the backoff of throttled calls with a fixed "random".
 */
import {describe, expect, test} from 'vitest'
import {backoff, DEFAULT_RETRY, withRetry} from '../../src/fleet/api-retry.js'
import {TokenBucket, type Clock} from '../../src/fleet/token-bucket.js'

/** Time stands still unless the test moves it; each sleep is recorded, and returns at once. */
function fakeClock(): Clock & {time: number; sleeps: number[]} {
  const clock = {
    time: 0,
    sleeps: [] as number[],
    now: () => clock.time,
    sleep: async (ms: number) => void clock.sleeps.push(ms),
  }
  return clock
}

describe('TokenBucket', () => {
  test('callers asking at once get consecutive slots, first come first served', async () => {
    const clock = fakeClock()
    const bucket = new TokenBucket(10, 1, clock)
    await Promise.all(Array.from({length: 11}, () => bucket.take()))
    expect(clock.sleeps.map(Math.round)).toEqual([100, 200, 300, 400, 500, 600, 700, 800, 900, 1000])
  })

  test('a burst is taken at once after a pause, and the bucket holds no more than the burst', async () => {
    const clock = fakeClock()
    const bucket = new TokenBucket(10, 5, clock)
    for (let i = 0; i < 5; i++) await bucket.take()
    expect(clock.sleeps).toEqual([])
    clock.time = 60_000
    for (let i = 0; i < 6; i++) await bucket.take()
    expect(clock.sleeps.map(Math.round)).toEqual([100])
  })

  test('slots promised to waiting callers are paid back before a newcomer gets one', async () => {
    const clock = fakeClock()
    const bucket = new TokenBucket(10, 1, clock)
    await Promise.all([bucket.take(), bucket.take(), bucket.take()]) // slots at 0, 100, 200 ms
    clock.time = 100
    await bucket.take()
    expect(clock.sleeps.map(Math.round)).toEqual([100, 200, 200]) // the newcomer's slot is 300 ms
  })

  test('a rate or burst that could never give a token is refused', () => {
    expect(() => new TokenBucket(0)).toThrow(RangeError)
    expect(() => new TokenBucket(10, 0)).toThrow(RangeError)
  })

  test('with the real clock, no timer outlives the wait: the event loop is left empty', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((name) => name === 'Timeout').length
    const before = timers() // vitest's own test timeout
    const bucket = new TokenBucket(100)
    const taken = Promise.all([bucket.take(), bucket.take(), bucket.take()])
    expect(timers()).toBe(before + 2)
    await taken
    expect(timers()).toBe(before)
  })
})

describe('backoff', () => {
  const policy = DEFAULT_RETRY

  test('full jitter under an exponential ceiling capped at capMs', () => {
    const ceilings = Array.from({length: 9}, (_, i) => backoff(policy, i + 1, 0, () => 1))
    expect(ceilings).toEqual([100, 200, 400, 800, 1600, 3200, 6400, 10_000, 10_000])
    expect(backoff(policy, 5, 0, () => 0)).toBe(0)
    expect(backoff(policy, 5, 0, () => 0.5)).toBe(800)
  })

  test('a Retry-After is a floor, and one over a minute is not trusted', () => {
    expect(backoff(policy, 1, 2000, () => 1)).toBe(2000)
    expect(backoff(policy, 1, 3_600_000, () => 1)).toBe(60_000)
  })
})

describe('withRetry', () => {
  const throttled = Object.assign(new Error('Rate exceeded'), {name: 'TooManyRequestsException', $metadata: {httpStatusCode: 429}})
  const denied = Object.assign(new Error('no'), {name: 'AccessDeniedException', $metadata: {httpStatusCode: 403}})
  const serverError = Object.assign(new Error('oops'), {name: 'ServiceException', $metadata: {httpStatusCode: 500}})

  function context() {
    const counts = {sent: 0, throttled: 0}
    const clock = fakeClock()
    return {
      counts,
      clock,
      operation: 'GetFunction',
      bucket: new TokenBucket(1000, 1, clock),
      policy: {attempts: 4, baseMs: 100, capMs: 1000},
      sent: () => void counts.sent++,
      throttled: () => void counts.throttled++,
    }
  }

  function failing(errors: Error[]): () => Promise<string> {
    return async () => {
      const error = errors.shift()
      if (error) throw error
      return 'ok'
    }
  }

  test('throttling is retried up to the policy\'s attempts, each attempt counted', async () => {
    const c = context()
    expect(await withRetry(c, failing([throttled, throttled, throttled]))).toBe('ok')
    expect(c.counts).toEqual({sent: 4, throttled: 3})
    await expect(withRetry(c, failing([throttled, throttled, throttled, throttled]))).rejects.toBe(throttled)
    expect(c.counts).toEqual({sent: 8, throttled: 7})
  })

  test('a 5xx is retried three times at most; a denial not at all', async () => {
    const c = context()
    await expect(withRetry(c, failing([serverError, serverError, serverError]))).rejects.toBe(serverError)
    expect(c.counts.sent).toBe(3)
    await expect(withRetry(c, failing([denied]))).rejects.toBe(denied)
    expect(c.counts).toEqual({sent: 4, throttled: 0})
  })
})
