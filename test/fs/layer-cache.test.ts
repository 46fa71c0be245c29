/**
 * The layer cache through the library, on the fixtures: a second audit reads no blob and reports the
 * same; layers shared by images are read once; a bad cache file is a miss, never trusted; a layer that
 * claims a cached diff_id over other bytes is read (and fails as it would without a cache).
 */
import {createHash} from 'node:crypto'
import {execFileSync} from 'node:child_process'
import {readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {gzipSync} from 'node:zlib'
import {afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest'
import {runCompare, runLint, runScan} from '../../src/audit/run-audit.js'
import type {Report} from '../../src/audit/report.js'
import {defaultLayerCacheDir, LayerCache} from '../../src/fs/layer-cache.js'
import {readLayers} from '../../src/fs/read-layers.js'
import {openImage} from '../../src/image/open.js'
import {ContentScanner} from '../../src/secrets/content-scanner.js'
import {FIXTURES} from '../helpers/cli.js'
import {packTar, tmpDir, writeOciLayout} from './helpers.js'
import {ociCopy} from './oci-copy.js'

const fixture = (name: string) => join(FIXTURES, 'images', name)
// OCI copies: the cache holds only layers whose blob digest is known, which legacy docker archives lack.
let BROKEN: string
let GOOD: string
let LEAKY: string
beforeAll(async () => {
  const copy = (name: string) => ociCopy(fixture(name), join(tmpDir('layer-cache-img-'), 'layout'))
  ;[BROKEN, GOOD, LEAKY] = await Promise.all(['function-image-broken.docker.tar', 'function-image-good.docker.tar', 'secrets-single-stage.docker.tar'].map(copy))
})
const zipSide = {
  layers: [join(FIXTURES, 'zips', 'layer-log-shipper.zip')],
  functionZip: join(FIXTURES, 'zips', 'function-code.zip'),
  functionConfig: join(FIXTURES, 'functions', 'function-config.json'),
  noCache: true,
}

/** What a report says, without what depends on the run (none today; the shape a reader compares). */
const said = (report: Report) => ({findings: report.findings, stats: report.stats, notApplicable: report.notApplicable, summary: report.summary})
const files = (dir: string) => readdirSync(dir).filter((name) => !name.endsWith('.tmp'))
const compare = (img: string, cache?: LayerCache) => runCompare({image: img, function: zipSide, ...(cache ? {layerCache: cache} : {})})

let saved: string | undefined
beforeEach(() => {
  saved = process.env.LAYER_AUDIT_WORKERS
  process.env.LAYER_AUDIT_WORKERS = '0'
})
afterEach(() => {
  if (saved === undefined) delete process.env.LAYER_AUDIT_WORKERS
  else process.env.LAYER_AUDIT_WORKERS = saved
})

describe('LayerCache', () => {
  it('a second compare of the same image reads no blob and reports the same findings, stats and not-applicable rules', async () => {
    const dir = tmpDir('layer-cache-')
    const uncached = said(await compare(BROKEN))
    expect(uncached.findings.length).toBeGreaterThan(0)
    const first = new LayerCache({dir})
    expect(said(await compare(BROKEN, first))).toEqual(uncached)
    expect(first.stats()).toMatchObject({hits: 0, misses: 4, layersRead: 4, rejected: 0, writeFailures: 0})
    expect(first.stats().bytesRead).toBe(first.stats().bytesReferenced)

    const second = new LayerCache({dir})
    expect(said(await compare(BROKEN, second))).toEqual(uncached)
    expect(second.stats()).toMatchObject({hits: 4, misses: 0, layersReferenced: 4, layersRead: 0, bytesRead: 0, rejected: 0})
    expect(second.stats().bytesReferenced).toBe(first.stats().bytesReferenced)
  })

  it('a second scan reads no blob; hits keep the layer index of the image that loads them', async () => {
    const dir = tmpDir('layer-cache-')
    const leaky = LEAKY
    const uncached = said(await runScan({image: leaky}))
    expect(uncached.findings.length).toBeGreaterThan(0)
    // The good image's layer 3 is the leaky image's layer 4: stored under index 3 first.
    await runScan({image: GOOD, layerCache: new LayerCache({dir})})
    const first = new LayerCache({dir})
    expect(said(await runScan({image: leaky, layerCache: first}))).toEqual(uncached)
    expect(first.stats().hits).toBeGreaterThan(0)
    const second = new LayerCache({dir})
    expect(said(await runScan({image: leaky, layerCache: second}))).toEqual(uncached)
    expect(second.stats()).toMatchObject({misses: 0, bytesRead: 0})
  })

  it('two images sharing base layers: each shared layer is read once', async () => {
    const cache = new LayerCache({dir: tmpDir('layer-cache-')})
    const expected = [said(await compare(GOOD)), said(await compare(BROKEN))]
    expect([said(await compare(GOOD, cache)), said(await compare(BROKEN, cache))]).toEqual(expected)
    // 4 + 4 layers, 2 of them the same (fixtures.json): 6 read, 2 served.
    expect(cache.stats()).toMatchObject({layersReferenced: 8, layersRead: 6, hits: 2})
    expect(cache.stats().bytesRead).toBeLessThan(cache.stats().bytesReferenced)
  })

  it('an image function whose plan asks for a head the cache lacks: the layer is read again, then both plans hit', async () => {
    const dir = tmpDir('layer-cache-')
    // The same layers, two functions: another wrapper asks for another file's first bytes.
    const lint = (wrapper: string, cache?: LayerCache) =>
      runLint({image: BROKEN, function: {environment: {AWS_LAMBDA_EXEC_WRAPPER: wrapper}}, ...(cache ? {layerCache: cache} : {})})
    const fresh = [said(await lint('/opt/wrapper')), said(await lint('/opt/log-shipper/extension.py'))]
    await lint('/opt/wrapper', new LayerCache({dir}))
    const widened = new LayerCache({dir})
    expect(said(await lint('/opt/log-shipper/extension.py', widened))).toEqual(fresh[1])
    // The layer holding /opt/log-shipper/extension.py is read again; the others replay.
    expect(widened.stats().layersRead).toBe(1)
    const after = new LayerCache({dir})
    expect([said(await lint('/opt/wrapper', after)), said(await lint('/opt/log-shipper/extension.py', after))]).toEqual(fresh)
    expect(after.stats()).toMatchObject({layersRead: 0, bytesRead: 0})
  })

  it('a truncated, corrupt or foreign-key cache file is ignored and replaced, never trusted', async () => {
    const dir = tmpDir('layer-cache-')
    const uncached = said(await compare(BROKEN))
    await compare(BROKEN, new LayerCache({dir}))
    const names = files(dir)
    expect(names.filter((n) => n.endsWith('.layer'))).toHaveLength(4)
    expect(names.filter((n) => n.endsWith('.hook'))).toHaveLength(8)
    for (const name of names) expect(statSync(join(dir, name)).mode & 0o777).toBe(0o600)
    expect(statSync(dir).mode & 0o777).toBe(0o700)

    const [a, b, c] = names.filter((n) => n.endsWith('.layer'))
    const hook = names.find((n) => n.endsWith('.hook'))!
    const bytes = (name: string) => readFileSync(join(dir, name))
    writeFileSync(join(dir, a), bytes(a).subarray(0, bytes(a).length - 7)) // truncated
    const flipped = bytes(b)
    flipped[flipped.length - 3] ^= 0xff // a payload byte changed
    writeFileSync(join(dir, b), flipped)
    writeFileSync(join(dir, c), bytes(names.filter((n) => n.endsWith('.layer'))[3])) // another layer's file under this one's name
    writeFileSync(join(dir, hook), 'not a cache file at all')

    const damaged = new LayerCache({dir})
    expect(said(await compare(BROKEN, damaged))).toEqual(uncached)
    expect(damaged.stats()).toMatchObject({rejected: 4, layersRead: 4})
    // Replaced: the next run trusts them again.
    const repaired = new LayerCache({dir})
    expect(said(await compare(BROKEN, repaired))).toEqual(uncached)
    expect(repaired.stats()).toMatchObject({rejected: 0, layersRead: 0})
  })

  it('a cache file whose header was rewritten to match a changed payload but names another key is refused', async () => {
    const dir = tmpDir('layer-cache-')
    await runScan({image: GOOD, layerCache: new LayerCache({dir})})
    // Another release's file: same layer, another tool version in the key.
    const other = new LayerCache({dir, toolVersion: '999.0.0'})
    await runScan({image: GOOD, layerCache: other})
    expect(other.stats()).toMatchObject({hits: 0, layersRead: 4})
    const again = new LayerCache({dir})
    await runScan({image: GOOD, layerCache: again})
    expect(again.stats()).toMatchObject({hits: 4, layersRead: 0})

    // Tampered: a payload replaced under a header recomputed for it, still naming this file's key, is
    // what an attacker with write access could do; one naming another key is refused.
    const name = files(dir).find((n) => n.endsWith('.hook'))!
    const file = readFileSync(join(dir, name))
    const newline = file.indexOf(0x0a)
    const header = JSON.parse(file.subarray(0, newline).toString()) as {key: string; bytes: number; sha256: string}
    const payload = file.subarray(newline + 1)
    const forged = {...header, key: header.key.replace('sha256:', 'sha256:0'), sha256: createHash('sha256').update(payload).digest('hex')}
    writeFileSync(join(dir, name), Buffer.concat([Buffer.from(JSON.stringify(forged) + '\n'), payload]))
    const refused = new LayerCache({dir})
    await runScan({image: GOOD, layerCache: refused})
    expect(refused.stats()).toMatchObject({rejected: 1, layersRead: 1})
  })

  it('a re-signed file of wrong-typed data, or a FIFO at a file\'s name, is a miss: never served, never a hang', async () => {
    const dir = tmpDir('layer-cache-')
    const uncached = said(await compare(BROKEN))
    await compare(BROKEN, new LayerCache({dir}))
    // What an attacker with write access to the cache directory can do: any payload, under a header
    // recomputed for it and naming the file's own key.
    const resign = (name: string, lines: unknown[]) => {
      const file = readFileSync(join(dir, name))
      const header = JSON.parse(file.subarray(0, file.indexOf(0x0a)).toString()) as {bytes: number; sha256: string}
      const payload = gzipSync(lines.map((line) => JSON.stringify(line)).join('\n'))
      const signed = {...header, bytes: payload.length, sha256: createHash('sha256').update(payload).digest('hex')}
      writeFileSync(join(dir, name), Buffer.concat([Buffer.from(JSON.stringify(signed) + '\n'), payload]))
    }
    const [a, b, c] = files(dir).filter((n) => n.endsWith('.layer'))
    resign(a, [{entries: 1, compression: 'gzip', compressedSize: '9', uncompressedSize: 0, whiteouts: []}, ['/x', 'file', 0, 0, 0, 1, 0]])
    resign(b, [{entries: 1, compression: 'gzip', compressedSize: 9, uncompressedSize: 9, whiteouts: []}, ['/x', 'file', '0644', 0, 0, 1, 0, {xattrs: {k: 1}}]])
    for (const hook of files(dir).filter((n) => n.endsWith('.hook'))) resign(hook, [{plan: {heads: 7}, paths: 'x', facts: [{head: ['x']}]}])
    rmSync(join(dir, c))
    execFileSync('mkfifo', [join(dir, c)])

    const tampered = new LayerCache({dir})
    expect(said(await compare(BROKEN, tampered))).toEqual(uncached)
    expect(tampered.stats()).toMatchObject({hits: 0, layersRead: 4})
  })

  it('a layer claiming a cached diff_id over other bytes is read, and fails as it does without a cache', async () => {
    const dir = tmpDir('layer-cache-')
    const popular = await packTar([{name: 'etc/ok', content: 'clean'}])
    const evil = await packTar([{name: 'etc/ok', content: 'AKIAIOSFODNN7EXAMPLX'}])
    const good = join(tmpDir('layer-cache-img-'), 'layout')
    writeOciLayout(good, [popular])
    const forged = join(tmpDir('layer-cache-img-'), 'layout')
    writeOciLayout(forged, [evil])
    claimDiffIds(forged, [sha256(popular)])

    const scan = async (layout: string, cache?: LayerCache) => {
      const img = await openImage(`oci:${layout}:img`)
      try {
        return await readLayers(img, {hookSpecs: [new ContentScanner().spec()], ...(cache ? {cache} : {})})
      } finally {
        await img.close()
      }
    }
    const cache = new LayerCache({dir})
    await scan(good, cache)
    const outcome = (p: Promise<unknown>) => p.then(() => 'ok', (e: {name: string; code?: string; message: string}) => ({name: e.name, code: e.code, message: e.message}))
    const without = await outcome(scan(forged))
    expect(without).toMatchObject({code: 'DIGEST_MISMATCH'})
    expect(await outcome(scan(forged, cache))).toEqual(without)
    expect(cache.stats()).toMatchObject({hits: 0, misses: 1})
    // Nothing was stored for the forged layer: still one layer file.
    expect(files(dir).filter((n) => n.endsWith('.layer'))).toHaveLength(1)
  })

  it('layers without a blob digest (a legacy docker archive) and reads with closure hooks are read every time', async () => {
    const cache = new LayerCache({dir: tmpDir('layer-cache-')})
    for (let i = 0; i < 2; i++) await runScan({image: fixture('function-image-good.docker.tar'), layerCache: cache})
    expect(cache.stats()).toMatchObject({hits: 0, misses: 8})
    for (let i = 0; i < 2; i++) {
      const img = await openImage(GOOD)
      await readLayers(img, {hooks: [new ContentScanner().hook], hookSpecs: [new ContentScanner().spec()], cache}).finally(() => img.close())
    }
    expect(cache.stats()).toMatchObject({hits: 0, misses: 16})
    expect(files(cache.dir)).toEqual([])
  })

  it('a layer served at another position takes that index: its entries, its hits; progress shows it read, onLayerDone fires', async () => {
    const leaky = await packTar([{name: 'app/.env', content: 'AWS_SECRET_ACCESS_KEY=9drTJvcXLB89EXAMPLEKEY/wJalrXUtnFEMIK7MDENG\n'}])
    const base = await packTar([{name: 'etc/os-release', content: 'ID=test\n'}])
    const alone = join(tmpDir('layer-cache-img-'), 'layout')
    writeOciLayout(alone, [leaky])
    const onTop = join(tmpDir('layer-cache-img-'), 'layout')
    writeOciLayout(onTop, [base, leaky])
    const read = async (layout: string, cache?: LayerCache) => {
      const img = await openImage(`oci:${layout}:img`)
      const scanner = new ContentScanner()
      const progress = new Map<number, [number, number | undefined]>()
      const done: number[] = []
      try {
        const layers = await readLayers(img, {
          hookSpecs: [scanner.spec()],
          onProgress: (index, bytes, total) => progress.set(index, [bytes, total]),
          onLayerDone: (contents) => done.push(contents.layer.index),
          ...(cache ? {cache} : {}),
        })
        return {entries: layers.map((l) => l.entries), scan: scanner.result(), progress: [...progress.values()], done: done.sort()}
      } finally {
        await img.close()
      }
    }
    const cache = new LayerCache({dir: tmpDir('layer-cache-')})
    await read(alone, cache)
    const fresh = await read(onTop)
    expect(fresh.scan.secrets.map((hit) => hit.layer)).toEqual([1])
    expect(await read(onTop, cache)).toEqual(fresh)
    expect(cache.stats()).toMatchObject({hits: 1, layersRead: 2})
    for (const [bytes, total] of fresh.progress) expect(bytes).toBe(total)
  })

  it('lives in LAYER_AUDIT_CACHE_DIR, else the XDG cache dir, else ~/.cache', () => {
    expect(defaultLayerCacheDir({LAYER_AUDIT_CACHE_DIR: '/x/layers', XDG_CACHE_HOME: '/c'})).toBe('/x/layers')
    expect(defaultLayerCacheDir({XDG_CACHE_HOME: '/c'})).toBe('/c/layer-audit/layers')
    expect(defaultLayerCacheDir({XDG_CACHE_HOME: 'relative'})).toMatch(/\/\.cache\/layer-audit\/layers$/)
  })

  it('two writers of the same layers at once leave valid files', async () => {
    const dir = tmpDir('layer-cache-')
    const uncached = said(await compare(BROKEN))
    await Promise.all([compare(BROKEN, new LayerCache({dir})), compare(BROKEN, new LayerCache({dir})), compare(GOOD, new LayerCache({dir}))])
    const after = new LayerCache({dir})
    expect(said(await compare(BROKEN, after))).toEqual(uncached)
    expect(after.stats()).toMatchObject({rejected: 0, layersRead: 0})
  })
})

function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`
}

/** Rewrites the layout's config to claim these diff_ids (and the manifest and index to match). */
function claimDiffIds(layout: string, diffIds: string[]): void {
  const blob = (digest: string) => join(layout, 'blobs/sha256', digest.slice('sha256:'.length))
  const put = (bytes: Buffer) => {
    const digest = sha256(bytes)
    writeFileSync(blob(digest), bytes)
    return {digest, size: bytes.length}
  }
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as {manifests: {digest: string; size: number}[]}
  const manifest = JSON.parse(readFileSync(blob(index.manifests[0].digest), 'utf8')) as {config: {digest: string; size: number}}
  const config = JSON.parse(readFileSync(blob(manifest.config.digest), 'utf8')) as {rootfs: {diff_ids: string[]}}
  config.rootfs.diff_ids = diffIds
  manifest.config = {...manifest.config, ...put(Buffer.from(JSON.stringify(config)))}
  index.manifests[0] = {...index.manifests[0], ...put(Buffer.from(JSON.stringify(manifest)))}
  writeFileSync(join(layout, 'index.json'), JSON.stringify(index))
}
