/**
 * Drives a Readable into a synchronous push consumer (LayerWalker, LayerReader): every chunk is handed
 * over in the 'data' call, the consumer's result is taken at 'end', and any failure — the consumer's
 * throw, the stream's error, a close before the end — destroys the stream and rejects once.
 */
import type {Readable} from 'node:stream'

export interface PushConsumer<T> {
  write(chunk: Buffer): void
  end(): T
  /** The error to report for the stream's own error. */
  sourceError(error: unknown): unknown
  /** The error to report when the stream closed before its end. */
  closedEarly(): unknown
}

export function pushStream<T>(stream: Readable, consumer: PushConsumer<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let done = false
    const finish = (outcome: {result: T} | {error: unknown}) => {
      if (done) return
      done = true
      stream.off('data', onData)
      if ('result' in outcome) return resolve(outcome.result)
      if (!stream.destroyed) stream.destroy()
      reject(outcome.error)
    }
    const onData = (chunk: Buffer) => {
      try {
        consumer.write(chunk)
      } catch (error) {
        finish({error})
      }
    }
    stream.on('data', onData)
    stream.once('end', () => {
      try {
        finish({result: consumer.end()})
      } catch (error) {
        finish({error})
      }
    })
    stream.once('error', (error) => finish({error: consumer.sourceError(error)}))
    stream.once('close', () => {
      if (!stream.readableEnded) finish({error: consumer.closedEarly()})
    })
  })
}
