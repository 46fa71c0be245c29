import {describe, expect, it} from 'vitest'
import {rule as architectureMismatch} from '../../src/rules/compare/architecture-mismatch.js'
import {rule as imageTooLarge} from '../../src/rules/compare/image-too-large.js'
import {rule as unsupportedManifest} from '../../src/rules/compare/unsupported-manifest.js'
import {rule as zipLimits} from '../../src/rules/compare/zip-limits.js'
import {layerContents, makeImage, run} from './helpers.js'

const GiB = 1024 ** 3
const fnImage = (options: Parameters<typeof makeImage>[0] = {}) => makeImage({config: {Entrypoint: ['/lambda-entrypoint.sh']}, ...options})
const sized = (...sizes: number[]) => sizes.map((uncompressedSize, i) => layerContents(i, [], {uncompressedSize}))

describe("'image-too-large'", () => {
  it('is an error over 10,737,418,240 bytes and a warning above 9 GiB', () => {
    expect(run(imageTooLarge, {layers: sized(6 * GiB, 4 * GiB + 1)})[0]).toMatchObject({severity: 'error', layer: 0})
    expect(run(imageTooLarge, {layers: sized(5 * GiB, 4.5 * GiB)})[0].severity).toBe('warning')
  })
  it('is silent at 9 GiB and exactly at the limit boundary below it', () => {
    expect(run(imageTooLarge, {layers: sized(5 * GiB, 4 * GiB)})).toEqual([])
  })
})

describe("'unsupported-manifest'", () => {
  const attestation = {
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    digest: 'sha256:' + 'e'.repeat(64),
    size: 800,
    platform: {os: 'unknown', architecture: 'unknown'},
    annotations: {'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': 'sha256:' + 'a'.repeat(64)},
  }
  const amd64 = {mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: 'sha256:' + 'a'.repeat(64), size: 900, platform: {os: 'linux', architecture: 'amd64'}}
  const arm64 = {...amd64, digest: 'sha256:' + 'b'.repeat(64), platform: {os: 'linux', architecture: 'arm64'}}

  it('fires for an index with a buildx attestation and suggests --provenance=false', () => {
    const image = fnImage({indexes: [{digest: 'sha256:' + '1'.repeat(64), mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [amd64, attestation]}]})
    const findings = run(unsupportedManifest, {image})
    expect(findings).toHaveLength(1)
    expect(findings[0].message).toContain('--provenance=false')
    expect(findings[0].actual).toMatchObject({attestations: 1, platforms: ['linux/amd64']})
  })

  it('fires for a multi-platform index', () => {
    const image = fnImage({indexes: [{digest: 'sha256:' + '1'.repeat(64), mediaType: 'application/vnd.docker.distribution.manifest.list.v2+json', manifests: [amd64, arm64]}]})
    expect(run(unsupportedManifest, {image})[0].message).toContain('2 platforms')
  })

  it("ignores an OCI layout's own index.json (it has no digest and is never pushed)", () => {
    const image = fnImage({indexes: [{mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [amd64]}]})
    expect(run(unsupportedManifest, {image})).toEqual([])
  })

  it('flags uncompressed layers from a registry (error) or OCI layout (warning), not from docker save', () => {
    const layers = [layerContents(0, [], {compression: 'none'}), layerContents(1, [])]
    expect(run(unsupportedManifest, {image: fnImage({source: 'registry'}), layers}).map((f) => [f.severity, f.layer])).toEqual([['error', 0]])
    expect(run(unsupportedManifest, {image: fnImage({source: 'oci-layout'}), layers})[0].severity).toBe('warning')
    expect(run(unsupportedManifest, {image: fnImage({source: 'docker-archive'}), layers})).toEqual([])
  })

  it('flags a file whose parent directory is in no layer, or listed after it (MissingParentDirectory)', () => {
    const layers = [
      layerContents(0, [{path: '/opt', type: 'directory'}]),
      layerContents(1, [{path: '/opt/extensions/lambda-adapter', mode: 0o755}, {path: '/opt/extensions/other'}]),
      layerContents(2, [{path: '/nix/store/x/bin'}, {path: '/nix', type: 'directory'}, {path: '/nix/store', type: 'directory'}, {path: '/nix/store/x', type: 'directory'}]),
    ]
    const findings = run(unsupportedManifest, {image: fnImage(), layers})
    expect(findings.map((f) => [f.layer, f.path, (f.actual as {entries: number}).entries])).toEqual([
      [1, '/opt/extensions/lambda-adapter', 2],
      [2, '/nix/store/x/bin', 1],
    ])
    expect(findings[1].message).toContain('come before their parent directory')
  })

  it('is silent for a single manifest, gzip layers and parents listed first or below', () => {
    const layers = [
      layerContents(0, [{path: '/opt', type: 'directory'}, {path: '/opt/extensions', type: 'directory'}]),
      layerContents(1, [{path: '/opt/extensions/x'}, {path: '/var', type: 'directory'}, {path: '/var/task', type: 'directory'}, {path: '/var/task/app.py'}]),
    ]
    expect(run(unsupportedManifest, {image: fnImage({source: 'registry'}), layers})).toEqual([])
  })

  it('counts any entry as a present parent, a regular file too (the rule first looks at directories only)', () => {
    const layers = [layerContents(0, [{path: '/opt', type: 'directory'}, {path: '/opt/blob'}]), layerContents(1, [{path: '/opt/blob/x'}])]
    expect(run(unsupportedManifest, {image: fnImage({source: 'registry'}), layers})).toEqual([])
    layers[0].entries.pop()
    expect(run(unsupportedManifest, {image: fnImage({source: 'registry'}), layers}).map((f) => f.path)).toEqual(['/opt/blob/x'])
  })
})

describe("'architecture-mismatch'", () => {
  it("fires when the image platform and the function's Architectures differ", () => {
    const findings = run(architectureMismatch, {image: fnImage({architecture: 'arm64'}), function: {architectures: ['x86_64']}})
    expect(findings).toHaveLength(1)
    expect(findings[0]).toMatchObject({severity: 'error', expected: {architecture: 'amd64'}, actual: {architecture: 'arm64'}})
  })

  it('fires for a platform Lambda cannot run, and warns for a layer built for the other architecture', () => {
    expect(run(architectureMismatch, {image: fnImage({architecture: 'arm', os: 'linux'})})).toHaveLength(1)
    const findings = run(architectureMismatch, {
      image: fnImage(),
      function: {architectures: ['x86_64']},
      expected: {'/opt/extensions/x': 'x'},
      expectedSources: [{index: 0, source: 'arn:aws:lambda:us-east-1:1:layer:otel:3', role: 'layer', compatibleArchitectures: ['arm64']}],
    })
    expect(findings).toHaveLength(1)
    expect(findings[0]).toMatchObject({severity: 'warning', source: 'arn:aws:lambda:us-east-1:1:layer:otel:3'})
  })

  it('is silent when image, function and layers agree (x86_64 = amd64), and ignores a layer image platform', () => {
    const expectedSources = [{index: 0, source: 'l.zip', role: 'layer' as const, compatibleArchitectures: ['x86_64', 'arm64']}]
    expect(run(architectureMismatch, {image: fnImage(), function: {architectures: ['x86_64']}, expected: {'/opt/a': 'a'}, expectedSources})).toEqual([])
    expect(run(architectureMismatch, {kind: 'layer', image: makeImage({architecture: 'arm64'}), function: {architectures: ['x86_64']}})).toEqual([])
  })
})

describe("'zip-limits'", () => {
  it('notes a zip side over 5 layers or 250 MB', () => {
    const findings = run(zipLimits, {expected: {'/opt/a': 'a'}, expectedLimits: {layers: 6, maxLayers: 5, unzippedSize: 262_144_001, maxUnzippedSize: 262_144_000}})
    expect(findings.map((f) => f.severity)).toEqual(['note', 'note'])
  })
  it('is silent within the limits', () => {
    expect(run(zipLimits, {expected: {'/opt/a': 'a'}, expectedLimits: {layers: 5, maxLayers: 5, unzippedSize: 262_144_000, maxUnzippedSize: 262_144_000}})).toEqual([])
  })
})
