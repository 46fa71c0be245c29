/** Backoff for registry requests: exponential with full jitter, honouring Retry-After within a cap. */
import type {IncomingHttpHeaders} from 'node:http'

import type {RetryPolicy} from './options.js'

const MAX_RETRY_AFTER_MS = 60_000

/** Delay before attempt `attempt + 1` (attempt counts from 1). */
export function backoffDelay(policy: RetryPolicy, attempt: number, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, MAX_RETRY_AFTER_MS)
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1))
  // Half fixed, half random: never zero, and parallel layers do not retry in lock-step.
  return ceiling / 2 + Math.random() * (ceiling / 2)
}

/** Retry-After as seconds or an HTTP date, in milliseconds. */
export function retryAfterMs(headers: IncomingHttpHeaders): number | undefined {
  const value = headers['retry-after']
  if (!value) return undefined
  const seconds = Number(value)
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now())
}

export function isRetriableStatus(status: number): boolean {
  return status === 429 || status === 408 || (status >= 500 && status !== 501 && status !== 505)
}

/** Transport failures worth another attempt: resets and stalls, not refusals or unknown hosts. */
export function isTransientCode(code: string | undefined): boolean {
  return ['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ECONNABORTED', 'ESHORTREAD', 'ERR_STREAM_PREMATURE_CLOSE', 'UND_ERR_SOCKET'].includes(
    code ?? '',
  )
}

/**
 * Stalls (no data for the whole idle timeout) tried before giving up, whatever the retry budget: a
 * registry silent twice in a row rarely speaks again, and each stall costs a full timeout (five of them
 * held a CI job for five minutes). Progress in between starts the count again.
 */
export const MAX_STALLS = 2

export function isStall(code: string | undefined): boolean {
  return code === 'ETIMEDOUT'
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
