import {Writable} from 'node:stream'
import {describe, expect, it} from 'vitest'

import {writePieces} from '../../src/cli/stdout.js'

/** A reader that takes one piece at a time, slowly; records how far ahead the writer ran. */
function slowReader(): {out: Writable; received: string[]} {
  const received: string[] = []
  const out = new Writable({
    highWaterMark: 4,
    write(chunk: Buffer, _encoding, done) {
      received.push(chunk.toString())
      setTimeout(done, 2)
    },
  })
  return {out, received}
}

describe('writePieces', () => {
  it('waits for a slow reader instead of queueing every piece', async () => {
    const {out, received} = slowReader()
    let made = 0
    let ahead = 0
    function* pieces(): Generator<string> {
      for (let i = 0; i < 50; i++) {
        ahead = Math.max(ahead, made - received.length)
        made++
        yield `piece ${i}\n`
      }
    }
    await writePieces(pieces(), out)
    await new Promise<void>((resolve) => out.end(resolve))
    expect(received).toHaveLength(50)
    expect(received[49]).toBe('piece 49\n')
    // Without waiting, all 50 would have been made before the reader took its second.
    expect(ahead).toBeLessThanOrEqual(3)
  })

  it('stops once the reader is gone (EPIPE)', async () => {
    const out = new Writable({
      write(_chunk, _encoding, done) {
        done(Object.assign(new Error('write EPIPE'), {code: 'EPIPE'}))
      },
    })
    let made = 0
    function* pieces(): Generator<string> {
      for (let i = 0; i < 1000; i++) {
        made++
        yield 'x'.repeat(100)
      }
    }
    await writePieces(pieces(), out)
    expect(made).toBeLessThan(1000)
  })
})
