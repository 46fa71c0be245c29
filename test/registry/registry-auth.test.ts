import {chmod, mkdir, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {RegistrySource} from '../../src/image/sources/registry/index.js'
import {startFaultProxy} from './helpers/fault-proxy.js'
import {writeOciLayout, type BuiltLayout} from './helpers/oci-layout.js'
import {skopeoPush, startRegistry, type RegistryServer} from './helpers/registry-server.js'
import {digestStream, rejection} from './helpers/streams.js'
import {FIXTURES} from '../helpers/cli.js'
import {startTokenServer, type TokenServer} from './helpers/token-server.js'

const source = new RegistrySource()
const PASSWORD = 's3cret-Passw0rd'

async function dockerConfig(dir: string, content: unknown): Promise<string> {
  const path = join(dir, `config-${Math.random().toString(36).slice(2)}.json`)
  await writeFile(path, JSON.stringify(content))
  return path
}

const basic = (user: string, pass: string) => Buffer.from(`${user}:${pass}`).toString('base64')

describe('registry auth: htpasswd basic auth on docker-registry', () => {
  let registry: RegistryServer
  let work: string
  let layout: BuiltLayout

  beforeAll(async () => {
    registry = await startRegistry({users: {alice: PASSWORD}})
    work = await mkdtemp(join(tmpdir(), 'la-registry-auth-'))
    layout = await writeOciLayout(join(work, 'img'), [{architecture: 'amd64', layers: [{'opt/x': 'x\n'}]}])
    await skopeoPush(`oci:${layout.dir}:latest`, `${registry.host}/team/app:v1`, {creds: `alice:${PASSWORD}`})
  })

  afterAll(async () => {
    await registry?.stop()
    if (work) await rm(work, {recursive: true, force: true})
  })

  it('reads with credentials from the Docker config `auths` (base64 auth)', async () => {
    const dockerConfigPath = await dockerConfig(work, {auths: {[`http://${registry.host}`]: {auth: basic('alice', PASSWORD)}}})
    const image = await source.open(`${registry.host}/team/app:v1`, {registry: {noCache: true, dockerConfigPath}})
    const {digest} = await digestStream(await image.openLayer(image.layers[0]))
    expect(digest).toBe(layout.images[0].layerDigests[0])
  })

  it('asks a credential helper named by credHelpers, giving it the registry host', async () => {
    const bin = join(work, 'bin')
    await mkdir(bin, {recursive: true})
    const helper = join(bin, 'docker-credential-latest')
    await writeFile(
      helper,
      `#!/bin/sh\ncat > "${join(work, 'helper-stdin')}"\nprintf '{"ServerURL":"x","Username":"alice","Secret":"${PASSWORD}"}'\n`,
    )
    await chmod(helper, 0o755)
    const dockerConfigPath = await dockerConfig(work, {credHelpers: {[registry.host]: 'latest'}, auths: {}})
    const path = process.env.PATH
    process.env.PATH = `${bin}:${path}`
    try {
      const image = await source.open(`${registry.host}/team/app:v1`, {registry: {noCache: true, dockerConfigPath}})
      expect(image.layers).toHaveLength(1)
    } finally {
      process.env.PATH = path
    }
    expect(await readFile(join(work, 'helper-stdin'), 'utf8')).toBe(registry.host)
  })

  it('says authentication is required when there are no credentials', async () => {
    const dockerConfigPath = join(work, 'absent.json')
    const error = await rejection(source.open(`${registry.host}/team/app:v1`, {registry: {noCache: true, dockerConfigPath}}))
    expect(error.code).toBe('NETWORK')
    expect(error.line).toBe(
      `${registry.host}/team/app:v1: tag v1: authentication required: no credentials found (docker login, or AWS credentials for ECR) (401 UNAUTHORIZED)`,
    )
  })

  it('says the credentials were rejected, without ever showing them', async () => {
    const wrong = 'wrong-Passw0rd-value'
    const dockerConfigPath = await dockerConfig(work, {auths: {[registry.host]: {username: 'alice', password: wrong}}})
    const error = await rejection(source.open(`${registry.host}/team/app:v1`, {registry: {noCache: true, dockerConfigPath}}))
    expect(error.line).toBe(`${registry.host}/team/app:v1: tag v1: credentials were rejected (401 UNAUTHORIZED)`)
    expect(JSON.stringify({message: error.message, stack: error.stack, cause: String(error.cause)})).not.toContain(wrong)
  })

  it('keeps our Authorization on the registry host only, never on a redirect to another host', async () => {
    // A front proxy that redirects blob GETs to the real registry on another origin (like a presigned URL).
    const layerDigest = layout.images[0].layerDigests[0]
    const front = await startFaultProxy(registry.port, () => ({kind: 'pass'}), {upstreamAuthorization: `Basic ${basic('alice', PASSWORD)}`})
    const redirecting = await import('node:http').then(
      (http) =>
        new Promise<{host: string; seen: {path: string; authorization?: string}[]; close: () => Promise<void>}>((resolve) => {
          const seen: {path: string; authorization?: string}[] = []
          const server = http.createServer((req, res) => {
            seen.push({path: req.url ?? '', authorization: req.headers.authorization})
            if (req.url?.includes('/blobs/') && req.url.endsWith(layerDigest)) {
              // Another origin (localhost vs 127.0.0.1) with a "signed" query string.
              res.writeHead(307, {Location: `http://localhost:${front.host.split(':')[1]}${req.url}?X-Amz-Signature=topsecret`}).end()
              return
            }
            const proxied = http.request({host: '127.0.0.1', port: registry.port, path: req.url, method: req.method, headers: req.headers}, (up) => {
              res.writeHead(up.statusCode ?? 502, up.headers)
              up.pipe(res)
            })
            req.pipe(proxied)
          })
          server.listen(0, '127.0.0.1', () => {
            const address = server.address() as import('node:net').AddressInfo
            resolve({host: `127.0.0.1:${address.port}`, seen, close: () => new Promise((r) => server.close(() => r()))})
          })
        }),
    )
    try {
      const dockerConfigPath = await dockerConfig(work, {auths: {[redirecting.host]: {auth: basic('alice', PASSWORD)}}})
      const image = await source.open(`${redirecting.host}/team/app:v1`, {registry: {noCache: true, dockerConfigPath}})
      const {digest} = await digestStream(await image.openLayer(image.layers[0]))
      expect(digest).toBe(layerDigest)
      expect(redirecting.seen.find((r) => r.path.includes('/manifests/'))?.authorization).toMatch(/^Basic /)
      const followed = front.requests.filter((r) => r.path.includes(layerDigest))
      expect(followed).toHaveLength(1)
      expect(followed[0].authorization).toBeUndefined()
    } finally {
      await front.stop()
      await redirecting.close()
    }
  })
})

describe('registry auth: a redirect target that refuses', () => {
  it('a 403 from the storage a blob is redirected to is named as that, not as the registry denying access', async () => {
    const registry = await startRegistry()
    const work = await mkdtemp(join(tmpdir(), 'la-redirect-403-'))
    const http = await import('node:http')
    // "S3": refuses every signed URL, as an expired one is refused.
    const storage = http.createServer((_req, res) => res.writeHead(403, {'content-type': 'application/xml'}).end('<Error><Code>AccessDenied</Code></Error>'))
    await new Promise<void>((resolve) => storage.listen(0, '127.0.0.1', resolve))
    const storagePort = (storage.address() as import('node:net').AddressInfo).port
    const front = http.createServer((req, res) => {
      if (req.url?.includes('/blobs/') && !req.url.includes('/uploads/')) {
        res.writeHead(307, {Location: `http://localhost:${storagePort}${req.url}?X-Amz-Signature=topsecret`}).end()
        return
      }
      const proxied = http.request({host: '127.0.0.1', port: registry.port, path: req.url, method: req.method, headers: req.headers}, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers)
        up.pipe(res)
      })
      req.pipe(proxied)
    })
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve))
    const frontHost = `127.0.0.1:${(front.address() as import('node:net').AddressInfo).port}`
    try {
      await skopeoPush(`oci-archive:${join(FIXTURES, 'images', 'layer-image.oci.tar')}`, `${registry.host}/team/app:v1`)
      const error = await rejection(
        (async () => {
          const image = await source.open(`${frontHost}/team/app:v1`, {registry: {noCache: true, retry: {attempts: 1}}})
          await digestStream(await image.openLayer(image.layers[0]))
        })(),
      )
      expect(error.line).toMatch(/the storage the registry redirected to \(localhost:\d+\) refused the download \(403\); its signed URL may have expired: run again$/)
      expect(error.line).not.toMatch(/access denied to|topsecret/)
    } finally {
      await new Promise<void>((resolve) => front.close(() => resolve()))
      await new Promise<void>((resolve) => storage.close(() => resolve()))
      await registry.stop()
      await rm(work, {recursive: true, force: true})
    }
  })
})

describe('registry auth: bearer tokens from the WWW-Authenticate realm (docker-registry token mode)', () => {
  let registry: RegistryServer
  let tokens: TokenServer
  let work: string
  let layout: BuiltLayout

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'la-registry-token-'))
    tokens = await startTokenServer({dir: work, users: {bob: PASSWORD}, refreshToken: 'refresh-Secret-123'})
    registry = await startRegistry({authYaml: tokens.authYaml})
    layout = await writeOciLayout(join(work, 'img'), [{architecture: 'amd64', layers: [{'opt/y': 'y\n'}]}])
    await skopeoPush(`oci:${layout.dir}:latest`, `${registry.host}/public/app:v1`, {creds: `bob:${PASSWORD}`})
    await skopeoPush(`oci:${layout.dir}:latest`, `${registry.host}/private/app:v1`, {creds: `bob:${PASSWORD}`})
  })

  afterAll(async () => {
    await registry?.stop()
    await tokens?.stop()
    if (work) await rm(work, {recursive: true, force: true})
  })

  it('gets an anonymous pull token for a public repository', async () => {
    const before = tokens.requests.length
    const image = await source.open(`${registry.host}/public/app:v1`, {registry: {noCache: true, dockerConfigPath: join(work, 'none.json')}})
    const {digest} = await digestStream(await image.openLayer(image.layers[0]))
    expect(digest).toBe(layout.images[0].layerDigests[0])
    const asked = tokens.requests.slice(before)
    expect(asked).toEqual([{method: 'GET', scope: ['repository:public/app:pull'], user: undefined}])
  })

  it('presents basic credentials to the realm for a private repository', async () => {
    const dockerConfigPath = await dockerConfig(work, {auths: {[registry.host]: {auth: basic('bob', PASSWORD)}}})
    const image = await source.open(`${registry.host}/private/app:v1`, {registry: {noCache: true, dockerConfigPath}})
    expect(image.layers).toHaveLength(1)
    expect(tokens.requests.at(-1)).toEqual({method: 'GET', scope: ['repository:private/app:pull'], user: 'bob'})
  })

  it('exchanges an identitytoken with the OAuth2 refresh-token grant', async () => {
    const dockerConfigPath = await dockerConfig(work, {auths: {[registry.host]: {auth: basic('<token>', ''), identitytoken: 'refresh-Secret-123'}}})
    const image = await source.open(`${registry.host}/private/app:v1`, {registry: {noCache: true, dockerConfigPath}})
    expect(image.layers).toHaveLength(1)
    expect(tokens.requests.at(-1)).toEqual({method: 'POST', scope: ['repository:private/app:pull'], grant: 'refresh_token'})
  })

  it('reports a private repository without credentials in one line', async () => {
    const error = await rejection(source.open(`${registry.host}/private/app:v1`, {registry: {noCache: true, dockerConfigPath: join(work, 'none.json')}}))
    expect(error.line).toBe(
      `${registry.host}/private/app:v1: tag v1: authentication required: no credentials found (docker login, or AWS credentials for ECR) (401 UNAUTHORIZED)`,
    )
  })
})
