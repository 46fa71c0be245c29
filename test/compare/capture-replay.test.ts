/**
 * A capture replayed from the layer cache must be what a fresh read with the same plan captures: the
 * same facts for the same files and the same counters (heads, hashes, executable heads skipped past
 * the cap), whichever plan filled the cache first. Plans here vary what functions sharing a base layer
 * vary: heads, head directories, the executable cap, hashed files, sha256.
 */
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {ContentCapture, hashRoots, type CaptureLayerResult, type CapturePlan} from '../../src/audit/content-capture.js'
import type {LayerEntry} from '../../src/fs/entry.js'
import {LayerCache} from '../../src/fs/layer-cache.js'
import {readLayers} from '../../src/fs/read-layers.js'
import {openImage} from '../../src/image/open.js'
import {FIXTURES} from '../helpers/cli.js'
import {REALDATA_MISSING, realdata} from '../helpers/realdata.js'
import {tmpDir} from '../fs/helpers.js'
import {ociCopy} from '../fs/oci-copy.js'

/** Each layer's capture result (from the spec's onResult), and the layers' entries. */
async function capture(ref: string, plan: CapturePlan, cache?: LayerCache): Promise<{results: CaptureLayerResult[]; entries: LayerEntry[][]}> {
  const image = await openImage(ref)
  try {
    const results: CaptureLayerResult[] = []
    const spec = {...new ContentCapture(plan).spec(), onResult: (layer: {index: number}, result: CaptureLayerResult) => (results[layer.index] = result)}
    const layers = await readLayers(image, {hookSpecs: [spec], workers: false, ...(cache ? {cache} : {})})
    return {results, entries: layers.map((l) => l.entries)}
  } finally {
    await image.close()
  }
}

const none = (): CapturePlan => ({hash: new Map(), heads: new Set(), headDirs: []})

/** Plans drawn from the image's own files, so that each asks for something real. */
function plansFor(entries: LayerEntry[][]): Record<string, CapturePlan> {
  const files = entries.flat().filter((e) => e.type === 'file')
  const every = (n: number, from = 0) => files.filter((_, i) => i % n === from)
  const hashed = new Map(every(2).map((e) => [e.path, e.size] as [string, number]))
  const firstFile = files[0]
  if (firstFile) hashed.set(firstFile.path, firstFile.size + 1) // a size that differs: not hashed
  const hashUnder = hashRoots(hashed.keys())
  const dirOf = (path: string) => path.slice(0, path.lastIndexOf('/')) || '/'
  return {
    nothing: none(),
    'executables, cap 2': {...none(), executablesUnder: '/', maxExecutableHeads: 2},
    'executables, default cap, head dir': {...none(), headDirs: [dirOf(every(5, 1)[0]?.path ?? '/x/y')], executablesUnder: '/'},
    'every third head': {...none(), heads: new Set(every(3).map((e) => e.path))},
    'hash half, sha256': {...none(), hash: hashed, ...(hashUnder ? {hashUnder} : {}), sha256: true},
    'hash half, crc only, executables cap 1': {...none(), hash: hashed, executablesUnder: '/', maxExecutableHeads: 1},
    'heads of 16 bytes': {...none(), heads: new Set(every(2, 1).map((e) => e.path)), headBytes: 16},
  }
}

describe('a capture replayed from the layer cache equals a fresh capture', () => {
  const images: Record<string, string> = {}
  beforeAll(async () => {
    const copy = async (name: string, input: string) => (images[name] = await ociCopy(input, join(tmpDir('capture-replay-'), 'layout')))
    await copy('broken function image', join(FIXTURES, 'images', 'function-image-broken.docker.tar'))
    await copy('good function image', join(FIXTURES, 'images', 'function-image-good.docker.tar'))
    if (!REALDATA_MISSING) await copy('dive busybox (hardlinks, whiteouts)', realdata('dive', 'test-docker-image.tar'))
  })

  for (const order of ['in order', 'in reverse']) {
    it(`for several plans, filled ${order}; then every plan hits`, async () => {
      for (const ref of Object.values(images)) {
        const plans = Object.entries(plansFor((await capture(ref, none())).entries))
        if (order === 'in reverse') plans.reverse()
        const cache = new LayerCache({dir: tmpDir('capture-replay-cache-')})
        for (const [name, plan] of plans) {
          const fresh = await capture(ref, plan)
          expect((await capture(ref, plan, cache)).results, `${ref}: ${name}`).toEqual(fresh.results)
        }
        const before = cache.stats()
        for (const [name, plan] of plans) {
          const fresh = await capture(ref, plan)
          expect((await capture(ref, plan, cache)).results, `${ref}: ${name}, again`).toEqual(fresh.results)
        }
        // Once every plan was asked for, the stored plans (united) cover them all.
        expect(cache.stats().layersRead - before.layersRead, ref).toBe(0)
        expect(before.layersRead).toBeGreaterThan(0)
      }
    })
  }

  it('plans that cannot be united (executables under other directories) still replay exactly', async () => {
    const ref = images['broken function image']
    const cache = new LayerCache({dir: tmpDir('capture-replay-cache-')})
    const plans = [{...none(), executablesUnder: '/opt'}, {...none(), executablesUnder: '/usr'}, {...none(), executablesUnder: '/opt', maxExecutableHeads: 1}]
    for (const plan of [...plans, ...plans]) expect((await capture(ref, plan, cache)).results).toEqual((await capture(ref, plan)).results)
    expect(cache.stats().hits).toBeGreaterThan(0)
  })

  it('the cap on executable heads and its skipped count replay exactly', async () => {
    const ref = images['broken function image']
    const cache = new LayerCache({dir: tmpDir('capture-replay-cache-')})
    await capture(ref, {...none(), executablesUnder: '/', maxExecutableHeads: 8}, cache)
    const capped = {...none(), executablesUnder: '/', maxExecutableHeads: 1}
    const fresh = await capture(ref, capped)
    const replayed = await capture(ref, capped, cache)
    expect(cache.stats()).toMatchObject({layersRead: 4, hits: 4})
    expect(replayed.results).toEqual(fresh.results)
    expect(fresh.results.reduce((n, r) => n + r.stats.headsSkipped, 0)).toBeGreaterThan(0)
  })
})
