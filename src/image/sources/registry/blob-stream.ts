/**
 * A layer blob as one Readable straight from the network. When the connection drops or stalls
 * mid-blob the download continues from the last byte received with `Range: bytes=N-` (or, if the
 * server ignores ranges, by skipping the first N bytes of a fresh copy), after a backoff. Digests are
 * checked downstream by the layer reader, which sees one continuous stream.
 *
 * With a declared size the stream is bounded: at most size + 1 bytes are ever passed on (the one more
 * lets the reader see that the blob is longer than declared; an endless body cannot run on), and a
 * response the server completed short of the size ends the stream there, for the reader to report as
 * the size and digest mismatch it is. Only a body cut off mid-response is resumed.
 */
import type {IncomingMessage} from 'node:http'
import {Readable} from 'node:stream'

import {RegistryError} from '../../../errors.js'
import type {TransportError} from './http-transport.js'
import type {RetryPolicy} from './options.js'
import type {RegistryClient} from './registry-client.js'
import {backoffDelay, isStall, isTransientCode, MAX_STALLS, sleep} from './retry.js'

const HIGH_WATER_MARK = 1024 * 1024
const PROGRESS_RESETS_RETRIES = 8 * 1024 * 1024

export interface BlobStreamOptions {
  digest: string
  /** Declared blob size: bounds what is read (size + 1 bytes at most); a body cut short of it is resumed. */
  size?: number
  /** Names the blob in errors ("layer 3 sha256:…"). */
  what: string
  input: string
  retry: RetryPolicy
  onBytes?: (received: number) => void
}

/** Where a (possibly ranged) response starts, from Content-Range; 0 for a full 200. */
function responseOffset(res: IncomingMessage): number | undefined {
  if (res.statusCode === 200) return 0
  const match = /^bytes (\d+)-\d+\/(?:\d+|\*)$/.exec(String(res.headers['content-range'] ?? ''))
  return match ? Number(match[1]) : undefined
}

export function openBlobStream(client: RegistryClient, options: BlobStreamOptions): Readable {
  return Readable.from(download(client, options), {objectMode: false, highWaterMark: HIGH_WATER_MARK})
}

async function* download(client: RegistryClient, options: BlobStreamOptions): AsyncGenerator<Buffer> {
  let received = 0
  const limit = options.size !== undefined && options.size >= 0 ? options.size + 1 : Number.POSITIVE_INFINITY
  let stalls = 0
  for (let attempt = 1; ; attempt++) {
    const receivedBefore = received
    // Connection-level retries before headers happen inside the client; this loop handles the body.
    const res = await client.openBlob(options.digest, received, options.what)
    let skip = 0
    const start = responseOffset(res)
    if (start === undefined || start > received) {
      res.destroy()
      throw new RegistryError('NETWORK', `${options.what}: the registry answered a resumed download with a bad Content-Range`, {
        input: options.input,
      })
    }
    skip = received - start
    try {
      for await (const chunk of res as AsyncIterable<Buffer>) {
        let data = chunk
        if (skip > 0) {
          if (data.length <= skip) {
            skip -= data.length
            continue
          }
          data = data.subarray(skip)
          skip = 0
        }
        if (received + data.length >= limit) {
          // One byte past the declared size is proof enough; the reader reports the mismatch.
          data = data.subarray(0, limit - received)
          received = limit
          options.onBytes?.(received)
          res.destroy()
          yield data
          return
        }
        received += data.length
        options.onBytes?.(received)
        yield data
      }
      // The server finished its response: a blob shorter than declared is what it has, not a cut.
      if (options.size !== undefined && received < options.size && !res.complete) {
        throw Object.assign(new Error('short read'), {code: 'ESHORTREAD'})
      }
      return
    } catch (error) {
      const code = (error as TransportError).code
      res.destroy()
      // A stall after a good chunk of progress starts the count again, as the attempt budget does.
      stalls = isStall(code) ? (received - receivedBefore >= PROGRESS_RESETS_RETRIES ? 1 : stalls + 1) : 0
      if (!isTransientCode(code) || attempt >= options.retry.attempts || stalls >= MAX_STALLS) {
        const total = options.size !== undefined ? ` of ${options.size}` : ''
        // A stall is named as one ("no data for 60 s"), not as the reset it ends in.
        const what = code === 'ETIMEDOUT' && error instanceof Error ? `stalled (${error.message})` : 'connection lost'
        throw new RegistryError(
          'NETWORK',
          `${options.what}: ${what} after ${received}${total} bytes (${code ?? 'error'}; ${attempt} attempt${attempt > 1 ? 's' : ''})`,
          {input: options.input},
        )
      }
      await sleep(backoffDelay(options.retry, attempt))
      // A long download over a flaky link: an attempt that moved a good chunk forward earns a fresh budget.
      if (received - receivedBefore >= PROGRESS_RESETS_RETRIES) attempt = 0
    }
  }
}
