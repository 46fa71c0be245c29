/**
 * Property: any damage to a whole image archive (bytes flipped anywhere, cut short, junk appended) ends in
 * a result or a LayerAuditError — never a hang, a crash, or an untyped error — in bounded time.
 */
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'

import {LayerAuditError} from '../../src/errors.js'
import {flatten} from '../../src/fs/flatten.js'
import {readLayers} from '../../src/fs/read-layers.js'
import {openImage} from '../../src/image/open.js'
import {FIXTURES} from '../helpers/cli.js'

const tmp = mkdtempSync(join(tmpdir(), 'la-archive-prop-'))
const originals = ['function-image-good.docker.tar', 'function-image-good.docker-gzip.tar', 'layer-image.oci.tar', 'function-index-attested.oci.tar'].map(
  (name) => ({name, bytes: readFileSync(join(FIXTURES, 'images', name))}),
)

type Damage = {kind: 'flip'; at: number; count: number} | {kind: 'cut'; at: number} | {kind: 'junk'; bytes: Uint8Array}

const damage: fc.Arbitrary<Damage> = fc.oneof(
  fc.record({kind: fc.constant('flip' as const), at: fc.double({min: 0, max: 1, noNaN: true}), count: fc.integer({min: 1, max: 8})}),
  fc.record({kind: fc.constant('cut' as const), at: fc.double({min: 0, max: 1, noNaN: true})}),
  fc.record({kind: fc.constant('junk' as const), bytes: fc.uint8Array({minLength: 1, maxLength: 2048})}),
)

function apply(original: Buffer, d: Damage): Buffer {
  const bytes = Buffer.from(original)
  if (d.kind === 'flip') {
    const start = Math.floor(d.at * bytes.length)
    for (let i = 0; i < d.count; i++) bytes[Math.min(bytes.length - 1, start + i * 97)] ^= 0x5a
    return bytes
  }
  if (d.kind === 'cut') return bytes.subarray(0, Math.floor(d.at * bytes.length))
  return Buffer.concat([bytes, d.bytes])
}

async function settle(path: string): Promise<'ok' | 'typed-error'> {
  try {
    const image = await openImage(path, {platform: 'linux/amd64'})
    try {
      flatten(await readLayers(image))
    } finally {
      await image.close()
    }
    return 'ok'
  } catch (error) {
    if (error instanceof LayerAuditError) return 'typed-error'
    throw error
  }
}

describe('damaged archives', () => {
  it('always settle with a result or a LayerAuditError', async () => {
    let run = 0
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...originals), damage, async (original, d) => {
        const path = join(tmp, `case-${run++}.tar`)
        writeFileSync(path, apply(original.bytes, d))
        const outcome = await Promise.race([settle(path), new Promise<'hang'>((r) => setTimeout(() => r('hang'), 5000).unref())])
        expect(outcome, `${original.name} ${JSON.stringify(d, (_k, v) => (v instanceof Uint8Array ? v.length : v))}`).not.toBe('hang')
      }),
      {numRuns: 150},
    )
  })
})
