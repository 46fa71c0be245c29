/**
 * The scan rules end to end on the committed fixture images (fixtures/specs/secrets-*.json,
 * function-index-attested.json: the builds of background.md's scenario 2), plus small hand-made layer
 * lists for deleted and overwritten files. No Finding may hold a raw test secret.
 */
import {readFileSync} from 'node:fs'
import {join, resolve} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {scanFindings, scanImage, createSecretScan, type ScanImageResult} from '../../src/audit/scan.js'
import type {LayerContents, LayerEntry, Whiteout} from '../../src/fs/entry.js'
import {flatten} from '../../src/fs/flatten.js'
import type {Image} from '../../src/image/model.js'
import {openImage} from '../../src/image/open.js'
import type {Finding} from '../../src/rules/types.js'
import {fileEntry, layerInfo} from './helpers.js'

const fixtures = resolve(import.meta.dirname, '../../fixtures')
const {secrets} = JSON.parse(readFileSync(join(fixtures, 'specs/secrets.json'), 'utf8')) as {secrets: Record<string, Record<string, string>>}
const RAW = [
  ...Object.values(secrets).flatMap((s) => [s.accessKeyId, s.secretAccessKey, s.sessionToken].filter(Boolean)),
  'AKIA3RXLOOTHEM5S6DSZ',
  'mft807tamsI5BR1lESjyXl1PUqZ+QlZA2/zFT2a0',
  'ghp_GzHTEqj1QD0XxObFg97I7cG85aaHYFpYvBJn',
]

const results = new Map<string, ScanImageResult>()

async function scanFixture(file: string): Promise<ScanImageResult> {
  const image = await openImage(join(fixtures, 'images', file), {platform: 'linux/amd64'})
  try {
    return await scanImage(image)
  } finally {
    await image.close()
  }
}

const byRule = (findings: Finding[], rule: string) => findings.filter((f) => f.rule === rule)

describe('scan rules on the fixture images', () => {
  beforeAll(async () => {
    for (const file of ['secrets-single-stage.docker.tar', 'secrets-multi-stage.docker.tar', 'secrets-doc-example.docker.tar', 'function-index-attested.oci.tar']) {
      results.set(file, await scanFixture(file))
    }
  })
  afterAll(() => results.clear())

  it('single-stage build: history, config, build args and the deleted credentials file', () => {
    const {findings, stats} = results.get('secrets-single-stage.docker.tar')!
    const s = secrets['single-stage-build']
    const history = byRule(findings, 'secret-in-history')
    expect(history.map((f) => [f.evidence?.pattern, f.severity])).toEqual([
      ['aws-secret-access-key', 'error'],
      ['aws-access-key-id', 'error'],
    ])
    expect(history[1].message).toContain('build arg AWS_ACCESS_KEY_ID')
    expect(history[0].message).toContain('ENV AWS_SECRET_ACCESS_KEY, still set in the final config')
    expect(history[1].evidence?.redacted).toBe(`${s.accessKeyId.slice(0, 4)}…${s.accessKeyId.slice(-2)}`)

    const config = byRule(findings, 'secret-in-config')
    expect(config).toHaveLength(1)
    expect(config[0]).toMatchObject({severity: 'error', evidence: {where: 'config Env', key: 'AWS_SECRET_ACCESS_KEY', pattern: 'aws-secret-access-key'}})

    expect(byRule(findings, 'secret-build-arg').map((f) => [f.severity, f.evidence?.name])).toEqual([
      ['warning', 'AWS_ACCESS_KEY_ID'],
      ['warning', 'AWS_SECRET_ACCESS_KEY'],
    ])
    expect(byRule(findings, 'secret-build-arg')[0].message).toContain('use a secret mount (RUN --mount=type=secret)')

    const files = byRule(findings, 'credentials-file')
    expect(files).toHaveLength(1)
    expect(files[0]).toMatchObject({path: '/root/.aws/credentials', layer: 2, severity: 'error', evidence: {state: 'deleted', hiddenBy: 3, kind: 'aws-credentials'}})
    expect(files[0].message).toContain('still shipped in layer 2, deleted by layer 3')
    // The key lines of a credentials file are folded into credentials-file, not repeated.
    expect(byRule(findings, 'secret-in-layer')).toEqual([])
    expect(stats.filesScanned).toBeGreaterThan(0)
    // The same secret has the same fingerprint wherever it is found: baselines can match it.
    expect(config[0].evidence?.fingerprint).toBe(history[0].evidence?.fingerprint)
  })

  it('multi-stage FROM scratch build: clean', () => {
    expect(results.get('secrets-multi-stage.docker.tar')!.findings).toEqual([])
  })

  it('documentation example keys: notes, visibly, never dropped', () => {
    const {findings} = results.get('secrets-doc-example.docker.tar')!
    const secretFindings = findings.filter((f) => f.rule !== 'secret-build-arg')
    expect(secretFindings.map((f) => f.rule).sort()).toEqual(['credentials-file', 'secret-in-config', 'secret-in-history', 'secret-in-history'])
    for (const f of secretFindings) {
      expect(f.severity, f.message).toBe('note')
      expect(f.message.toLowerCase()).toContain('documentation example key')
    }
  })

  it('index with a provenance attestation carrying build args', () => {
    const {findings, stats} = results.get('function-index-attested.oci.tar')!
    expect(stats.attestations).toBe(1)
    const attested = byRule(findings, 'secret-in-attestation')
    expect(attested.map((f) => [f.evidence?.pattern, f.evidence?.jsonPath])).toEqual([
      ['aws-access-key-id', "$.predicate.invocation.parameters.args['build-arg:AWS_ACCESS_KEY_ID']"],
      ['aws-secret-access-key', "$.predicate.invocation.parameters.args['build-arg:AWS_SECRET_ACCESS_KEY']"],
    ])
    expect(attested[0].evidence?.predicateType).toBe('https://slsa.dev/provenance/v0.2')
    expect(byRule(findings, 'secret-build-arg').map((f) => f.evidence?.name)).toEqual(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'])
  })

  it('no Finding holds a raw test secret', () => {
    const json = JSON.stringify([...results.values()].map((r) => r.findings))
    for (const raw of RAW) expect(json.includes(raw), raw).toBe(false)
  })
})

/** An in-memory image: config and history only (layers are given to scanFindings directly). */
function imageWith(history: {created_by: string; empty_layer?: boolean}[], env: string[] = [], labels: Record<string, string> = {}): Image {
  return {
    reference: 'test',
    source: 'oci-layout',
    manifest: {mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: 'sha256:' + '1'.repeat(64), annotations: {'org.opencontainers.image.description': 'demo'}},
    indexes: [],
    platform: {os: 'linux', architecture: 'amd64'},
    config: {config: {Env: env, Labels: labels}, history},
    configDigest: 'sha256:' + '2'.repeat(64),
    layers: [],
    attestations: [],
    openLayer: async () => {
      throw new Error('no layers in this test image')
    },
    readBlob: async () => {
      throw new Error('no blobs in this test image')
    },
    close: async () => {},
  }
}

function layer(index: number, files: Record<string, string>, extra: {entries?: LayerEntry[]; whiteouts?: Whiteout[]} = {}): LayerContents {
  const entries = [...Object.entries(files).map(([path, content]) => fileEntry(path, Buffer.byteLength(content))), ...(extra.entries ?? [])]
  return {layer: layerInfo(index), entries, whiteouts: extra.whiteouts ?? [], compression: 'none', compressedSize: 0, uncompressedSize: 0}
}

async function run(image: Image, contents: {layers: LayerContents[]; files: Record<number, Record<string, string>>}): Promise<Finding[]> {
  const scan = createSecretScan(image)
  for (const c of contents.layers) {
    for (const [path, text] of Object.entries(contents.files[c.layer.index] ?? {})) {
      const sink = scan.hook(fileEntry(path, Buffer.byteLength(text)), c.layer)
      sink?.write(Buffer.from(text))
      sink?.end()
    }
  }
  return scanFindings(image, contents.layers, flatten(contents.layers), scan)
}

describe('secret-in-layer and credentials-file attribution', () => {
  const token = 'ghp_GzHTEqj1QD0XxObFg97I7cG85aaHYFpYvBJn'
  const files = {
    0: {'/app/config.yml': `github:\n  token: ${token}\n`, '/app/keep.env': `GITHUB_TOKEN=${token}\n`, '/root/.git-credentials': 'https://ci:S3cr3tDeployPass42@github.com\n'},
    1: {'/app/config.yml': 'github:\n  token: ${GITHUB_TOKEN}\n'},
  }
  const layers = [
    layer(0, files[0], {entries: [{path: '/root', type: 'directory', mode: 0o700, uid: 0, gid: 0, size: 0, mtime: 0}]}),
    layer(1, files[1], {whiteouts: [{kind: 'opaque', path: '/root'}]}),
  ]

  it("names the layer that holds the file and the one that hid it", async () => {
    const findings = await run(imageWith([]), {layers, files})
    const inLayer = byRule(findings, 'secret-in-layer')
    expect(inLayer.map((f) => [f.path, f.layer, f.evidence?.state, f.evidence?.hiddenBy, f.evidence?.line])).toEqual([
      ['/app/config.yml', 0, 'overwritten', 1, 2],
      ['/app/keep.env', 0, 'present', undefined, 1],
    ])
    expect(inLayer[0].message).toBe('GitHub token (personal, OAuth, app or refresh) in /app/config.yml line 2 (still shipped in layer 0, overwritten by layer 1)')
    expect(inLayer[1].message).toContain('(layer 0)')
    const creds = byRule(findings, 'credentials-file')
    expect(creds).toMatchObject([{path: '/root/.git-credentials', layer: 0, evidence: {state: 'deleted', hiddenBy: 1, kind: 'git-credentials'}}])
    expect(JSON.stringify(findings)).not.toContain(token)
    expect(JSON.stringify(findings)).not.toContain('S3cr3tDeployPass42')
  })

  it('reads secrets from BuildKit history, ENV overridden later, labels and annotations', async () => {
    const image = imageWith(
      [
        {created_by: 'ARG NPM_TOKEN', empty_layer: true},
        {created_by: 'ENV DB_PASSWORD=Hx9kq2Lm0pZr', empty_layer: true},
        {created_by: 'RUN |1 NPM_TOKEN=npm_OEovFy7eXgDQ8odkyME4v7kDHjXQEFcHUK57 /bin/sh -c npm ci # buildkit'},
        {created_by: 'ENV DB_PASSWORD=', empty_layer: true},
        {created_by: 'ARG GITHUB_TOKEN=', empty_layer: true},
        {created_by: 'ENV ADMIN_PASSWORD=postgres1', empty_layer: true},
      ],
      ['DB_PASSWORD=', 'TOKENIZERS_PARALLELISM=false'],
      {'com.example.deploy-token': 'glpat-n4yDZqBvQndMhpsPbnLE'},
    )
    const findings = await run(image, {layers: [layer(0, {})], files: {}})
    expect(byRule(findings, 'secret-in-history').map((f) => [f.evidence?.pattern, f.layer, f.message])).toEqual([
      ['generic-secret', undefined, 'Password, secret, token or API key assigned a literal value in history entry 1: ENV DB_PASSWORD, overridden later but kept in history'],
      ['npm-token', 0, 'Npm access token in history entry 2: build arg NPM_TOKEN of a RUN'],
      // Too little entropy for the generic pattern, but the name says password.
      ['secret-named-variable', undefined, 'Value of ADMIN_PASSWORD in history entry 5: ENV ADMIN_PASSWORD, overridden later but kept in history'],
    ])
    expect(byRule(findings, 'secret-in-config').map((f) => [f.evidence?.pattern, f.evidence?.where])).toEqual([['gitlab-pat', 'config Labels']])
    expect(byRule(findings, 'secret-build-arg').map((f) => f.evidence?.name)).toEqual(['NPM_TOKEN', 'GITHUB_TOKEN'])
    expect(JSON.stringify(findings)).not.toMatch(/Hx9kq2Lm0pZr|npm_OEovFy7e|glpat-n4yDZq|postgres1/)
  })
})
