import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {PathSlots} from '../../src/lambda/path-slots.js'

/** What a Map says: for each path in turn, the position that held it before (or -1). */
function withMap(paths: string[]): number[] {
  const holders = new Map<string, number>()
  return paths.map((path, i) => {
    const earlier = holders.get(path) ?? -1
    holders.set(path, i)
    return earlier
  })
}

function withSlots(paths: string[]): number[] {
  const slots = new PathSlots(paths.length)
  return paths.map((path, i) => slots.claim(path, i, (at) => paths[at]!))
}

describe('PathSlots', () => {
  it('finds the earlier holder of a path exactly as a Map does', () => {
    // Few distinct names, so most lists repeat some; short ones collide in the table often.
    const path = fc.oneof(fc.constantFrom('/opt/a', '/opt/b', '/opt/a/b', '/opt/é', ''), fc.string({maxLength: 6}).map((s) => `/opt/${s}`))
    fc.assert(
      fc.property(fc.array(path, {maxLength: 200}), (paths) => {
        expect(withSlots(paths)).toEqual(withMap(paths))
      }),
      {numRuns: 500},
    )
  })

  it('holds a hundred thousand distinct paths with none mistaken for another', () => {
    const paths = Array.from({length: 100_000}, (_, i) => `/opt/python/d${i % 997}/mod_${i}.py`)
    expect(withSlots(paths).every((earlier) => earlier === -1)).toBe(true)
    expect(withSlots([...paths, ...paths]).slice(100_000)).toEqual(paths.map((_, i) => i))
  })
})
