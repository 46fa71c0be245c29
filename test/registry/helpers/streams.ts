import {createHash} from 'node:crypto'
import type {Readable} from 'node:stream'

/** sha256 and length of everything a stream yields. */
export async function digestStream(stream: Readable): Promise<{digest: string; size: number}> {
  const hash = createHash('sha256')
  let size = 0
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hash.update(chunk)
    size += chunk.length
  }
  return {digest: `sha256:${hash.digest('hex')}`, size}
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Error & {code?: string; line?: string}> {
  try {
    await promise
  } catch (error) {
    return error as Error & {code?: string; line?: string}
  }
  throw new Error('expected a rejection')
}
