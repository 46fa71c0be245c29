import {randomBytes} from 'node:crypto'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'

import {readLayers} from '../../src/fs/read-layers.js'
import {RegistrySource} from '../../src/image/sources/registry/index.js'
import {startFaultProxy, type Fault, type FaultProxy, type SeenRequest} from './helpers/fault-proxy.js'
import {writeOciLayout, type BuiltLayout} from './helpers/oci-layout.js'
import {skopeoPush, startRegistry, type RegistryServer} from './helpers/registry-server.js'
import {digestStream, rejection} from './helpers/streams.js'

describe('registry source: retries, resumes and backoff through a faulty proxy', () => {
  let registry: RegistryServer
  let work: string
  let layout: BuiltLayout
  let proxy: FaultProxy | undefined
  const source = new RegistrySource()
  const fast = {noCache: true, retry: {attempts: 4, baseDelayMs: 20, maxDelayMs: 50}}
  const isBlob = (req: SeenRequest, digest: string) => req.method === 'GET' && req.path.endsWith(`/blobs/${digest}`)
  const isManifest = (req: SeenRequest) => req.path.includes('/manifests/')

  beforeAll(async () => {
    registry = await startRegistry()
    work = await mkdtemp(join(tmpdir(), 'la-registry-faults-'))
    // Random bytes do not compress: the layer blob is about 1 MiB, several TCP chunks.
    layout = await writeOciLayout(join(work, 'big'), [{architecture: 'amd64', layers: [{'opt/blob.bin': randomBytes(1024 * 1024)}]}])
    await skopeoPush(`oci:${layout.dir}:latest`, `${registry.host}/test/big:v1`)
  })

  afterEach(async () => {
    await proxy?.stop()
    proxy = undefined
  })

  afterAll(async () => {
    await registry?.stop()
    if (work) await rm(work, {recursive: true, force: true})
  })

  async function through(decide: (req: SeenRequest, seen: SeenRequest[]) => Fault): Promise<string> {
    proxy = await startFaultProxy(registry.port, decide)
    return `${proxy.host}/test/big:v1`
  }

  it('resumes a layer cut mid-stream with Range from the last byte received', async () => {
    const layerDigest = layout.images[0].layerDigests[0]
    let cuts = 0
    const ref = await through((req) => (isBlob(req, layerDigest) && cuts++ === 0 ? {kind: 'cut', afterBytes: 300_000} : {kind: 'pass'}))
    const image = await source.open(ref, {registry: fast})
    const {digest, size} = await digestStream(await image.openLayer(image.layers[0]))
    expect(digest).toBe(layerDigest)
    expect(size).toBe(layout.images[0].layerSizes[0])
    const blobRequests = proxy!.requests.filter((r) => isBlob(r, layerDigest))
    expect(blobRequests.map((r) => r.range)).toEqual([undefined, 'bytes=300000-'])
  })

  it('still gets the whole blob right when the server ignores Range and starts over', async () => {
    const layerDigest = layout.images[0].layerDigests[0]
    let cuts = 0
    const ref = await through((req) => {
      if (!isBlob(req, layerDigest)) return {kind: 'pass'}
      return cuts++ === 0 ? {kind: 'cut', afterBytes: 123_457} : {kind: 'ignore-range'}
    })
    const image = await source.open(ref, {registry: fast})
    const {digest} = await digestStream(await image.openLayer(image.layers[0]))
    expect(digest).toBe(layerDigest)
  })

  it('times out a stalled body and resumes it', async () => {
    const layerDigest = layout.images[0].layerDigests[0]
    let stalls = 0
    const ref = await through((req) => (isBlob(req, layerDigest) && stalls++ === 0 ? {kind: 'stall', afterBytes: 200_000} : {kind: 'pass'}))
    const image = await source.open(ref, {registry: {...fast, timeoutMs: 400}})
    const {digest} = await digestStream(await image.openLayer(image.layers[0]))
    expect(digest).toBe(layerDigest)
    expect(proxy!.requests.filter((r) => isBlob(r, layerDigest)).map((r) => r.range)).toEqual([undefined, 'bytes=200000-'])
  })

  it('a body that stalls every time is named as a stall, not as a reset, and given up after two stalls whatever the retry budget', async () => {
    const layerDigest = layout.images[0].layerDigests[0]
    const ref = await through((req) => (isBlob(req, layerDigest) ? {kind: 'stall', afterBytes: 1000} : {kind: 'pass'}))
    const image = await source.open(ref, {registry: {...fast, timeoutMs: 300, retry: {attempts: 5, baseDelayMs: 10}}})
    const error = await rejection(digestStream(await image.openLayer(image.layers[0])))
    expect(error.code).toBe('NETWORK')
    expect(error.line).toMatch(/: stalled \(no data for 300 ms\) after 2000 of \d+ bytes \(ETIMEDOUT; 2 attempts\)$/)
  })

  it('a manifest request that stalls every time fails after two stalls, naming the stall', async () => {
    const ref = await through((req) => (isManifest(req) ? {kind: 'stall', afterBytes: 0} : {kind: 'pass'}))
    const started = Date.now()
    const error = await rejection(source.open(ref, {registry: {...fast, timeoutMs: 300, retry: {attempts: 5, baseDelayMs: 10}}}))
    expect(error.code).toBe('NETWORK')
    expect(error.line).toMatch(/no data for 300 ms/)
    expect(proxy!.requests.filter(isManifest).length).toBe(2)
    expect(Date.now() - started).toBeLessThan(5000)
  })

  it('gives up on a layer after the retry budget with a one-line error naming the layer', async () => {
    const layerDigest = layout.images[0].layerDigests[0]
    const ref = await through((req) => (isBlob(req, layerDigest) ? {kind: 'cut', afterBytes: 1000} : {kind: 'pass'}))
    const image = await source.open(ref, {registry: {...fast, retry: {attempts: 2, baseDelayMs: 10}}})
    const error = await rejection(digestStream(await image.openLayer(image.layers[0])))
    expect(error.code).toBe('NETWORK')
    expect(error.line).toMatch(new RegExp(`^${ref}: layer 0 \\(sha256:[0-9a-f]{12}…\\): connection lost after 2000 of \\d+ bytes \\(ECONNRESET; 2 attempts\\)$`))
  })

  it('reads a body longer than the descriptor to size + 1 bytes only, and reports the size', async () => {
    const layerDigest = layout.images[0].layerDigests[0]
    const size = layout.images[0].layerSizes[0]
    const ref = await through((req) => (isBlob(req, layerDigest) ? {kind: 'append', bytes: 100_000} : {kind: 'pass'}))
    const image = await source.open(ref, {registry: fast})
    expect((await digestStream(await image.openLayer(image.layers[0]))).size).toBe(size + 1)
    const error = await rejection(readLayers(image, {workers: false}))
    expect(error.code).toBe('CORRUPT')
    expect(error.line).toBe(`${ref}: layer 0 (${layerDigest.slice(0, 19)}…): blob is longer than the ${size} bytes the manifest says`)
  })

  it('stops an endless body at once with the size error, its memory bounded', async () => {
    const layerDigest = layout.images[0].layerDigests[0]
    const ref = await through((req) => (isBlob(req, layerDigest) ? {kind: 'append', bytes: 'endless'} : {kind: 'pass'}))
    const image = await source.open(ref, {registry: fast})
    const started = Date.now()
    const error = await rejection(readLayers(image, {workers: false}))
    expect(Date.now() - started).toBeLessThan(5000)
    expect(error.line).toMatch(/: layer 0 \(sha256:[0-9a-f]{12}…\): blob is longer than the \d+ bytes the manifest says$/)
    // The connection was dropped: the server could only fill the socket buffers, and has stopped writing.
    await new Promise((resolve) => setTimeout(resolve, 200))
    const appended = proxy!.appended()
    expect(appended).toBeLessThan(16 << 20)
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(proxy!.appended()).toBe(appended)
  })

  it('reports a blob the registry serves whole but short as a digest mismatch, without resuming it', async () => {
    const layerDigest = layout.images[0].layerDigests[0]
    const ref = await through((req) => (isBlob(req, layerDigest) ? {kind: 'short', bytes: 300_000} : {kind: 'pass'}))
    const image = await source.open(ref, {registry: fast})
    const error = await rejection(readLayers(image, {workers: false}))
    expect(error.name).toBe('DigestMismatchError')
    expect(error.line).toMatch(new RegExp(`^${ref}: layer 0 \\(${layerDigest.slice(0, 19)}…\\) blob: digest mismatch, expected ${layerDigest}, got sha256:`))
    expect(proxy!.requests.filter((r) => isBlob(r, layerDigest)).map((r) => r.range)).toEqual([undefined])
  })

  it('backs off on 429 as long as Retry-After says', async () => {
    let limited = 0
    const ref = await through((req) => (isManifest(req) && limited++ === 0 ? {kind: 'status', status: 429, retryAfter: '1'} : {kind: 'pass'}))
    const image = await source.open(ref, {registry: fast})
    expect(image.layers).toHaveLength(1)
    const manifests = proxy!.requests.filter(isManifest)
    expect(manifests).toHaveLength(2)
    expect(manifests[1].at - manifests[0].at).toBeGreaterThanOrEqual(950)
  })

  it('retries 503 with exponential backoff, then reports a persistent 429 in one line', async () => {
    let failures = 0
    const ref = await through((req) => (isManifest(req) && failures++ < 2 ? {kind: 'status', status: 503} : {kind: 'pass'}))
    await source.open(ref, {registry: fast})
    expect(proxy!.requests.filter(isManifest)).toHaveLength(3)
    await proxy!.stop()

    const limitedRef = await through((req) => (isManifest(req) ? {kind: 'status', status: 429, retryAfter: '0'} : {kind: 'pass'}))
    const error = await rejection(source.open(limitedRef, {registry: {...fast, retry: {attempts: 3, baseDelayMs: 10}}}))
    expect(error.line).toBe(`${limitedRef}: tag v1: rate limited by ${proxy!.host} (429) after 3 attempts`)
    expect(proxy!.requests.filter(isManifest)).toHaveLength(3)
  })
})
