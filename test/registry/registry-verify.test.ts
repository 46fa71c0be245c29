import {createHash} from 'node:crypto'
import {cp, mkdir, mkdtemp, open, readdir, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'

import {loadImage} from '../../src/audit/load-image.js'
import {readLayers} from '../../src/fs/read-layers.js'
import {openImage, setRemoteSource} from '../../src/image/open.js'
import {RegistrySource} from '../../src/image/sources/registry/index.js'
import {startFaultProxy, type FaultProxy} from './helpers/fault-proxy.js'
import {writeOciLayout, type BuiltLayout} from './helpers/oci-layout.js'
import {skopeoPush, startRegistry, type RegistryServer} from './helpers/registry-server.js'
import {digestStream, rejection} from './helpers/streams.js'

describe('registry source through openImage: verification, cache, local paths first', () => {
  let registry: RegistryServer
  let work: string
  let layout: BuiltLayout
  let proxy: FaultProxy | undefined
  const source = new RegistrySource()

  beforeAll(async () => {
    setRemoteSource(source)
    registry = await startRegistry()
    work = await mkdtemp(join(tmpdir(), 'la-registry-verify-'))
    layout = await writeOciLayout(join(work, 'img'), [
      {
        architecture: 'amd64',
        layers: [{'opt/extensions/ext': {content: '#!/bin/sh\nexec /opt/bin/agent\n', mode: 0o755}}, {'var/task/app.py': 'def handler(e, c):\n  return 1\n'}],
      },
    ])
    await skopeoPush(`oci:${layout.dir}:latest`, `${registry.host}/test/app:v1`)
    await skopeoPush(`oci:${layout.dir}:latest`, `${registry.host}/test/corrupt:v1`)
  })

  afterEach(async () => {
    await proxy?.stop()
    proxy = undefined
  })

  afterAll(async () => {
    setRemoteSource(undefined)
    await registry?.stop()
    if (work) await rm(work, {recursive: true, force: true})
  })

  it('loads, verifies and flattens an image given as docker://REF', async () => {
    const {image, layers, tree} = await loadImage(`docker://${registry.host}/test/app:v1`, {registry: {noCache: true}, concurrency: 2})
    expect(image.source).toBe('registry')
    expect(layers.map((l) => l.compression)).toEqual(['gzip', 'gzip'])
    expect(tree.get('/opt/extensions/ext')?.mode).toBe(0o755)
    expect(tree.get('/var/task/app.py')).toBeDefined()
  })

  it('reports a corrupted blob in the registry storage as a digest error naming the layer', async () => {
    // Flip the gzip header's mtime: the registry serves the blob as is, it still inflates to the same
    // tar, and only the stored-digest check can notice.
    const digest = layout.images[0].layerDigests[1]
    const file = await open(registry.blobPath(digest), 'r+')
    try {
      await file.write(Buffer.from([0xde, 0xad, 0xbe, 0xef]), 0, 4, 4)
    } finally {
      await file.close()
    }
    const image = await openImage(`${registry.host}/test/corrupt:v1`, {registry: {noCache: true}})
    const error = await rejection(readLayers(image))
    expect(error.name).toBe('DigestMismatchError')
    expect(error.code).toBe('DIGEST_MISMATCH')
    expect(error.line).toContain(`${registry.host}/test/corrupt:v1: layer 1 (${digest.slice(0, 19)}…)`)
    await image.close()

    // Damage inside the deflate stream breaks inflating first, but the cause is the blob: the rest of
    // it is still hashed, and the digest mismatch is what is reported, not the broken gzip.
    const again = await open(registry.blobPath(digest), 'r+')
    try {
      const {size} = await again.stat()
      await again.write(Buffer.from('CORRUPTED!'), 0, 10, Math.floor(size / 2))
    } finally {
      await again.close()
    }
    const broken = await rejection(loadImage(`${registry.host}/test/corrupt:v1`, {registry: {noCache: true}}))
    expect(broken.name).toBe('DigestMismatchError')
    expect(broken.line).toMatch(new RegExp(`^${registry.host}/test/corrupt:v1: layer 1 \\(${digest.slice(0, 19)}…\\) blob: digest mismatch, expected ${digest}, got sha256:[0-9a-f]{64}$`))
  })

  it('prefers an existing local path over a reference of the same spelling', async () => {
    const cwd = process.cwd()
    const local = join(work, 'cwd')
    await mkdir(join(local, 'localhost:5999/team'), {recursive: true})
    await cp(layout.dir, join(local, 'localhost:5999/team/app'), {recursive: true})
    process.chdir(local)
    try {
      const image = await openImage('localhost:5999/team/app', {})
      expect(image.source).not.toBe('registry')
      await image.close()
      const missing = await rejection(openImage('./absent-image.tar', {}))
      expect(missing.line).toBe('./absent-image.tar: no such file, and not an image reference')
    } finally {
      process.chdir(cwd)
    }
  })

  it('caches manifests and configs by digest, verified, and drops a tampered cache file', async () => {
    const cacheDir = join(work, 'cache-docs')
    proxy = await startFaultProxy(registry.port, () => ({kind: 'pass'}))
    const byDigest = `${proxy.host}/test/app@${layout.images[0].manifestDigest}`
    await openImage(byDigest, {registry: {cacheDir}})
    const cached = await readdir(join(cacheDir, 'blobs/sha256'))
    expect(cached.sort()).toEqual([layout.images[0].manifestDigest, layout.images[0].configDigest].map((d) => d.slice(7)).sort())
    for (const hex of cached) {
      const data = await readFile(join(cacheDir, 'blobs/sha256', hex))
      expect(createHash('sha256').update(data).digest('hex')).toBe(hex)
    }
    const before = proxy.requests.length
    await openImage(byDigest, {registry: {cacheDir}})
    expect(proxy.requests.slice(before).filter((r) => r.path.includes('/manifests/') || r.path.includes('/blobs/'))).toEqual([])

    await writeFile(join(cacheDir, 'blobs/sha256', layout.images[0].configDigest.slice(7)), '{"tampered":true}')
    const image = await openImage(byDigest, {registry: {cacheDir}})
    expect(image.configDigest).toBe(layout.images[0].configDigest)
    expect(proxy.requests.at(-1)?.path).toContain(`/blobs/${layout.images[0].configDigest}`)
  })

  it('keeps layers with cacheLayers only once fully read and verified, and serves them from the cache after', async () => {
    const cacheDir = join(work, 'cache-layers')
    proxy = await startFaultProxy(registry.port, () => ({kind: 'pass'}))
    const ref = `${proxy.host}/test/app:v1`
    const layerDigest = layout.images[0].layerDigests[0]
    const first = await openImage(ref, {registry: {cacheDir, cacheLayers: true}})
    // A reader that stops early leaves nothing behind.
    const partial = await first.openLayer(first.layers[0])
    await new Promise((resolve) => partial.once('readable', resolve))
    partial.destroy()
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect((await readdir(join(cacheDir, 'blobs/sha256'))).filter((f) => f.startsWith(layerDigest.slice(7)))).toEqual([])

    expect((await digestStream(await first.openLayer(first.layers[0]))).digest).toBe(layerDigest)
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(await readdir(join(cacheDir, 'blobs/sha256'))).toContain(layerDigest.slice(7))

    const blobGets = () => proxy!.requests.filter((r) => r.path.endsWith(`/blobs/${layerDigest}`)).length
    const fetched = blobGets()
    const progress: number[] = []
    const second = await openImage(ref, {registry: {cacheDir, cacheLayers: true, onProgress: (_i: number, bytes: number) => progress.push(bytes)}})
    expect((await digestStream(await second.openLayer(second.layers[0]))).digest).toBe(layerDigest)
    expect(blobGets()).toBe(fetched)
    expect(progress.at(-1)).toBe(layout.images[0].layerSizes[0])
  })
})
