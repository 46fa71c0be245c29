/** Index shapes from BuildKit/containerd/Docker 25, written blob by blob: platforms, attestations, refs. */
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {openImage} from '../../src/image/index.js'
import {OciLayoutBuilder, errorOf, layerTar, readAllLayers, run, tempDir, withRef} from './helpers.js'

const tmp = tempDir()
afterAll(() => tmp.cleanup())
let n = 0
const layout = (): OciLayoutBuilder => new OciLayoutBuilder(join(tmp.path, `layout-${n++}`))
const tar = (name: string): Buffer => layerTar({[`opt/${name}`]: name})

function attestation(b: OciLayoutBuilder, of: string) {
  return b.json({schemaVersion: 2, config: {}, layers: []}, 'application/vnd.oci.image.manifest.v1+json', {
    platform: {os: 'unknown', architecture: 'unknown'},
    annotations: {'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': of},
  })
}

describe('platform selection in a nested multi-platform index', () => {
  const b = layout()
  const amd64 = b.image({layers: [{tar: tar('amd64')}]})
  const arm64 = b.image({layers: [{tar: tar('arm64')}], platform: {os: 'linux', architecture: 'arm64', variant: 'v8'}})
  const armv7 = b.image({layers: [{tar: tar('armv7')}], platform: {os: 'linux', architecture: 'arm', variant: 'v7'}})
  const att = attestation(b, amd64.digest)
  b.writeIndex([withRef(b.index([amd64, arm64, armv7, att]), 'latest')])

  it('defaults to linux/amd64 and attaches its attestation, never choosing it', async () => {
    const image = await openImage(b.dir)
    expect(image.manifest.digest).toBe(amd64.digest)
    expect(image.platform).toEqual({os: 'linux', architecture: 'amd64'})
    expect(image.attestations.map((a) => a.digest)).toEqual([att.digest])
    expect(image.indexes).toHaveLength(2)
    await readAllLayers(image)
  })
  it('matches arm64 to arm64/v8 and arm/v7 exactly', async () => {
    expect((await openImage(b.dir, {platform: 'linux/arm64'})).manifest.digest).toBe(arm64.digest)
    expect((await openImage(`oci:${b.dir}:latest`, {platform: 'linux/arm/v7'})).manifest.digest).toBe(armv7.digest)
  })
  it('lists the platforms when the requested one is absent', async () => {
    const error = await errorOf(openImage(b.dir, {platform: 'linux/ppc64le'}))
    expect(error.code).toBe('NOT_FOUND')
    expect(error.message).toContain('linux/amd64')
    expect(error.message).toContain('linux/arm64/v8')
    expect(error.message).not.toContain('unknown')
  })
})

describe('containerd saves: only one platform has blobs', () => {
  const b = layout()
  const amd64 = b.image({layers: [{tar: tar('amd64')}]})
  const arm64 = b.image({layers: [{tar: tar('arm64')}], platform: {os: 'linux', architecture: 'arm64', variant: 'v8'}})
  b.writeIndex([b.index([amd64, arm64])])
  b.remove(amd64)

  it('picks the platform that is present, and explains an explicit request for the missing one', async () => {
    expect((await openImage(b.dir)).platform.architecture).toBe('arm64')
    const error = await errorOf(openImage(b.dir, {platform: 'linux/amd64'}))
    expect(error.code).toBe('NOT_FOUND')
    expect(error.message).toContain('blob is missing')
  })
})

describe('no default platform', () => {
  const b = layout()
  b.writeIndex([
    b.image({layers: [{tar: tar('a')}], platform: {os: 'linux', architecture: 'arm64'}}),
    b.image({layers: [{tar: tar('b')}], platform: {os: 'linux', architecture: 's390x'}}),
  ])
  it('is AMBIGUOUS and lists the platforms', async () => {
    const error = await errorOf(openImage(b.dir))
    expect(error.code).toBe('AMBIGUOUS')
    expect(error.message).toContain('linux/arm64, linux/s390x')
  })
})

describe('unsupported documents', () => {
  it('rejects Docker schema 1', async () => {
    const b = layout()
    b.writeIndex([b.json({schemaVersion: 1, name: 'x', fsLayers: []}, 'application/vnd.docker.distribution.manifest.v1+prettyjws')])
    const error = await errorOf(openImage(b.dir))
    expect([error.code, error.name]).toEqual(['UNSUPPORTED', 'UnsupportedMediaTypeError'])
  })
  it('rejects an index of unknown media types', async () => {
    const b = layout()
    b.writeIndex([b.json({}, 'application/badmedia+json')])
    expect((await errorOf(openImage(b.dir))).code).toBe('UNSUPPORTED')
  })
  it('rejects an artifact whose config is not an image config', async () => {
    const b = layout()
    const config = b.json({}, 'application/vnd.cncf.helm.config.v1+json')
    b.writeIndex([b.json({schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config, layers: []}, 'application/vnd.oci.image.manifest.v1+json')])
    expect((await errorOf(openImage(b.dir))).code).toBe('UNSUPPORTED')
  })
  it('reports a manifest blob whose digest is wrong', async () => {
    const b = layout()
    const m = b.image({layers: [{tar: tar('x')}]})
    writeFileSync(join(b.dir, 'blobs', 'sha256', m.digest.slice(7)), JSON.stringify({changed: true}))
    b.writeIndex([m])
    expect((await errorOf(openImage(b.dir))).code).toBe('DIGEST_MISMATCH')
  })
})

describe('layer encodings', () => {
  it('reads zstd (several frames), multi-member gzip and data after the tar end marker, all verified', async () => {
    const b = layout()
    const t = tar('z')
    // eStargz-like: a tar, then more bytes after its end-of-archive marker; the diff_id covers both.
    const withTail = Buffer.concat([t, layerTar({'stargz.index.json': '{}'})])
    const zstdTwoFrames = Buffer.concat([run('zstd', ['-q', '-c'], {input: t.subarray(0, 1024)}), run('zstd', ['-q', '-c'], {input: t.subarray(1024)})])
    const m = b.image({layers: [{tar: t, compression: 'zstd'}, {tar: withTail, compression: 'gzip'}, {tar: t, compression: 'none'}]})
    // Swap layer 0 for the two-frame zstd encoding of the same tar.
    const manifest = JSON.parse(readFileSync(join(b.dir, 'blobs', 'sha256', m.digest.slice(7)), 'utf8'))
    const zstdBlob = b.blob(zstdTwoFrames, 'application/vnd.oci.image.layer.v1.tar+zstd')
    manifest.layers[0] = zstdBlob
    b.writeIndex([b.json(manifest, 'application/vnd.oci.image.manifest.v1+json')])
    const image = await openImage(b.dir)
    const read = await readAllLayers(image)
    expect(read.map((r) => r.compression)).toEqual(['zstd', 'gzip', 'none'])
    expect(read.map((r) => r.uncompressedSize)).toEqual([t.length, withTail.length, t.length])
  })
})

describe('Docker >= 25 docker save (OCI layout plus manifest.json)', () => {
  it('is a docker-archive read through its OCI index, so the manifest digest is known', async () => {
    const b = layout()
    const m = b.image({layers: [{tar: tar('d'), compression: 'none'}]})
    b.writeIndex([{...m, annotations: {'io.containerd.image.name': 'docker.io/library/app:1', 'org.opencontainers.image.ref.name': '1'}}])
    const manifest = JSON.parse(readFileSync(join(b.dir, 'blobs', 'sha256', m.digest.slice(7)), 'utf8'))
    writeFileSync(
      join(b.dir, 'manifest.json'),
      JSON.stringify([{Config: `blobs/sha256/${manifest.config.digest.slice(7)}`, RepoTags: ['app:1'], Layers: [`blobs/sha256/${manifest.layers[0].digest.slice(7)}`]}]),
    )
    const archive = join(tmp.path, 'docker25.tar')
    run('tar', ['-cf', archive, '-C', b.dir, '.'])
    const image = await openImage(archive)
    expect(image.source).toBe('docker-archive')
    expect(image.manifest.digest).toBe(m.digest)
    expect(image.name).toBe('app:1')
    await readAllLayers(image)
  })
})
