/**
 * layer-image, proved by the reference tools: zips made by Info-ZIP and Python → `layer-audit layer-image`
 * → `umoci raw unpack` equals `unzip -o` of the same zips in order; skopeo accepts every output form;
 * `compare` of the output against the zips is PASS with no finding; two runs give the same digests.
 */
import {execFileSync} from 'node:child_process'
import {existsSync, lstatSync, mkdirSync, readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'

import {architectureOf} from '../../src/layer-image/layer-sources.js'
import {FIXTURES, runCli} from '../helpers/cli.js'
import {LambdaStub, sha256b64} from '../lambda/lambda-stub.js'
import {cleanup, infoZip, pythonZip, sha256File, tempDir, unzipInOrder} from '../lambda/zips.js'
import {umociView as umociViewIn} from './umoci-view.js'

let dir: string
let zips: string[]
const LONG_DIR = `python/${'deep-directory-name/'.repeat(6)}`

beforeAll(() => {
  dir = tempDir('la-layer-image-')
  zips = [
    infoZip(join(dir, 'otel.zip'), {
      'extensions/otel': {content: '#!/bin/sh\nexec /opt/otel/collector\n', mode: 0o755},
      'otel/collector': {content: 'ELF-ish', mode: 0o755},
      'lib/liba.so': 'A-lib',
      'lib/libz.so': {link: 'liba.so'},
      'private': {dir: true, mode: 0o700},
      'private/key.txt': {content: 'not a secret', mode: 0o600},
      'python/shared.py': 'version = 1\n',
      [`${LONG_DIR}module-with-a-long-name.py`]: 'x = 1\n',
      'lib/long-link': {link: `../${LONG_DIR}module-with-a-long-name.py`},
      'python/café.py': 'accent\n',
    }, ['-y']),
    infoZip(join(dir, 'tracer.zip'), {
      'python/shared.py': 'version = 2 # longer\n',
      'private/other.txt': 'in the 0700 directory an earlier zip made\n',
      'extensions/tracer': {content: '#!/bin/sh\n', mode: 0o755},
    }, ['-y', '-X', '-D']),
    // Another writer, no directory entries: the parents are implied.
    pythonZip(join(dir, 'python.zip'), `with zipfile.ZipFile(Z, 'w', zipfile.ZIP_DEFLATED) as z:
    i = zipfile.ZipInfo('python/pkg/mod.py', (2024, 1, 1, 0, 0, 0)); i.create_system = 3; i.external_attr = 0o100644 << 16; z.writestr(i, 'x = 1\\n' * 1000)
    i = zipfile.ZipInfo('lib/libz.so', (2024, 1, 1, 0, 0, 0)); i.create_system = 3; i.external_attr = 0o100755 << 16; z.writestr(i, 'real file now')`),
  ]
})
afterAll(() => cleanup(dir))

const layerArgs = () => zips.flatMap((zip) => ['--layer', zip])

async function layerImage(output: string, ...extra: string[]): Promise<string> {
  const result = await runCli(['layer-image', ...layerArgs(), '--output', output, ...extra])
  expect(result.stderr).toBe('')
  expect(result.code).toBe(0)
  expect(result.stdout).toMatch(/^sha256:[0-9a-f]{64} \(.*\) written to /)
  return result.stdout.split(' ')[0]!
}

const umociView = (layout: string, tag: string) => umociViewIn(layout, tag, dir)

function skopeoInspect(reference: string): {Layers: string[]; Architecture: string; Labels: Record<string, string>} {
  return JSON.parse(execFileSync('skopeo', ['inspect', reference], {encoding: 'utf8'}))
}

function ociManifest(layout: string): {layers: {digest: string}[]} {
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8'))
  expect(index.manifests).toHaveLength(1)
  expect(index.manifests[0].mediaType).toBe('application/vnd.oci.image.manifest.v1+json')
  return JSON.parse(readFileSync(join(layout, 'blobs/sha256', index.manifests[0].digest.slice(7)), 'utf8'))
}

describe('layer-image', () => {
  test('oci: one layer per zip; umoci unpacks what unzip -o makes of the zips in order; skopeo reads it', async () => {
    const layout = join(dir, 'oci')
    const digest = await layerImage(`oci:${layout}:1.0`)
    expect(umociView(layout, '1.0')).toEqual(unzipInOrder(zips, '/opt'))
    const inspected = skopeoInspect(`oci:${layout}:1.0`)
    expect(inspected.Layers).toHaveLength(3)
    expect(inspected.Architecture).toBe('amd64')
    expect(inspected.Labels['dev.layer-audit.layer.0.zip']).toBe('otel.zip')
    expect(inspected.Labels['dev.layer-audit.layer.2.sha256']).toMatch(/^[0-9a-f]{64}$/)
    // Deterministic gzip: no mtime, Unix as the OS, whatever zlib build wrote it.
    for (const {digest: layer} of ociManifest(layout).layers) {
      expect(readFileSync(join(layout, 'blobs/sha256', layer.slice(7))).subarray(0, 10).toString('hex')).toBe('1f8b0800000000000003')
    }
    const compare = await runCli(['compare', `oci:${layout}:1.0`, ...layerArgs()])
    expect(compare.stdout).toContain('PASS: no findings')
    expect(compare.code).toBe(0)
    // The same zips, another run, another place: the same manifest digest.
    expect(await layerImage(`oci:${join(dir, 'oci-again')}:1.0`)).toBe(digest)
  })

  test('--squash: one layer holding the merged /opt, equal to unzip -o in order', async () => {
    const layout = join(dir, 'squashed')
    await layerImage(`oci:${layout}:sq`, '--squash', '--platform', 'linux/arm64', '--label', 'team=observability')
    expect(ociManifest(layout).layers).toHaveLength(1)
    expect(umociView(layout, 'sq')).toEqual(unzipInOrder(zips, '/opt'))
    const inspected = skopeoInspect(`oci:${layout}:sq`)
    expect(inspected.Architecture).toBe('arm64')
    expect(inspected.Labels.team).toBe('observability')
  })

  test('oci-archive and docker-archive: skopeo reads them, compare passes with no finding, reruns are identical', async () => {
    const ociArchive = join(dir, 'layers.oci.tar')
    const dockerArchive = join(dir, 'layers.docker.tar')
    await layerImage(`oci-archive:${ociArchive}:1.0`)
    const imageId = await layerImage(`docker-archive:${dockerArchive}:layers/otel:1.0`)
    expect(skopeoInspect(`oci-archive:${ociArchive}:1.0`).Layers).toHaveLength(3)
    expect(skopeoInspect(`docker-archive:${dockerArchive}`).Layers).toHaveLength(3)
    for (const image of [`oci-archive:${ociArchive}`, dockerArchive]) {
      const compare = await runCli(['compare', image, ...layerArgs()])
      expect(compare.stdout).toContain('PASS: no findings')
      expect(compare.code).toBe(0)
    }
    const again = join(dir, 'again.docker.tar')
    expect(await layerImage(`docker-archive:${again}:layers/otel:1.0`)).toBe(imageId)
    expect(readFileSync(again).equals(readFileSync(dockerArchive))).toBe(true)
  })

  test('the bundled log-shipper layer, and its Windows-made copy (no Unix modes: 0644 as Lambda gives them), equal unzip', async () => {
    for (const name of ['layer-log-shipper', 'layer-log-shipper-windows']) {
      const zip = join(FIXTURES, 'zips', `${name}.zip`)
      const layout = join(dir, name)
      const result = await runCli(['layer-image', '--layer', zip, '--output', `oci:${layout}:1`])
      expect(result.code).toBe(0)
      expect(umociView(layout, '1')).toEqual(unzipInOrder([zip], '/opt'))
    }
    const compare = await runCli(['compare', `oci:${join(dir, 'layer-log-shipper')}:1`, '--layer', join(FIXTURES, 'zips', 'layer-log-shipper.zip')])
    expect(compare.stdout).toContain('PASS: no findings')
  })

  test('--keep-mtimes keeps each entry\'s time from its zip (what unzip restores); without it every mtime is 0', async () => {
    const kept = join(dir, 'kept')
    await layerImage(`oci:${kept}:k`, '--keep-mtimes')
    const rootfs = join(dir, 'kept-rootfs')
    execFileSync('umoci', ['raw', 'unpack', '--rootless', '--image', `${kept}:k`, rootfs], {stdio: ['ignore', 'ignore', 'pipe']})
    const unzipped = join(dir, 'kept-unzip')
    execFileSync('unzip', ['-q', '-o', zips[0]!, '-d', unzipped])
    expect(lstatSync(join(rootfs, 'opt/lib/liba.so')).mtimeMs).toBe(lstatSync(join(unzipped, 'lib/liba.so')).mtimeMs)
    const fixedLayout = join(dir, 'fixed')
    await layerImage(`oci:${fixedLayout}:f`)
    const fixed = join(dir, 'fixed-rootfs')
    execFileSync('umoci', ['raw', 'unpack', '--rootless', '--image', `${fixedLayout}:f`, fixed], {stdio: ['ignore', 'ignore', 'pipe']})
    expect(lstatSync(join(fixed, 'opt/lib/liba.so')).mtimeMs).toBe(0)
  })

  test('--layer ARN: downloaded as compare downloads it; labels carry the ARN and CodeSha256, the architecture its CompatibleArchitectures', async () => {
    const lambda = new LambdaStub()
    await lambda.start()
    try {
      const arn = 'arn:aws:lambda:us-east-1:123456789012:layer:otel:7'
      lambda.layers.set(arn, {zip: zips[0]!, compatibleArchitectures: ['arm64']})
      // AWS's documentation keys and no shared files: the SDK signs requests to the stub and reads nothing of ours.
      const env = {
        AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
        AWS_CONFIG_FILE: '/nonexistent/aws-config',
        AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
        AWS_EC2_METADATA_DISABLED: 'true',
        XDG_CACHE_HOME: join(dir, 'cache'),
      }
      const layout = join(dir, 'from-arn')
      const args = ['layer-image', '--layer', arn, '--layer', zips[1]!, '--output', `oci:${layout}:7`, '--endpoint-url', lambda.endpoint, '--region', 'us-east-1']
      const result = await runCli(args, {env})
      expect(result.stderr).toBe('')
      expect(result.code).toBe(0)
      const inspected = skopeoInspect(`oci:${layout}:7`)
      expect(inspected.Architecture).toBe('arm64')
      expect(inspected.Labels).toMatchObject({
        'dev.layer-audit.layer.0.arn': arn,
        'dev.layer-audit.layer.0.code-sha256': sha256b64(readFileSync(zips[0]!)),
        'dev.layer-audit.layer.0.sha256': sha256File(zips[0]!),
        'dev.layer-audit.layer.1.zip': 'tracer.zip',
      })
      expect(umociView(layout, '7')).toEqual(unzipInOrder(zips.slice(0, 2), '/opt'))
    } finally {
      await lambda.stop()
    }
  })

  test('a bad --output is a usage error before any zip is read', async () => {
    const nonEmpty = join(dir, 'non-empty')
    mkdirSync(join(nonEmpty, 'something'), {recursive: true})
    for (const output of [`registry.example.com/layers@sha256:${'0'.repeat(64)}`, 'layers', 'oci', `oci:${join(dir, 'no/such/dir')}`, `docker-archive:${join(dir, 'x.tar')}:onlyrepo`, `oci:${nonEmpty}`]) {
      const result = await runCli(['layer-image', '--layer', join(dir, 'missing.zip'), '--output', output])
      expect(result.code).toBe(2)
      expect(result.stderr.trim().split('\n')).toHaveLength(1)
      expect(result.stderr).toContain('--output')
      expect(result.stderr).not.toContain('missing.zip')
    }
  })

  test('a zip that fails leaves nothing under the output name, and no staging files', async () => {
    const broken = join(dir, 'broken')
    mkdirSync(broken)
    const notZip = join(broken, 'not.zip')
    execFileSync('sh', ['-c', 'echo "not a zip" > "$1"', 'sh', notZip])
    const result = await runCli(['layer-image', '--layer', zips[0]!, '--layer', notZip, '--output', `oci-archive:${join(broken, 'out.tar')}`])
    expect(result.code).toBe(2)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(existsSync(join(broken, 'out.tar'))).toBe(false)
    expect(readdirSync(broken)).toEqual(['not.zip'])
  })

  test('the architecture without --platform: what every ARN layer allows, x86_64 first; none listed is amd64; none in common is a usage error', () => {
    const zip = (compatibleArchitectures?: string[]) => ({path: 'x.zip', sha256: '0', arn: 'arn:x', ...(compatibleArchitectures ? {compatibleArchitectures} : {})})
    expect(architectureOf([zip(), zip()])).toBe('amd64')
    expect(architectureOf([zip(['arm64']), zip()])).toBe('arm64')
    expect(architectureOf([zip(['x86_64', 'arm64']), zip(['arm64'])])).toBe('arm64')
    expect(architectureOf([zip(['x86_64', 'arm64'])])).toBe('amd64')
    expect(() => architectureOf([zip(['x86_64']), zip(['arm64'])])).toThrow(/no CompatibleArchitectures in common/)
  })
})
