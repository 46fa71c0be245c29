import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {RegistrySource} from '../../src/image/sources/registry/index.js'
import {writeOciLayout, type BuiltLayout} from './helpers/oci-layout.js'
import {skopeoPush, startRegistry, type RegistryServer} from './helpers/registry-server.js'
import {digestStream, rejection} from './helpers/streams.js'

describe('registry source against docker-registry on loopback', () => {
  let registry: RegistryServer
  let work: string
  let single: BuiltLayout
  let multi: BuiltLayout
  const source = new RegistrySource()
  const options = () => ({registry: {cacheDir: join(work, 'cache')}})

  beforeAll(async () => {
    registry = await startRegistry()
    work = await mkdtemp(join(tmpdir(), 'la-registry-test-'))
    single = await writeOciLayout(join(work, 'single'), [
      {architecture: 'amd64', layers: [{'opt/extensions/ext': {content: '#!/bin/sh\necho hi\n', mode: 0o755}}, {'var/task/app.py': 'print(1)\n'}]},
    ])
    multi = await writeOciLayout(
      join(work, 'multi'),
      [
        {architecture: 'amd64', layers: [{'opt/arch': 'amd64\n'}]},
        {architecture: 'arm64', variant: 'v8', layers: [{'opt/arch': 'arm64\n'}]},
      ],
      {attestations: true},
    )
    await skopeoPush(`oci:${single.dir}:latest`, `${registry.host}/test/app:v1`)
    await skopeoPush(`oci:${multi.dir}:latest`, `${registry.host}/test/multi:v1`, {all: true})
  })

  afterAll(async () => {
    await registry?.stop()
    if (work) await rm(work, {recursive: true, force: true})
  })

  it('opens a pushed image by tag: manifest, config, layers and their raw blobs', async () => {
    const image = await source.open(`docker://${registry.host}/test/app:v1`, options())
    expect(image.source).toBe('registry')
    expect(image.manifest.digest).toBe(single.images[0].manifestDigest)
    expect(image.configDigest).toBe(single.images[0].configDigest)
    expect(image.platform).toEqual({os: 'linux', architecture: 'amd64'})
    expect(image.layers.map((l) => l.digest)).toEqual(single.images[0].layerDigests)
    expect(image.layers.map((l) => l.diffId)).toEqual(single.images[0].diffIds)
    expect(image.layers[1].history?.created_by).toBe('layer 1')
    for (const layer of image.layers) {
      const {digest, size} = await digestStream(await image.openLayer(layer))
      expect(digest).toBe(layer.digest)
      expect(size).toBe(layer.size)
    }
    await image.close()
  })

  it('opens by digest without a scheme prefix and reports progress per layer', async () => {
    const seen = new Map<number, number>()
    const image = await source.open(`${registry.host}/test/app@${single.images[0].manifestDigest}`, {
      registry: {noCache: true, onProgress: (index: number, bytes: number) => seen.set(index, bytes)},
    })
    for (const layer of image.layers) await digestStream(await image.openLayer(layer))
    expect([...seen.entries()]).toEqual(image.layers.map((l) => [l.index, l.size]))
  })

  it('selects a platform from a multi-platform index and keeps its attestation aside', async () => {
    const amd64 = await source.open(`${registry.host}/test/multi:v1`, options())
    expect(amd64.platform.architecture).toBe('amd64')
    expect(amd64.indexes).toHaveLength(1)
    expect(amd64.indexes[0].digest).toBe(multi.topDigest)
    expect(amd64.attestations.map((a) => a.digest)).toEqual([multi.attestationDigests[0]])
    const arm64 = await source.open(`${registry.host}/test/multi:v1`, {...options(), platform: 'linux/arm64'})
    expect(arm64.platform).toEqual({os: 'linux', architecture: 'arm64', variant: 'v8'})
    expect(arm64.manifest.digest).toBe(multi.images[1].manifestDigest)
    expect(arm64.attestations.map((a) => a.digest)).toEqual([multi.attestationDigests[1]])
    const attestation = await arm64.readBlob(arm64.attestations[0])
    expect(JSON.parse(attestation.toString()).layers[0].mediaType).toBe('application/vnd.in-toto+json')
    const error = await rejection(source.open(`${registry.host}/test/multi:v1`, {...options(), platform: 'linux/s390x'}))
    expect(error.message).toMatch(/no image for platform linux\/s390x; available: linux\/amd64, linux\/arm64\/v8/)
  })

  it('names a missing tag and a missing repository in one line', async () => {
    const tag = await rejection(source.open(`${registry.host}/test/app:nope`, options()))
    expect(tag.code).toBe('NOT_FOUND')
    expect(tag.line).toBe(`${registry.host}/test/app:nope: image not found: no tag nope in ${registry.host}/test/app`)
    const repo = await rejection(source.open(`${registry.host}/test/absent:v1`, options()))
    expect(repo.code).toBe('NOT_FOUND')
    // The registry answers MANIFEST_UNKNOWN for the tag; its tag list's NAME_UNKNOWN says the repository is what is missing.
    expect(repo.line).toBe(`${registry.host}/test/absent:v1: repository test/absent not found on ${registry.host}`)
  })

  it('refuses an unreachable registry with a NETWORK error and no URL', async () => {
    const error = await rejection(source.open('127.0.0.1:9/x/y:1', {registry: {noCache: true, retry: {attempts: 1}}}))
    expect(error.code).toBe('NETWORK')
    expect(error.line).toBe('127.0.0.1:9/x/y:1: cannot reach registry 127.0.0.1:9: connection refused')
  })
})
