/** Every local source, on archives made by umoci, skopeo and GNU tar in a temp dir. */
import {createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {gzipSync} from 'node:zlib'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {openImage, openStream} from '../../src/image/index.js'
import {errorOf, layerTar, readAllLayers, run, sha256, tempDir} from './helpers.js'

const tmp = tempDir()
afterAll(() => tmp.cleanup())
const at = (...parts: string[]): string => join(tmp.path, ...parts)

/** umoci image with two layers, then skopeo copies of it as docker-archive and oci-archive. */
beforeAll(() => {
  const src = at('src')
  mkdirSync(join(src, 'opt', 'extensions'), {recursive: true})
  writeFileSync(join(src, 'opt', 'extensions', 'ext'), '#!/bin/sh\necho ext\n', {mode: 0o755})
  run('umoci', ['init', '--layout', at('oci')])
  run('umoci', ['new', '--image', `${at('oci')}:t`])
  run('umoci', ['insert', '--rootless', '--image', `${at('oci')}:t`, join(src, 'opt'), '/opt'])
  run('umoci', ['insert', '--rootless', '--image', `${at('oci')}:t`, join(src, 'opt', 'extensions', 'ext'), '/var/task/app.py'])
  run('umoci', ['config', '--image', `${at('oci')}:t`, '--config.cmd', 'app.handler'])
  run('skopeo', ['--insecure-policy', 'copy', `oci:${at('oci')}:t`, `docker-archive:${at('skopeo-docker.tar')}:repo/app:1`])
  run('skopeo', ['--insecure-policy', 'copy', `oci:${at('oci')}:t`, `oci-archive:${at('skopeo-oci.tar')}:t`])
  writeFileSync(at('skopeo-docker.tar.gz'), gzipSync(readFileSync(at('skopeo-docker.tar'))))
}, 120_000)

describe('OCI layout directory (umoci)', () => {
  it('opens by content and with oci:DIR:REF, and every layer verifies', async () => {
    for (const input of [at('oci'), `oci:${at('oci')}:t`, `oci:${at('oci')}`]) {
      const image = await openImage(input)
      expect(image.source).toBe('oci-layout')
      expect(image.layers).toHaveLength(2)
      expect(image.config.config?.Cmd).toEqual(['app.handler'])
      expect(image.platform.os).toBe('linux')
      expect(image.manifest.digest).toMatch(/^sha256:/)
      const read = await readAllLayers(image)
      expect(read.map((r) => r.compression)).toEqual(['gzip', 'gzip'])
      await image.close()
    }
  })
  it('names the refs when the ref is unknown', async () => {
    const error = await errorOf(openImage(`oci:${at('oci')}:nope`))
    expect(error.code).toBe('NOT_FOUND')
    expect(error.message).toContain('refs: t')
  })
})

describe('skopeo archives', () => {
  it('reads skopeo docker-archives (layer.tar symlinks) with the same diff_ids as the source', async () => {
    const oci = await openImage(at('oci'))
    const image = await openImage(at('skopeo-docker.tar'))
    expect(image.source).toBe('docker-archive')
    expect(image.name).toMatch(/(^|\/)repo\/app:1$/) // skopeo writes docker.io/repo/app:1
    expect(image.layers.map((l) => l.diffId)).toEqual(oci.layers.map((l) => l.diffId))
    expect(image.configDigest).toBe(oci.configDigest)
    expect((await readAllLayers(image)).map((r) => r.compression)).toEqual(['none', 'none'])
  })
  it('reads skopeo oci-archives, by content and with oci-archive:PATH:REF', async () => {
    for (const input of [at('skopeo-oci.tar'), `oci-archive:${at('skopeo-oci.tar')}:t`]) {
      const image = await openImage(input)
      expect(image.source).toBe('oci-archive')
      expect(image.layers).toHaveLength(2)
      await readAllLayers(image)
    }
    expect((await errorOf(openImage(`oci-archive:${at('skopeo-oci.tar')}:x`))).code).toBe('NOT_FOUND')
  })
  it('reads `docker save | gzip` archives, and the same bytes from a stream (stdin)', async () => {
    const image = await openImage(at('skopeo-docker.tar.gz'))
    expect(image.source).toBe('docker-archive')
    expect((await readAllLayers(image)).length).toBe(2)
    const before = readdirSync(tmpdir()).filter((n) => n.startsWith('layer-audit-stdin-')).length
    const piped = await openStream(createReadStream(at('skopeo-docker.tar.gz')))
    expect(piped.reference).toBe('-')
    expect(piped.configDigest).toBe(image.configDigest)
    await readAllLayers(piped)
    await piped.close()
    expect(readdirSync(tmpdir()).filter((n) => n.startsWith('layer-audit-stdin-')).length).toBe(before)
  })
})

/** A docker save legacy layout written with GNU tar: two images, long member names, one gzip layer. */
describe('docker save legacy layout (GNU tar)', () => {
  const layers = [layerTar({'opt/a.txt': 'a'}), layerTar({'opt/b.txt': 'b'})]
  const long = `${'d'.repeat(90)}/${'e'.repeat(40)}`
  beforeAll(() => {
    const root = at('legacy')
    mkdirSync(root, {recursive: true})
    const entries = []
    for (const [i, tag] of ['repo/a:1', 'repo/b:2'].entries()) {
      const config = JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        rootfs: {type: 'layers', diff_ids: [sha256(layers[0]!), sha256(layers[1]!)]},
        history: [{created_by: 'ADD a'}, {created_by: 'CMD x', empty_layer: true}, {created_by: `ADD b${i}`}],
      })
      const configName = `${sha256(Buffer.from(config)).slice(7)}.json`
      writeFileSync(join(root, configName), config, {flag: 'w'})
      entries.push({Config: configName, RepoTags: [tag], Layers: ['l0/layer.tar', `${long}/layer.tar`]})
    }
    writeFileSync(join(root, 'manifest.json'), JSON.stringify(entries))
    writeFileSync(join(root, 'repositories'), '{}')
    for (const [i, dir] of ['l0', long].entries()) {
      mkdirSync(join(root, dir), {recursive: true})
      writeFileSync(join(root, dir, 'layer.tar'), i === 1 ? gzipSync(layers[1]!) : layers[0]!)
    }
    for (const format of ['gnu', 'pax'] as const) {
      run('tar', ['--format', format, '-cf', at(`legacy-${format}.tar`), '-C', root, '.'])
    }
  })
  it('lists the tags when several images are in the archive', async () => {
    const error = await errorOf(openImage(at('legacy-gnu.tar')))
    expect(error.code).toBe('AMBIGUOUS')
    expect(error.message).toContain('repo/a:1')
    expect(error.message).toContain('repo/b:2')
    expect((await errorOf(openImage(at('legacy-gnu.tar'), {image: 'repo/c:3'}))).code).toBe('NOT_FOUND')
  })
  it('opens each image by tag (GNU long names and PAX), aligning history past empty_layer entries', async () => {
    for (const format of ['gnu', 'pax']) {
      const image = await openImage(at(`legacy-${format}.tar`), {image: 'docker.io/repo/b:2'})
      expect(image.name).toBe('docker.io/repo/b:2')
      expect(image.layers.map((l) => l.history?.created_by)).toEqual(['ADD a', 'ADD b1'])
      expect((await readAllLayers(image)).map((r) => r.compression)).toEqual(['none', 'gzip'])
    }
    const viaPrefix = await openImage(`docker-archive:${at('legacy-gnu.tar')}:repo/a:1`)
    expect(viaPrefix.name).toBe('repo/a:1')
  })
  it('reports a layer whose bytes do not match its diff_id, naming the layer', async () => {
    const root = at('legacy')
    writeFileSync(join(root, 'l0', 'layer.tar'), layerTar({'opt/a.txt': 'tampered'}))
    run('tar', ['-cf', at('legacy-bad.tar'), '-C', root, '.'])
    writeFileSync(join(root, 'l0', 'layer.tar'), layers[0]!)
    const image = await openImage(at('legacy-bad.tar'), {image: 'repo/a:1'})
    const error = await errorOf(readAllLayers(image))
    expect(error.code).toBe('DIGEST_MISMATCH')
    expect(error.message).toMatch(/^layer 0 \(sha256:[a-f0-9]{12}…\)/)
    expect(error.input).toBe(at('legacy-bad.tar'))
  })
  it('reports a broken gzip layer as CORRUPT, naming the layer', async () => {
    const root = at('legacy')
    const gz = gzipSync(layers[1]!)
    renameSync(join(root, long, 'layer.tar'), at('layer-good.gz'))
    writeFileSync(join(root, long, 'layer.tar'), gz.subarray(0, gz.length - 20))
    run('tar', ['-cf', at('legacy-broken.tar'), '-C', root, '.'])
    renameSync(at('layer-good.gz'), join(root, long, 'layer.tar'))
    const image = await openImage(at('legacy-broken.tar'), {image: 'repo/a:1'})
    const error = await errorOf(readAllLayers(image))
    expect(error.code).toBe('CORRUPT')
    expect(error.message).toMatch(/^layer 1 .*gzip/)
  })
  it('rejects a truncated archive', async () => {
    const whole = readFileSync(at('legacy-gnu.tar'))
    writeFileSync(at('truncated.tar'), whole.subarray(0, 4096 + 300))
    const error = await errorOf(openImage(at('truncated.tar')))
    expect(error.code).toBe('CORRUPT')
    expect(error.message).toContain('truncated')
  })
})

describe('detection and input errors', () => {
  it('says "no such file" for a missing path', async () => {
    const error = await errorOf(openImage(at('nope.tar')))
    expect([error.code, error.message, error.input]).toEqual(['NOT_FOUND', 'no such file, and not an image reference', at('nope.tar')])
  })
  it('calls a plain filesystem tar, random bytes and a non-layout directory UNKNOWN_FORMAT', async () => {
    writeFileSync(at('rootfs.tar'), layerTar({'README.md': 'x'}))
    writeFileSync(at('random.bin'), Buffer.alloc(3000, 7))
    mkdirSync(at('plain-dir'))
    for (const input of [at('rootfs.tar'), at('random.bin'), at('plain-dir')]) {
      expect((await errorOf(openImage(input))).code).toBe('UNKNOWN_FORMAT')
    }
    expect((await errorOf(openImage(at('rootfs.tar')))).message).toBe(
      'not an image archive: no manifest.json or index.json (a plain filesystem tar?)',
    )
  })
  it('caps JSON documents before parsing them', async () => {
    const error = await errorOf(openImage(at('oci'), {maxJsonBytes: 64}))
    expect(error.code).toBe('TOO_LARGE')
  })
  it('finds a layer blob missing from a layout at open time', async () => {
    run('cp', ['-r', at('oci'), at('oci-missing')])
    const image = await openImage(at('oci-missing'))
    const blob = join(at('oci-missing'), 'blobs', 'sha256', image.layers[1]!.digest!.slice(7))
    run('rm', [blob])
    expect(existsSync(blob)).toBe(false)
    const error = await errorOf(openImage(at('oci-missing')))
    expect(error.code).toBe('NOT_FOUND')
    expect(error.message).toContain('layer 1')
  })
})
