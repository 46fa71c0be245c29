/** The random names the conformance property stages on disk never have a segment over NAME_MAX (255 bytes). */
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {nameBytes, randomEntry} from './conformance/random.js'

describe('conformance random names', () => {
  it('no segment is longer than 255 bytes, whatever the lengths and slashes drawn (seed 944848561 made one of 256)', () => {
    fc.assert(
      fc.property(randomEntry, (entry) => {
        for (const raw of [entry.name, entry.target]) {
          for (const part of nameBytes(raw).toString('latin1').split('/')) expect(part.length).toBeLessThanOrEqual(255)
        }
      }),
      {numRuns: 3000, seed: 944848561},
    )
  })
})
