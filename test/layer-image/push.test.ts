/**
 * layer-image --output HOST/REPO:TAG against Debian's docker-registry on loopback, through a recording
 * proxy: the pushed image reads back with our registry source and with skopeo, has the digest the
 * oci:DIR output of the same zips has, and `compare` against the zips is PASS. A second push sends no
 * blob; small --chunk-size forces the PATCH path; --mount-from mounts; auth failures are one clear line.
 */
import {execFileSync} from 'node:child_process'
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'

import {readRegistryOptions, RegistrySource, parseReference} from '../../src/image/sources/registry/index.js'
import {pushLayout} from '../../src/layer-image/push-image.js'
import {runCli} from '../helpers/cli.js'
import {cleanup, infoZip, tempDir} from '../lambda/zips.js'
import {startEcrStub, type EcrStub} from '../registry/helpers/ecr-stub.js'
import {startFaultProxy, type FaultProxy} from '../registry/helpers/fault-proxy.js'
import {startRegistry, type RegistryServer} from '../registry/helpers/registry-server.js'
import {startTokenServer, type TokenServer} from '../registry/helpers/token-server.js'

const PASSWORD = 'push-Passw0rd-secret'
let dir: string
let zips: string[]
let registry: RegistryServer
let proxy: FaultProxy
/** DOCKER_CONFIG of a directory without config.json: no credentials from the machine running the tests. */
let noCredentials: NodeJS.ProcessEnv

const layerArgs = () => zips.flatMap((zip) => ['--layer', zip])

beforeAll(async () => {
  dir = tempDir('la-layer-push-')
  zips = [
    infoZip(join(dir, 'otel.zip'), {
      'extensions/otel': {content: '#!/bin/sh\nexec /opt/otel/collector\n', mode: 0o755},
      'otel/collector': {content: 'ELF-ish '.repeat(400), mode: 0o755},
      'lib/liba.so': 'A-lib',
      'lib/libz.so': {link: 'liba.so'},
    }),
    infoZip(join(dir, 'tracer.zip'), {'python/tracer.py': 'print("trace")\n'.repeat(50)}),
  ]
  registry = await startRegistry()
  proxy = await startFaultProxy(registry.port, () => ({kind: 'pass'}))
  noCredentials = {DOCKER_CONFIG: join(dir, 'no-docker-config')}
})

afterAll(async () => {
  await proxy?.stop()
  await registry?.stop()
  if (dir) cleanup(dir)
})

async function push(output: string, ...extra: string[]) {
  return runCli(['layer-image', ...layerArgs(), '--output', output, ...extra], {env: noCredentials})
}

function skopeoDigest(reference: string): string {
  const out = execFileSync('skopeo', ['inspect', '--tls-verify=false', `docker://${reference}`], {encoding: 'utf8', env: {...process.env, HOME: dir}})
  return (JSON.parse(out) as {Digest: string}).Digest
}

/** Requests the proxy saw from index `from` on, as "METHOD kind" (blob HEAD, blob upload, manifest …). */
function seen(from: number): string[] {
  return proxy.requests.slice(from).map((r) => {
    const path = r.path.split('?')[0]
    const kind = path.includes('/blobs/uploads/') ? 'upload' : path.includes('/blobs/') ? 'blob' : path.includes('/manifests/') ? 'manifest' : path
    return `${r.method} ${kind}${r.path.includes('mount=') ? ' mount' : ''}`
  })
}

describe('layer-image pushes to a registry', () => {
  let digest: string

  test('push prints REF@digest; the digest is the oci:DIR one; our source, skopeo and compare read it back', async () => {
    const layout = join(dir, 'layout')
    const local = await runCli(['layer-image', ...layerArgs(), '--output', `oci:${layout}:1.0`])
    expect(local.code).toBe(0)
    const localDigest = local.stdout.split(' ')[0]

    const before = proxy.requests.length
    const result = await push(`docker://${proxy.host}/team/layers:1.0`)
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(new RegExp(`^${proxy.host}/team/layers:1\\.0@sha256:[0-9a-f]{64}\\n$`))
    digest = result.stdout.trim().split('@')[1]
    expect(digest).toBe(localDigest)
    // Config and two layers: each checked, then uploaded whole (POST + PUT); then the manifest by tag.
    const requests = seen(before).filter((r) => r !== 'GET /v2/')
    expect(requests.filter((r) => r === 'HEAD blob')).toHaveLength(3)
    expect(requests.filter((r) => r === 'PUT upload')).toHaveLength(3)
    expect(requests).not.toContain('PATCH upload')
    expect(requests.at(-1)).toBe('PUT manifest')

    expect(skopeoDigest(`${registry.host}/team/layers:1.0`)).toBe(digest)
    const image = await new RegistrySource().open(`${registry.host}/team/layers:1.0`, {registry: {noCache: true}})
    expect(image.layers).toHaveLength(2)
    const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as {manifests: {digest: string}[]}
    const manifest = readFileSync(join(layout, 'blobs', 'sha256', index.manifests[0].digest.slice(7)), 'utf8')
    expect(image.layers.map((l) => l.digest)).toEqual((JSON.parse(manifest) as {layers: {digest: string}[]}).layers.map((l) => l.digest))

    const compare = await runCli(['compare', `${registry.host}/team/layers:1.0`, ...layerArgs(), '--no-cache'])
    expect(compare.stdout).toContain('PASS: no findings')
    expect(compare.code).toBe(0)
  })

  test('a second push (a bare HOST/REPO:TAG) uploads no blob: three HEADs and the manifest', async () => {
    const before = proxy.requests.length
    const result = await push(`${proxy.host}/team/layers:1.1`)
    expect(result.code).toBe(0)
    expect(result.stdout.trim()).toBe(`${proxy.host}/team/layers:1.1@${digest}`)
    expect(seen(before).filter((r) => r !== 'GET /v2/')).toEqual(['HEAD blob', 'HEAD blob', 'HEAD blob', 'PUT manifest'])
  })

  test('--chunk-size forces PATCH chunks with Content-Range and a closing PUT; the image is the same', async () => {
    const before = proxy.requests.length
    const result = await push(`${proxy.host}/chunked/layers:1.0`, '--chunk-size', '200')
    expect(result.stderr).toBe('')
    expect(result.stdout.trim()).toBe(`${proxy.host}/chunked/layers:1.0@${digest}`)
    const requests = seen(before)
    expect(requests.filter((r) => r === 'PATCH upload').length).toBeGreaterThan(3)
    expect(requests.filter((r) => r === 'PUT upload')).toHaveLength(3)
    expect(skopeoDigest(`${registry.host}/chunked/layers:1.0`)).toBe(digest)
  })

  test('progress: every blob announced at 0, counts that only grow, each ending at its size (chunk by chunk when chunked)', async () => {
    const layout = join(dir, 'progress-layout')
    expect((await runCli(['layer-image', ...layerArgs(), '--output', `oci:${layout}`])).code).toBe(0)
    const heard: [number, number, number][] = []
    const options = readRegistryOptions({insecureRegistries: [registry.host]})
    await pushLayout(layout, parseReference(`${registry.host}/progress/layers:1`), options, {chunkSize: 200, onProgress: (i, bytes, total) => heard.push([i, bytes, total!])})
    const blobs = [...new Set(heard.map(([i]) => i))]
    expect(blobs).toEqual([0, 1, 2])
    for (const blob of blobs) {
      const counts = heard.filter(([i]) => i === blob).map(([, bytes]) => bytes)
      const total = heard.find(([i]) => i === blob)![2]
      expect(counts[0]).toBe(0)
      expect(counts.at(-1)).toBe(total)
      expect(counts).toEqual([...counts].sort((a, b) => a - b))
      // A blob over the chunk size is heard once per chunk.
      if (total > 200) expect(counts.length).toBeGreaterThanOrEqual(Math.ceil(total / 200))
    }
  })

  test('--mount-from mounts every blob from the other repository: no upload', async () => {
    const before = proxy.requests.length
    const result = await push(`${proxy.host}/other/layers:1.0`, '--mount-from', 'team/layers')
    expect(result.stderr).toBe('')
    expect(result.stdout.trim()).toBe(`${proxy.host}/other/layers:1.0@${digest}`)
    const requests = seen(before).filter((r) => r !== 'GET /v2/')
    expect(requests.filter((r) => r === 'POST upload mount')).toHaveLength(3)
    expect(requests).not.toContain('PUT upload')
    expect(requests).not.toContain('PATCH upload')
    expect(skopeoDigest(`${registry.host}/other/layers:1.0`)).toBe(digest)
  })

  test('a registry that rejects the OCI manifest says so in one line', async () => {
    const rejecting = await startFaultProxy(registry.port, (req) =>
      req.method === 'PUT' && req.path.includes('/manifests/') ? {kind: 'status', status: 400, body: {errors: [{code: 'MANIFEST_INVALID', message: 'manifest invalid'}]}} : {kind: 'pass'},
    )
    try {
      const result = await push(`${rejecting.host}/team/layers:rejected`)
      expect(result.code).toBe(2)
      expect(result.stderr.trim()).toBe(
        `layer-audit: ${rejecting.host}/team/layers:rejected: ${rejecting.host}/team/layers rejected the manifest (400 MANIFEST_INVALID): the registry may not accept application/vnd.oci.image.manifest.v1+json`,
      )
    } finally {
      await rejecting.stop()
    }
  })

  test('uploads failing with 503 are retried with the read side policy, then one line without the upload URL', async () => {
    const failing = await startFaultProxy(registry.port, (req) => (req.method === 'PUT' && req.path.includes('/blobs/uploads/') ? {kind: 'status', status: 503} : {kind: 'pass'}))
    try {
      const result = await push(`${failing.host}/flaky/layers:1.0`)
      expect(result.code).toBe(2)
      expect(failing.requests.filter((r) => r.method === 'PUT')).toHaveLength(5)
      expect(result.stderr.trim().split('\n')).toHaveLength(1)
      expect(result.stderr).toContain('answered 503')
      expect(result.stderr).not.toMatch(/uploads|_state/)
    } finally {
      await failing.stop()
    }
  }, 30_000)

  test('a path-like output is not taken for a Docker Hub push', async () => {
    const result = await push('layers')
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('expected oci:DIR')
  })
})

describe('layer-image push authentication', () => {
  let tokens: TokenServer
  let tokenRegistry: RegistryServer
  let basicRegistry: RegistryServer

  beforeAll(async () => {
    tokens = await startTokenServer({dir, users: {bob: PASSWORD}, refreshToken: 'refresh-Secret-456'})
    tokenRegistry = await startRegistry({authYaml: tokens.authYaml})
    basicRegistry = await startRegistry({users: {alice: PASSWORD}})
  })

  afterAll(async () => {
    await tokenRegistry?.stop()
    await basicRegistry?.stop()
    await tokens?.stop()
  })

  function dockerConfigWith(auths: Record<string, unknown>): NodeJS.ProcessEnv {
    const configDir = mkdtempSync(join(dir, 'docker-config-'))
    writeFileSync(join(configDir, 'config.json'), JSON.stringify({auths}))
    return {DOCKER_CONFIG: configDir}
  }

  test('token auth: asks repository:REPO:pull,push with the Docker config credentials, and pushes', async () => {
    const auth = Buffer.from(`bob:${PASSWORD}`).toString('base64')
    const result = await runCli(['layer-image', ...layerArgs(), '--output', `${tokenRegistry.host}/team/app:v1`], {env: dockerConfigWith({[tokenRegistry.host]: {auth}})})
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/@sha256:[0-9a-f]{64}\n$/)
    expect(tokens.requests.some((r) => r.user === 'bob' && r.scope.includes('repository:team/app:pull,push'))).toBe(true)
  })

  test('no credentials: one line naming the registry and repository, exit 2, no token or upload URL', async () => {
    const result = await push(`${tokenRegistry.host}/team/app:v2`)
    expect(result.code).toBe(2)
    expect(result.stdout).toBe('')
    const lines = result.stderr.trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain(`push to ${tokenRegistry.host}/team/app`)
    expect(lines[0]).toContain('authentication required')
    expect(lines[0]).not.toMatch(/uploads|Bearer|eyJ|_state/)
  })

  test('basic auth: rejected credentials are named, never shown; the right ones push', async () => {
    const wrong = await runCli(['layer-image', ...layerArgs(), '--output', `${basicRegistry.host}/team/app:v1`], {
      env: dockerConfigWith({[basicRegistry.host]: {username: 'alice', password: 'wrong-Passw0rd'}}),
    })
    expect(wrong.code).toBe(2)
    expect(wrong.stderr.trim().split('\n')).toHaveLength(1)
    expect(wrong.stderr).toContain(`push to ${basicRegistry.host}/team/app`)
    expect(wrong.stderr).toContain('credentials were rejected')
    expect(wrong.stderr).not.toContain('wrong-Passw0rd')
    const right = await runCli(['layer-image', ...layerArgs(), '--output', `${basicRegistry.host}/team/app:v1`], {
      env: dockerConfigWith({[basicRegistry.host]: {username: 'alice', password: PASSWORD}}),
    })
    expect(right.stderr).toBe('')
    expect(right.code).toBe(0)
  })
})

describe('layer-image push to ECR: the token from GetAuthorizationToken (real SDK, loopback ECR stub)', () => {
  // What the stub's GetAuthorizationToken hands out; the loopback registry knows it through htpasswd as user "AWS".
  const ECR_PASSWORD = 'eyJwYXlsb2FkIjoiZWNyLXB1c2gtdG9rZW4ifQ-secret'
  const AWS_ENV = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_REGION', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_EC2_METADATA_DISABLED', 'AWS_ENDPOINT_URL']
  const saved: Record<string, string | undefined> = {}
  let ecr: EcrStub
  let ecrRegistry: RegistryServer

  beforeAll(async () => {
    for (const name of AWS_ENV) saved[name] = process.env[name]
    // Never the developer's ~/.aws, never instance metadata.
    process.env.AWS_CONFIG_FILE = join(dir, 'aws-config')
    process.env.AWS_SHARED_CREDENTIALS_FILE = join(dir, 'aws-credentials')
    process.env.AWS_EC2_METADATA_DISABLED = 'true'
    process.env.AWS_ACCESS_KEY_ID = 'AKIDENVIRONMENT'
    process.env.AWS_SECRET_ACCESS_KEY = 'env-secret-key'
    for (const name of ['AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_REGION', 'AWS_ENDPOINT_URL']) delete process.env[name]
    ecr = await startEcrStub(ECR_PASSWORD)
    ecrRegistry = await startRegistry({users: {AWS: ECR_PASSWORD}})
  })

  afterAll(async () => {
    await ecrRegistry?.stop()
    await ecr?.stop()
    for (const name of AWS_ENV) {
      if (saved[name] === undefined) delete process.env[name]
      else process.env[name] = saved[name]
    }
  })

  test('pushes with the ECR keychain; the image reads back with the same digest', async () => {
    const layout = join(dir, 'ecr-layout')
    const local = await runCli(['layer-image', ...layerArgs(), '--output', `oci:${layout}`])
    expect(local.code).toBe(0)
    const options = readRegistryOptions({ecrRegistries: [ecrRegistry.host], region: 'eu-west-1', endpointUrl: ecr.endpoint})
    const result = await pushLayout(layout, parseReference(`${ecrRegistry.host}/lambda/layers:1`), options)
    expect(result.pushed).toBe(`${ecrRegistry.host}/lambda/layers:1@${local.stdout.split(' ')[0]}`)
    expect(result.blobs.map((b) => b.outcome)).toEqual(['uploaded', 'uploaded', 'uploaded'])
    expect(ecr.calls.length).toBeGreaterThan(0)
    const image = await new RegistrySource().open(`${ecrRegistry.host}/lambda/layers:1`, {registry: {noCache: true, ecrRegistries: [ecrRegistry.host], region: 'eu-west-1', endpointUrl: ecr.endpoint}})
    expect(image.layers).toHaveLength(2)
  })
})
