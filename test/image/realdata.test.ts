/**
 * The real-world corpus (../shared/realdata, MANIFEST.md): every image opens with the facts its origin
 * asserts, or fails the way the origin expects. Facts about layer content belong to src/fs tests.
 */
import {readFileSync} from 'node:fs'
import {expect, it} from 'vitest'
import {openImage} from '../../src/image/index.js'
import {HAVE_REALDATA, REALDATA_MISSING, realdata} from '../helpers/realdata.js'
import {describeUnless} from '../helpers/skip-reason.js'
import {errorOf, readAllLayers} from './helpers.js'

interface Observed {
  path: string
  'image_id(config_digest)'?: string
  diff_ids?: string[]
  architecture?: string
  variant?: string | null
}

/** Trimmed fixtures (MANIFEST.md: "trimmed", "blob digest ≠ descriptor") and non-images: what must fail, how. */
const OPEN_FAILS: Record<string, string> = {
  'snyk/docker-archives/docker-save/dockergoof.tar': 'CORRUPT', // 4 layers vs 9 diff_ids
  'snyk/docker-archives/docker-save/nginx.tar': 'CORRUPT',
  'snyk/docker-archives/docker-save/nginx-os-release-link.tar': 'CORRUPT',
  'snyk/docker-archives/docker-save/nginx-with-buildinfo.tar': 'CORRUPT',
  'snyk/docker-archives/skopeo-copy/nginx.tar': 'CORRUPT',
  'snyk/docker-archives/skopeo-copy/nginx-compressed-layers.tar': 'CORRUPT',
  'snyk/oci-archives/nginx.tar': 'DIGEST_MISMATCH', // manifest blob digest mismatch
  'snyk/oci-archives/oci-with-manifest.tar': 'NOT_FOUND', // 1 of 4 layers present
  'snyk/docker-oci-archives/unsupported-image.tar': 'UNKNOWN_FORMAT',
  'dive/test-gzip-image.tar': 'UNKNOWN_FORMAT', // a rootfs tar
  'ggcr/pkg/v1/tarball/testdata/content.tar': 'UNKNOWN_FORMAT',
  'ggcr/pkg/v1/tarball/testdata/no_manifest.tar': 'UNKNOWN_FORMAT',
  'ggcr/pkg/v1/tarball/testdata/null_manifest.tar': 'NOT_FOUND',
  'ggcr/pkg/v1/tarball/testdata/test_bundle.tar': 'AMBIGUOUS',
  'ggcr/pkg/v1/tarball/testdata/test_link.tar': 'AMBIGUOUS',
  'regclient/testdata/testrepo': 'AMBIGUOUS', // 26 refs, six of them linux/amd64: a ref must be given
}
/** Trimmed layers: open fine, but reading the layer fails its digest check. */
const LAYER_DIGEST_FAILS = new Set([
  'snyk/docker-archives/docker-save/java.tar',
  'snyk/docker-archives/docker-save/java-windows.tar',
  'snyk/docker-archives/skopeo-copy/centos-6.tar',
  'snyk/oci-archives/alpine-3.12.0.tar',
])

if (!HAVE_REALDATA) console.warn('[realdata] test/image/realdata.test.ts skipped: corpus not found')

describeUnless(REALDATA_MISSING, 'real-world corpus', () => {
  const observed: Observed[] = HAVE_REALDATA ? JSON.parse(readFileSync(realdata('OBSERVED_FACTS.json'), 'utf8')) : []

  it.each(observed.map((o) => [o.path, o] as const))('%s opens or fails as its origin expects', async (path, facts) => {
    const input = realdata(path)
    const expectedFailure = OPEN_FAILS[path]
    if (expectedFailure) {
      const error = await errorOf(openImage(input))
      expect(error.code).toBe(expectedFailure)
      expect(error.input).toBe(input)
      return
    }
    const image = await openImage(input)
    const imageId = facts['image_id(config_digest)']
    if (imageId) {
      expect(image.configDigest).toBe(imageId)
      expect(image.layers.map((l) => l.diffId)).toEqual(facts.diff_ids)
      expect(image.platform.architecture).toBe(facts.architecture)
    }
    if (LAYER_DIGEST_FAILS.has(path)) {
      const error = await errorOf(readAllLayers(image))
      expect(error.code).toBe('DIGEST_MISMATCH')
      expect(error.message).toMatch(/^layer \d+ \(sha256:[a-f0-9]{12}…\)/)
    } else {
      await readAllLayers(image)
    }
    await image.close()
  })

  it('dive test-docker-image: 14 layers, image id, first diff_id, 15 history entries aligned past CMD', async () => {
    const image = await openImage(realdata('dive/test-docker-image.tar'))
    expect(image.layers).toHaveLength(14)
    expect(image.configDigest).toBe('sha256:75ae28b8ebf89b203319069ddcbecdf5c3838503bbebc0d0d85e4b8589c5de3a')
    expect(image.layers[0]!.diffId).toBe('sha256:23bc2b70b2014dec0ac22f27bb93e9babd08cdd6f1115d0c955b9ff22b382f5a')
    expect(image.config.history).toHaveLength(15)
    expect(image.layers.every((l) => l.history && !l.history.empty_layer)).toBe(true)
  })

  it('dive OCI archives (gzip, uncompressed, zstd, estargz) open as linux/arm64 and verify', async () => {
    for (const alg of ['gzip', 'uncompressed', 'zstd', 'estargz']) {
      const image = await openImage(realdata(`dive/test-oci-${alg}-image.tar`))
      expect(image.platform).toEqual({os: 'linux', architecture: 'arm64'})
      expect(image.layers).toHaveLength(1)
      const [read] = await readAllLayers(image)
      expect(read!.compression).toBe(alg === 'uncompressed' ? 'none' : alg === 'estargz' ? 'gzip' : alg)
      if (alg === 'estargz') expect(read!.uncompressedSize).toBe(14848) // TOC after the end marker counts
    }
  })

  it('stereoscope multiplatform OCI dir: amd64, arm64, and ppc64le is an error', async () => {
    const dir = realdata('stereoscope/pkg/image/oci/testdata/multiplatform_oci_dir')
    expect((await openImage(dir, {platform: 'linux/amd64'})).manifest.digest).toBe(
      'sha256:e7c26a4b4d156fd9947ee82295b7b78acf7aa54b93b8f3e4b9f608179ffb20e8',
    )
    expect((await openImage(dir, {platform: 'linux/arm64'})).manifest.digest).toBe(
      'sha256:5ed07065bcbc6c52e3ad28526557d7b6833613fc79257b1a786de85e37c03b05',
    )
    expect((await openImage(dir)).manifest.digest).toBe('sha256:e7c26a4b4d156fd9947ee82295b7b78acf7aa54b93b8f3e4b9f608179ffb20e8')
    const error = await errorOf(openImage(dir, {platform: 'linux/ppc64le'}))
    expect(error.code).toBe('NOT_FOUND')
    expect(error.message).toContain('linux/ppc64le')
  })

  it('stereoscope valid_oci_dir resolves amd64 and arm64 to its single manifest', async () => {
    const dir = realdata('stereoscope/pkg/image/oci/testdata/valid_oci_dir')
    for (const platform of ['linux/amd64', 'linux/arm64']) {
      expect((await openImage(dir, {platform})).manifest.digest).toBe(
        'sha256:c1ed04a3da941a5dd09b58b16c37f065557863d382ef97995ddac885a8452ebb',
      )
    }
  })

  it('trivy OCI dirs: refs, and the negative layouts fail with clear errors', async () => {
    const base = realdata('trivy/pkg/fanal/test/testdata')
    expect((await openImage(`${base}/test.oci`)).layers).toHaveLength(1)
    expect((await openImage(`oci:${base}/test_image_tag.oci:0.0.1`)).name).toBe('0.0.1')
    const badRef = await errorOf(openImage(`oci:${base}/test_image_tag.oci:0.0.0`))
    expect([badRef.code, badRef.message]).toEqual(['NOT_FOUND', 'no ref "0.0.0" in index.json (refs: 0.0.1)'])
    const negatives: [string, string, RegExp][] = [
      ['test_bad_index_json.oci', 'CORRUPT', /index\.json is not valid JSON/],
      ['test_no_valid_manifests.oci', 'NOT_FOUND', /lists no manifests/],
      ['test_invalid_oci_image.oci', 'UNSUPPORTED', /application\/badmedia\+json/],
      ['test_index_json_dir.oci', 'CORRUPT', /index\.json is not a regular file/],
    ]
    for (const [dir, code, message] of negatives) {
      const error = await errorOf(openImage(`${base}/${dir}`))
      expect(error.code).toBe(code)
      expect(error.message).toMatch(message)
    }
  })

  it('trivy alpine-311 (docker save | gzip): image id, diff_id, layer size, created_by', async () => {
    const image = await openImage(realdata('trivy/pkg/fanal/test/testdata/alpine-311.tar.gz'))
    expect(image.configDigest).toBe('sha256:a187dde48cd289ac374ad8539930628314bc581a481cdb41409c9289419ddb72')
    expect(image.name).toBe('alpine:3.11')
    expect(image.layers[0]!.diffId).toBe('sha256:beee9f30bc1f711043e78d4a2be0668955d4b761d587d6f60c2c8dc081efb203')
    expect(image.layers[0]!.history?.created_by).toBe(
      '/bin/sh -c #(nop) ADD file:0c4555f363c2672e350001f1293e689875a3760afe7b3f9146886afe67121cba in / ',
    )
    const [read] = await readAllLayers(image)
    expect(read!.uncompressedSize).toBe(5861888)
  })

  it('ggcr test_bundle: each tag opens; test_link follows the layer symlink', async () => {
    const bundle = realdata('ggcr/pkg/v1/tarball/testdata/test_bundle.tar')
    for (const tag of ['test_image_1', 'test_image_2', 'test_image_1:latest', 'index.docker.io/library/test_image_1:latest']) {
      const image = await openImage(bundle, {image: tag})
      await readAllLayers(image)
    }
    const link = await openImage(realdata('ggcr/pkg/v1/tarball/testdata/test_link.tar'), {image: 'bazel/v1/tarball:test_image_3'})
    const layer = link.layers.find((l) => l.diffId === 'sha256:8897395fd26dc44ad0e2a834335b33198cb41ac4d98dfddf58eced3853fa7b17')
    expect(layer).toBeDefined()
    expect((await readAllLayers(link)).every((r) => r.uncompressedSize > 0)).toBe(true)
  })

  it('containerd busybox archives choose the platform whose blobs are present', async () => {
    const base = realdata('snyk/containerd-archives')
    const amd64 = await openImage(`${base}/busybox.amd64.tar`, {platform: 'linux/amd64'})
    expect(amd64.platform).toEqual({os: 'linux', architecture: 'amd64'})
    const arm64 = await openImage(`${base}/busybox.arm64.tar`, {platform: 'linux/arm64'})
    expect(arm64.platform).toEqual({os: 'linux', architecture: 'arm64', variant: 'v8'})
    expect((await openImage(`oci-archive:${base}/busybox.arm64.tar`)).platform.architecture).toBe('arm64')
    expect((await openImage(`${base}/busybox.armv7.tar`)).platform).toEqual({os: 'linux', architecture: 'arm', variant: 'v7'})
    const attested = await openImage(`${base}/busybox-single-arch-with-attestation-manifest.tar`)
    expect(attested.platform.architecture).toBe('arm64')
    expect(attested.attestations).toHaveLength(1)
    const alpine = await openImage(`${base}/alpine.tar`, {platform: 'linux/amd64'})
    expect(alpine.indexes.map((i) => i.mediaType)).toContain('application/vnd.docker.distribution.manifest.list.v2+json')
  })

  it('OCI archives from snyk and skopeo: image ids', async () => {
    expect((await openImage(realdata('snyk/oci-archives/busybox-1.31.1.tar'))).configDigest).toBe(
      'sha256:2f2d4db2ef818c1c897eb71421e8a250daf19e21a4ec4c00a549b16ed0c2b46b',
    )
    const alpine = await openImage(realdata('snyk/oci-archives/alpine-3.12.0.tar'))
    expect(alpine.configDigest).toBe('sha256:0f5f445df8ccbd8a062ad3d02d459e8549d9998c62a5b7cbf77baf68aa73bf5b')
    expect(alpine.layers[0]!.digest).toMatch(/^sha256:df20fa93/)
    expect((await openImage(realdata('snyk/docker-archives/skopeo-copy/node-removed.tar'))).layers).toHaveLength(3)
  })
})
