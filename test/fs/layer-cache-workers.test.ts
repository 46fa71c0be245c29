/**
 * The layer cache on the worker path (dist/, as layer-workers.test.ts): layers read in workers are
 * stored and served like those read on the main thread, and each path hits what the other stored.
 */
import {existsSync} from 'node:fs'
import {join, resolve} from 'node:path'
import {pathToFileURL} from 'node:url'
import {afterEach, beforeAll, describe, expect, it} from 'vitest'
import {FIXTURES} from '../helpers/cli.js'
import {tmpDir} from './helpers.js'
import {ociCopy} from './oci-copy.js'

const DIST = resolve(__dirname, '../../dist')
const built = existsSync(join(DIST, 'fs/worker/layer-worker.js')) && existsSync(join(DIST, 'fs/layer-cache.js'))
if (!built) console.warn('[layer-cache-workers] skipping: dist/ not built (run `npm run build`)')

type Lib = typeof import('../../src/index.js')
type Report = import('../../src/audit/report.js').Report
const lib = async () => (await import(/* @vite-ignore */ pathToFileURL(join(DIST, 'index.js')).href)) as Lib
const said = (report: Report) => ({findings: report.findings, stats: report.stats, notApplicable: report.notApplicable})

describe.skipIf(!built)('the layer cache with layer workers', () => {
  const saved = process.env.LAYER_AUDIT_WORKERS
  afterEach(() => {
    if (saved === undefined) delete process.env.LAYER_AUDIT_WORKERS
    else process.env.LAYER_AUDIT_WORKERS = saved
  })
  let broken: string
  beforeAll(async () => {
    broken = await ociCopy(join(FIXTURES, 'images', 'function-image-broken.docker.tar'), join(tmpDir('layer-cache-img-'), 'layout'))
  })
  const zipSide = {
    layers: [join(FIXTURES, 'zips', 'layer-log-shipper.zip')],
    functionZip: join(FIXTURES, 'zips', 'function-code.zip'),
    functionConfig: join(FIXTURES, 'functions', 'function-config.json'),
    noCache: true,
  }

  it('workers store what the main thread then hits, and the other way round; every run reports the same', async () => {
    const {LayerCache, runCompare} = await lib()
    const run = async (workers: '0' | '1', cache?: InstanceType<typeof LayerCache>) => {
      process.env.LAYER_AUDIT_WORKERS = workers
      return said(await runCompare({image: broken, function: zipSide, ...(cache ? {layerCache: cache} : {})}))
    }
    const uncached = await run('0')
    for (const [fill, hit] of [['1', '0'], ['0', '1'], ['1', '1']] as const) {
      const dir = tmpDir('layer-cache-')
      const filling = new LayerCache({dir})
      expect(await run(fill, filling), `filled with workers=${fill}`).toEqual(uncached)
      expect(filling.stats()).toMatchObject({layersRead: 4, hits: 0})
      const hitting = new LayerCache({dir})
      expect(await run(hit, hitting), `hit with workers=${hit}`).toEqual(uncached)
      expect(hitting.stats()).toMatchObject({layersRead: 0, hits: 4, bytesRead: 0})
    }
  })

  it('a plan the stored capture does not cover is read again in a worker with both plans', async () => {
    const {LayerCache, runLint} = await lib()
    process.env.LAYER_AUDIT_WORKERS = '1'
    const lint = async (wrapper: string, cache?: InstanceType<typeof LayerCache>) =>
      said(await runLint({image: broken, function: {environment: {AWS_LAMBDA_EXEC_WRAPPER: wrapper}}, ...(cache ? {layerCache: cache} : {})}))
    const dir = tmpDir('layer-cache-')
    const fresh = [await lint('/opt/wrapper'), await lint('/opt/log-shipper/extension.py')]
    await lint('/opt/wrapper', new LayerCache({dir}))
    const widened = new LayerCache({dir})
    expect(await lint('/opt/log-shipper/extension.py', widened)).toEqual(fresh[1])
    expect(widened.stats().layersRead).toBe(1)
    const after = new LayerCache({dir})
    expect([await lint('/opt/wrapper', after), await lint('/opt/log-shipper/extension.py', after)]).toEqual(fresh)
    expect(after.stats().layersRead).toBe(0)
  })
})
