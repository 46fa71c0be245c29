/**
 * The worker path of readLayers. Workers run compiled JavaScript, so these tests import the library
 * from dist/ (`npm run build`, which `npm test` runs first); without a build they skip with a warning.
 * Every result is compared with the in-process path on the same image: entries, whiteouts, sizes,
 * errors (class, code, message), and what the hooks (compare's capture, the secret scan) found.
 */
import {spawnSync} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {join, resolve} from 'node:path'
import type {Readable} from 'node:stream'
import {pathToFileURL} from 'node:url'
import {afterEach, describe, expect, it} from 'vitest'
import {FIXTURES} from '../helpers/cli.js'
import {REALDATA_MISSING} from '../helpers/realdata.js'
import {itUnless} from '../helpers/skip-reason.js'
import {packTar, realdata, tmpDir, writeOciLayout} from './helpers.js'

const DIST = resolve(__dirname, '../../dist')
const built = existsSync(join(DIST, 'fs/worker/layer-worker.js'))
if (!built) console.warn('[layer-workers] skipping: dist/ not built (run `npm run build`)')

type Lib = typeof import('../../src/index.js')
type ReadLayers = typeof import('../../src/fs/read-layers.js')
type ContentHookSpec = import('../../src/fs/hook-spec.js').ContentHookSpec
type Image = import('../../src/image/model.js').Image
type LayerContents = import('../../src/fs/entry.js').LayerContents

const dist = async () => ({
  lib: (await import(/* @vite-ignore */ pathToFileURL(join(DIST, 'index.js')).href)) as Lib,
  fs: (await import(/* @vite-ignore */ pathToFileURL(join(DIST, 'fs/read-layers.js')).href)) as ReadLayers,
})

const plain = (layers: LayerContents[]) => layers.map(({layer, ...rest}) => ({index: layer.index, ...rest}))

async function both(open: () => Promise<Image>, options: {hookSpecs?: () => ContentHookSpec[]} = {}) {
  const {fs} = await dist()
  const read = async (workers: boolean) => {
    const image = await open()
    try {
      return await fs.readLayers(image, {workers, hookSpecs: options.hookSpecs?.()})
    } finally {
      await image.close()
    }
  }
  return {inProcess: await read(false), inWorkers: await read(true)}
}

/** Outcome of a promise as data: the error's class, code, message and line, or 'ok'. */
async function outcome(p: Promise<unknown>): Promise<unknown> {
  try {
    return {ok: await p}
  } catch (error) {
    const e = error as {name: string; code?: string; message: string; line?: string; input?: string}
    return {name: e.name, code: e.code, message: e.message, line: e.line, input: e.input}
  }
}

describe.skipIf(!built)('readLayers in layer workers', () => {
  const saved = process.env.LAYER_AUDIT_WORKERS
  afterEach(() => {
    if (saved === undefined) delete process.env.LAYER_AUDIT_WORKERS
    else process.env.LAYER_AUDIT_WORKERS = saved
  })

  it('gives the same layers as the main thread for every fixture image', async () => {
    const {lib} = await dist()
    const images = ['function-image-good.docker.tar', 'function-image-good.docker-gzip.tar', 'function-image-good.oci.tar', 'layer-image.oci.tar', 'secrets-multi-stage.docker.tar']
    for (const name of images) {
      const {inProcess, inWorkers} = await both(() => lib.openImage(join(FIXTURES, 'images', name)))
      expect(plain(inWorkers), name).toEqual(plain(inProcess))
      expect(inWorkers.length, name).toBeGreaterThan(0)
    }
  })

  itUnless(REALDATA_MISSING, 'gives the same layers (or the same error) as the main thread for realdata images', async () => {
    const {lib, fs} = await dist()
    const images = [
      'dive/test-docker-image.tar',
      'snyk/kaniko-archives/kaniko-busybox.tar',
      'snyk/containerd-archives/alpine.tar',
      'dive/test-oci-gzip-image.tar',
      'dive/test-oci-uncompressed-image.tar',
      'dive/test-oci-zstd-image.tar',
      'dive/test-oci-estargz-image.tar', // multi-member gzip, TOC after the end-of-archive marker
      'snyk/oci-archives/alpine-3.12.0.tar', // a layer blob whose digest does not match
    ].map((p) => join(realdata, p))
    for (const path of images) {
      const read = async (workers: boolean) => {
        const image = await lib.openImage(path)
        try {
          return plain(await fs.readLayers(image, {workers}))
        } finally {
          await image.close()
        }
      }
      const inProcess = await outcome(read(false))
      const inWorkers = await outcome(read(true))
      expect(inWorkers, path).toEqual(inProcess)
    }
    expect(await outcome(lib.openImage(images.at(-1)!).then((image) => fs.readLayers(image, {workers: true})))).toMatchObject({
      name: 'DigestMismatchError',
      code: 'DIGEST_MISMATCH',
    })
  })

  it('reports digest mismatch, broken gzip and truncated tar exactly as the main thread does', async () => {
    const {lib, fs} = await dist()
    // A gzip broken inside a blob that no longer matches its digest is that digest mismatch (LayerDecoder).
    const cases: Array<[string, (dir: string, tars: Buffer[]) => void, string]> = [
      ['digest mismatch', (dir, tars) => {
        writeOciLayout(dir, tars)
        // Same gzip bytes, another diff_id in the config: the blob digest holds, the diff_id does not.
        const config = blobOf(dir, (m) => m.config.digest)
        const doc = JSON.parse(readFileSync(config, 'utf8'))
        doc.rootfs.diff_ids[1] = `sha256:${'0'.repeat(64)}`
        rewriteConfig(dir, JSON.stringify(doc))
      }, 'DIGEST_MISMATCH'],
      ['broken gzip', (dir, tars) => {
        writeOciLayout(dir, tars)
        const blob = blobOf(dir, (m) => m.layers[1].digest)
        const bytes = readFileSync(blob)
        bytes[20] ^= 0xff
        writeFileSync(blob, bytes)
      }, 'DIGEST_MISMATCH'],
      ['truncated tar', (dir, tars) => writeOciLayout(dir, tars.map((t, i) => (i === 1 ? t.subarray(0, 700) : t))), 'CORRUPT'],
    ]
    for (const [what, make, code] of cases) {
      const dir = tmpDir()
      make(dir, await layerTars(3))
      const read = async (workers: boolean) => {
        const image = await lib.openImage(`oci:${dir}:img`)
        try {
          return await outcome(fs.readLayers(image, {workers}))
        } finally {
          await image.close()
        }
      }
      const inProcess = await read(false)
      expect(inProcess, what).toMatchObject({code, message: expect.stringMatching(/^layer 1 /)})
      expect(await read(true), what).toEqual(inProcess)
    }
  })

  it('a failing layer cancels the others: every blob stream is closed, the first error wins', async () => {
    const {lib, fs} = await dist()
    const dir = tmpDir()
    // Incompressible and big enough to still be streaming when layer 1 fails. Layers are read biggest
    // first, so the bad one is the biggest: it is read at once.
    const big = await packTar([{name: 'big', content: randomBytes(16 << 20)}])
    const bad = (await packTar([{name: 'x', content: randomBytes(24 << 20)}])).subarray(0, 20 << 20)
    // Eight big layers after the bad one: the other lane cannot read them all while the bad one fails, even
    // on a starved CPU (with four, a loaded CI machine once opened every layer before the failure landed).
    const tars = [big, bad, ...Array<Buffer>(8).fill(big)]
    writeOciLayout(dir, tars)
    const image = await lib.openImage(`oci:${dir}:img`)
    const streams: Readable[] = []
    const tracked: Image = {
      ...image,
      openLayer: async (layer) => {
        const s = await image.openLayer(layer)
        streams.push(s)
        return s
      },
    }
    const result = await outcome(fs.readLayers(tracked, {workers: true, concurrency: 2}))
    expect(result).toMatchObject({code: 'CORRUPT', message: expect.stringMatching(/^layer 1 .*truncated/)})
    await new Promise((r) => setTimeout(r, 50))
    expect(streams.length).toBeLessThan(tars.length) // stopped opening layers after the failure
    for (const s of streams) expect(s.destroyed || s.readableEnded).toBe(true)
    await image.close()
  }, 30_000)

  it("merges hook specs' per-layer results (a spec module of our own)", async () => {
    const {lib} = await dist()
    const dir = tmpDir()
    const module = join(dir, 'count-hook.mjs')
    writeFileSync(
      module,
      `export function createLayerHook(options, layer) {
        let files = 0, bytes = 0
        return {
          hook: (entry) => { files++; return {write: (c) => { bytes += c.length }, end() {}} },
          result: () => ({layer: layer.index, files, bytes, tag: options.tag}),
        }
      }`,
    )
    const results = new Map<number, unknown>()
    const spec = (): ContentHookSpec => ({
      module: pathToFileURL(module).href,
      factory: () => {
        throw new Error('not used on the worker path')
      },
      options: {tag: 't'},
      onResult: (layer, result) => results.set(layer.index, result),
    })
    const {inWorkers} = await both(() => lib.openImage(join(FIXTURES, 'images', 'function-image-good.oci.tar')), {hookSpecs: () => []})
    results.clear()
    const {fs} = await dist()
    const image = await lib.openImage(join(FIXTURES, 'images', 'function-image-good.oci.tar'))
    await fs.readLayers(image, {workers: true, hookSpecs: [spec()]})
    await image.close()
    expect([...results.keys()].sort()).toEqual(inWorkers.map((l) => l.layer.index))
    for (const l of inWorkers) {
      const files = l.entries.filter((e) => e.type === 'file')
      expect(results.get(l.layer.index)).toEqual({layer: l.layer.index, files: files.length, bytes: files.reduce((s, e) => s + e.size, 0), tag: 't'})
    }
  })

  it("sends a worker each spec's options once: its later jobs reuse them (compare's plan is megabytes)", async () => {
    const dir = tmpDir()
    const module = join(dir, 'options-hook.mjs')
    writeFileSync(
      module,
      `let last
      export function createLayerHook(options, layer) {
        const reused = options === last
        last = options
        return {hook: () => undefined, result: () => ({layer: layer.index, reused, size: options.paths.length})}
      }`,
    )
    const results = new Map<number, {layer: number; reused: boolean; size: number}>()
    const paths = Array.from({length: 1000}, (_, i) => `/opt/file-${i}`)
    const spec: ContentHookSpec = {
      module: pathToFileURL(module).href,
      factory: () => {
        throw new Error('not used on the worker path')
      },
      options: {paths},
      onResult: (layer, result) => results.set(layer.index, result as {layer: number; reused: boolean; size: number}),
    }
    const {lib, fs} = await dist()
    const image = await lib.openImage(join(FIXTURES, 'images', 'function-image-good.oci.tar'))
    expect(image.layers.length).toBeGreaterThan(1)
    await fs.readLayers(image, {workers: true, concurrency: 1, hookSpecs: [spec]})
    await image.close()
    const all = [...results.values()]
    expect(all).toHaveLength(image.layers.length)
    for (const r of all) expect(r.size).toBe(1000)
    // One worker read every layer: the first job brought the options, every later one found them kept.
    expect(all.filter((r) => !r.reused)).toHaveLength(1)
  })

  it('compare and scan find the same things with and without workers', async () => {
    const {lib} = await dist()
    const compare = () =>
      lib.runCompare({
        image: join(FIXTURES, 'images', 'function-image-broken.docker.tar'),
        function: {
          layers: [join(FIXTURES, 'zips', 'layer-log-shipper.zip')],
          functionZip: join(FIXTURES, 'zips', 'function-code.zip'),
          functionConfig: join(FIXTURES, 'functions', 'function-config.json'),
          noCache: true,
        },
      })
    const scans = ['secrets-single-stage.docker.tar', 'secrets-multi-stage.docker.tar', 'secrets-false-positives.docker.tar', 'secrets-doc-example.docker.tar']
    const run = async (env: '0' | '1') => {
      process.env.LAYER_AUDIT_WORKERS = env
      const reports = [await compare(), ...(await Promise.all(scans.map((name) => lib.runScan({image: join(FIXTURES, 'images', name)}))))]
      return reports.map((r) => ({findings: sortFindings(r.findings), stats: r.stats, summary: r.summary}))
    }
    const inProcess = await run('0')
    const inWorkers = await run('1')
    expect(inProcess[0].findings.length).toBeGreaterThan(0)
    expect(inProcess[1].summary).toMatchObject({error: expect.any(Number)})
    expect(inWorkers).toEqual(inProcess)
  })

  it('spare workers started ahead (while compare reads the zips) are what the next pool uses; unused ones never hold the process', async () => {
    const {lib} = await dist()
    const pool = (await import(/* @vite-ignore */ pathToFileURL(join(DIST, 'fs/worker/pool.js')).href)) as typeof import('../../src/fs/worker/pool.js')
    const scan = (await import(/* @vite-ignore */ pathToFileURL(join(DIST, 'secrets/content-scanner.js')).href)) as typeof import('../../src/secrets/content-scanner.js')
    const {inProcess} = await both(() => lib.openImage(join(FIXTURES, 'images', 'function-image-good.oci.tar')))
    pool.startSpareLayerWorkers(2, [scan.SCAN_HOOK_MODULE])
    expect(pool.spareLayerWorkers()).toBe(2)
    const {fs} = await dist()
    const image = await lib.openImage(join(FIXTURES, 'images', 'function-image-good.oci.tar'))
    const read = await fs.readLayers(image, {workers: true, concurrency: 2})
    await image.close()
    expect(pool.spareLayerWorkers()).toBe(0)
    expect(plain(read)).toEqual(plain(inProcess))

    // A process that warmed workers it then never used still ends on its own.
    const script = `import(${JSON.stringify(pathToFileURL(join(DIST, 'fs/read-layers.js')).href)}).then((m) => m.warmLayerWorkers({hookModules: []}))`
    const started = Date.now()
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {timeout: 20_000, env: {...process.env, LAYER_AUDIT_WORKERS: ''}})
    expect(child.status).toBe(0)
    expect(Date.now() - started).toBeLessThan(10_000)
  })

  it('closure hooks cannot be forced into workers; auto keeps small images and closures in process', async () => {
    const {lib, fs} = await dist()
    const image = await lib.openImage(join(FIXTURES, 'images', 'layer-image.oci.tar'))
    await expect(fs.readLayers(image, {workers: true, hooks: [() => undefined]})).rejects.toThrow(/closure hooks/)
    const auto = await fs.readLayers(image, {hooks: [() => undefined]})
    expect(auto.length).toBe(image.layers.length)
    await image.close()
  })
})

function sortFindings<T>(findings: T[]): T[] {
  return [...findings].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))
}

async function layerTars(n: number): Promise<Buffer[]> {
  return Promise.all(Array.from({length: n}, (_, i) => packTar([{name: `l${i}/file`, content: 'x'.repeat(1000 * (i + 1))}])))
}

interface OciManifest {
  config: {digest: string}
  layers: {digest: string}[]
}

function manifestOf(dir: string): {path: string; doc: OciManifest} {
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'))
  const path = join(dir, 'blobs/sha256', index.manifests[0].digest.slice(7))
  return {path, doc: JSON.parse(readFileSync(path, 'utf8'))}
}

function blobOf(dir: string, pick: (m: OciManifest) => string): string {
  return join(dir, 'blobs/sha256', pick(manifestOf(dir).doc).slice(7))
}

/** Replaces the config blob (and the digests pointing at it) of a layout written by writeOciLayout. */
function rewriteConfig(dir: string, config: string): void {
  const {createHash} = require('node:crypto') as typeof import('node:crypto')
  const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex')
  const {doc} = manifestOf(dir)
  writeFileSync(join(dir, 'blobs/sha256', sha(config)), config)
  doc.config = {...doc.config, digest: `sha256:${sha(config)}`, size: Buffer.byteLength(config)} as OciManifest['config']
  const manifest = JSON.stringify(doc)
  writeFileSync(join(dir, 'blobs/sha256', sha(manifest)), manifest)
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'))
  index.manifests[0] = {...index.manifests[0], digest: `sha256:${sha(manifest)}`, size: Buffer.byteLength(manifest)}
  writeFileSync(join(dir, 'index.json'), JSON.stringify(index))
}
