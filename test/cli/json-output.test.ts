import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {writeJson} from '../../src/cli/json-output.js'

function streamed(value: unknown): string {
  let out = ''
  writeJson(value, (text) => (out += text))
  return out
}

describe('writeJson', () => {
  it('writes exactly what JSON.stringify(value, null, 2) writes', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(streamed(value)).toBe(JSON.stringify(value, null, 2) + '\n')
      }),
      {numRuns: 500},
    )
  })

  it('drops undefined properties and turns undefined array items into null, as JSON does', () => {
    const value = {a: undefined, b: [1, undefined, {c: undefined, d: [2]}], e: {toJSON: () => 'x'}, f: new Date(0)}
    expect(streamed(value)).toBe(JSON.stringify(value, null, 2) + '\n')
  })

  it('hands big documents over in pieces', () => {
    const entries = Array.from({length: 50_000}, (_, i) => ({path: `/opt/file-${i}`, type: 'file', mode: 420, size: i}))
    const pieces: string[] = []
    writeJson({image: {reference: 'x'}, entries}, (text) => pieces.push(text))
    expect(pieces.length).toBeGreaterThan(2)
    expect(pieces.join('')).toBe(JSON.stringify({image: {reference: 'x'}, entries}, null, 2) + '\n')
  })
})
