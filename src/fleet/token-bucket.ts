/**
 * Keeps a run of API calls under a rate (Lambda's GetFunction and control-plane quotas). Each take()
 * reserves the next free slot at once, so callers are served in the order they asked, without a queue
 * and without a background refill timer: a timer exists only while a caller waits, for at most its slot.
 */
export interface Clock {
  now(): number
  sleep(ms: number): Promise<void>
}

export const realClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
}

export class TokenBucket {
  readonly #ratePerMs: number
  readonly #burst: number
  readonly #clock: Clock
  /** Below zero: slots already promised to waiting callers. */
  #tokens: number
  #refilledAt: number

  /** `ratePerSecond` tokens a second on average, at most `burst` at once after a pause. */
  constructor(ratePerSecond: number, burst = 1, clock: Clock = realClock) {
    if (!(ratePerSecond > 0) || !(burst >= 1)) throw new RangeError(`token bucket needs rate > 0 and burst >= 1 (got ${ratePerSecond}, ${burst})`)
    this.#ratePerMs = ratePerSecond / 1000
    this.#burst = burst
    this.#clock = clock
    this.#tokens = burst
    this.#refilledAt = clock.now()
  }

  async take(): Promise<void> {
    const now = this.#clock.now()
    this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#refilledAt) * this.#ratePerMs)
    this.#refilledAt = now
    this.#tokens -= 1
    if (this.#tokens < 0) await this.#clock.sleep(-this.#tokens / this.#ratePerMs)
  }
}
