/**
 * The fleet's own retry loop around one Lambda API call (its clients are built with maxAttempts 1): a
 * throttled call is retried with exponential backoff and full jitter, so that hundreds of GetFunction
 * calls in flight spread out instead of retrying in step, and every attempt takes a token of the
 * operation's bucket, so retries count against the rate too.
 */
import {ATTEMPTS} from '../lambda/aws.js'
import {realClock, type Clock, type TokenBucket} from './token-bucket.js'

export interface RetryPolicy {
  /** Calls made at most for one throttled request, the first included. */
  attempts: number
  baseMs: number
  capMs: number
}

export const DEFAULT_RETRY: RetryPolicy = {attempts: 8, baseMs: 100, capMs: 10_000}

/** A Retry-After longer than this is a misbehaving endpoint, not advice to wait. */
const MAX_RETRY_AFTER_MS = 60_000

export interface RetryContext {
  operation: string
  bucket: TokenBucket
  policy: RetryPolicy
  /** Counts each throttled answer (the caller's stats). */
  throttled: () => void
  /** Counts each request sent. */
  sent: () => void
  onThrottle?: (operation: string, attempt: number, delayMs: number) => void
  clock?: Clock
}

/**
 * Runs `call` until it succeeds, throws a failure that is not worth retrying, or runs out of attempts:
 * the policy's for throttling, the SDK's usual ATTEMPTS for timeouts, dropped connections and 5xx.
 */
export async function withRetry<T>(context: RetryContext, call: () => Promise<T>): Promise<T> {
  const clock = context.clock ?? realClock
  for (let attempt = 1; ; attempt++) {
    await context.bucket.take()
    context.sent()
    try {
      return await call()
    } catch (error) {
      const kind = failureKind(error)
      if (kind === 'throttled') context.throttled()
      const attempts = kind === 'throttled' ? context.policy.attempts : kind === 'transient' ? ATTEMPTS : 1
      if (attempt >= attempts) throw error
      const delayMs = backoff(context.policy, attempt, retryAfterMs(error))
      if (kind === 'throttled') context.onThrottle?.(context.operation, attempt, delayMs)
      await clock.sleep(delayMs)
    }
  }
}

/** Full jitter: uniform in [0, min(cap, base * 2^(attempt-1))], but never sooner than the server asked. */
export function backoff(policy: RetryPolicy, attempt: number, retryAfter = 0, random = Math.random): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** (attempt - 1))
  return Math.max(Math.round(random() * ceiling), Math.min(retryAfter, MAX_RETRY_AFTER_MS))
}

type SdkFailure = {
  name?: string
  code?: string
  $metadata?: {httpStatusCode?: number}
  $retryable?: {throttling?: boolean}
  retryAfterSeconds?: string
}

function failureKind(error: unknown): 'throttled' | 'transient' | 'final' {
  const e = (error ?? {}) as SdkFailure
  const status = e.$metadata?.httpStatusCode
  if (e.name === 'TooManyRequestsException' || e.name === 'ThrottlingException' || status === 429 || e.$retryable?.throttling) {
    return 'throttled'
  }
  if (e.name === 'TimeoutError' || (status !== undefined && status >= 500)) return 'transient'
  if (e.code === 'ECONNRESET' || e.code === 'ETIMEDOUT' || e.code === 'EPIPE') return 'transient'
  return 'final'
}

/** TooManyRequestsException models a Retry-After header (seconds) as retryAfterSeconds. */
function retryAfterMs(error: unknown): number {
  const seconds = Number((error as SdkFailure | undefined)?.retryAfterSeconds)
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 0
}
