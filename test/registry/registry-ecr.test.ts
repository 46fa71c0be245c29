import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'

import {ecrRegionOf, RegistrySource} from '../../src/image/sources/registry/index.js'
import {startEcrStub, type EcrStub} from './helpers/ecr-stub.js'
import {startFaultProxy} from './helpers/fault-proxy.js'
import {writeOciLayout, type BuiltLayout} from './helpers/oci-layout.js'
import {skopeoPush, startRegistry, type RegistryServer} from './helpers/registry-server.js'
import {digestStream, rejection} from './helpers/streams.js'

// What GetAuthorizationToken hands out; the loopback registry knows it through htpasswd as user "AWS".
const ECR_PASSWORD = 'eyJwYXlsb2FkIjoiZWNyLXRlc3QtdG9rZW4ifQ-very-secret'
const ECR_TOKEN = Buffer.from(`AWS:${ECR_PASSWORD}`).toString('base64')
const AWS_ENV = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_REGION',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_EC2_METADATA_DISABLED',
  'AWS_ENDPOINT_URL',
]

describe('ECR: the real @aws-sdk/client-ecr against a loopback ECR stub, token accepted by the loopback registry', () => {
  let registry: RegistryServer
  let ecr: EcrStub
  let work: string
  let layout: BuiltLayout
  const saved: Record<string, string | undefined> = {}
  const source = new RegistrySource()
  const ecrOptions = () => ({noCache: true, ecrRegistries: [registry.host], region: 'eu-west-1', endpointUrl: ecr.endpoint})

  beforeAll(async () => {
    for (const name of AWS_ENV) saved[name] = process.env[name]
    work = await mkdtemp(join(tmpdir(), 'la-registry-ecr-'))
    // Never the developer's ~/.aws, never instance metadata.
    process.env.AWS_CONFIG_FILE = join(work, 'aws-config')
    process.env.AWS_SHARED_CREDENTIALS_FILE = join(work, 'aws-credentials')
    process.env.AWS_EC2_METADATA_DISABLED = 'true'
    process.env.AWS_ACCESS_KEY_ID = 'AKIDENVIRONMENT'
    process.env.AWS_SECRET_ACCESS_KEY = 'env-secret-key'
    delete process.env.AWS_SESSION_TOKEN
    delete process.env.AWS_PROFILE
    delete process.env.AWS_REGION
    delete process.env.AWS_ENDPOINT_URL
    await writeFile(join(work, 'aws-credentials'), '[ecr-reader]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = profile-secret\n')
    await writeFile(join(work, 'aws-config'), '')
    ecr = await startEcrStub(ECR_PASSWORD)
    registry = await startRegistry({users: {AWS: ECR_PASSWORD}})
    layout = await writeOciLayout(join(work, 'img'), [{architecture: 'arm64', layers: [{'opt/extensions/agent': {content: '#!/bin/sh\n', mode: 0o755}}]}])
    await skopeoPush(`oci:${layout.dir}:latest`, `${registry.host}/lambda/fn:prod`, {creds: `AWS:${ECR_PASSWORD}`})
  })

  beforeEach(() => {
    ecr.answer = {password: ECR_PASSWORD}
    ecr.calls.length = 0
  })

  afterAll(async () => {
    await registry?.stop()
    await ecr?.stop()
    for (const name of AWS_ENV) {
      if (saved[name] === undefined) delete process.env[name]
      else process.env[name] = saved[name]
    }
    if (work) await rm(work, {recursive: true, force: true})
  })

  it('knows the region of ECR hostnames', () => {
    expect(ecrRegionOf('123456789012.dkr.ecr.eu-west-1.amazonaws.com')).toBe('eu-west-1')
    expect(ecrRegionOf('123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com')).toBe('us-gov-west-1')
    expect(ecrRegionOf('123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn')).toBe('cn-north-1')
    expect(ecrRegionOf('123456789012.dkr-ecr.ap-south-2.on.aws')).toBe('ap-south-2')
    expect(ecrRegionOf('public.ecr.aws')).toBeUndefined()
    expect(ecrRegionOf('evil.com/123456789012.dkr.ecr.eu-west-1.amazonaws.com')).toBeUndefined()
  })

  it('authenticates with GetAuthorizationToken (default credential chain) and streams the image', async () => {
    const image = await source.open(`${registry.host}/lambda/fn:prod`, {registry: ecrOptions()})
    expect(image.platform.architecture).toBe('arm64')
    const {digest} = await digestStream(await image.openLayer(image.layers[0]))
    expect(digest).toBe(layout.images[0].layerDigests[0])
    expect(ecr.calls).toEqual([{target: 'AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken', accessKeyId: 'AKIDENVIRONMENT', region: 'eu-west-1'}])
  })

  it('uses the named profile and honours AWS_ENDPOINT_URL', async () => {
    process.env.AWS_ENDPOINT_URL = ecr.endpoint
    try {
      const {endpointUrl: _unused, ...rest} = ecrOptions()
      const image = await source.open(`${registry.host}/lambda/fn:prod`, {registry: {...rest, profile: 'ecr-reader'}})
      expect(image.layers).toHaveLength(1)
    } finally {
      delete process.env.AWS_ENDPOINT_URL
    }
    expect(ecr.calls.map((c) => c.accessKeyId)).toEqual(['AKIDPROFILE'])
  })

  it.each([
    ['AccessDeniedException', 'access denied: the AWS identity may not call ECR GetAuthorizationToken'],
    ['ExpiredTokenException', 'AWS credentials have expired; refresh them (e.g. aws sso login) and retry'],
    ['UnrecognizedClientException', 'AWS rejected the credentials (UnrecognizedClientException)'],
  ])('turns %s into one line naming the reference', async (type, line) => {
    ecr.answer = {error: type}
    const ref = `${registry.host}/lambda/fn:prod`
    const error = await rejection(source.open(ref, {registry: ecrOptions()}))
    expect(error.name).toBe('AwsError')
    expect(error.code).toBe('AWS')
    expect(error.line).toBe(`${ref}: ${line}`)
    expect(error.line).not.toContain('arn:aws')
  })

  it('names a missing repository (ECR answers NAME_UNKNOWN) and a missing image (manifest 404) without showing the token', async () => {
    // docker-registry says MANIFEST_UNKNOWN for an unknown repository; ECR says NAME_UNKNOWN, as replayed here.
    const proxy = await startFaultProxy(registry.port, (req) =>
      req.path.startsWith('/v2/lambda/absent/')
        ? {kind: 'status', status: 404, body: {errors: [{code: 'NAME_UNKNOWN', message: "The repository with name 'lambda/absent' does not exist in the registry with id '123456789012'"}]}}
        : {kind: 'pass'},
    )
    let repo: Awaited<ReturnType<typeof rejection>>
    try {
      repo = await rejection(source.open(`${proxy.host}/lambda/absent:prod`, {registry: {...ecrOptions(), ecrRegistries: [proxy.host]}}))
    } finally {
      await proxy.stop()
    }
    expect(repo.code).toBe('NOT_FOUND')
    expect(repo.line).toBe(`${proxy.host}/lambda/absent:prod: repository lambda/absent not found on ${proxy.host}`)
    const tag = await rejection(source.open(`${registry.host}/lambda/fn:v999`, {registry: ecrOptions()}))
    expect(tag.line).toBe(`${registry.host}/lambda/fn:v999: image not found: no tag v999 in ${registry.host}/lambda/fn`)
    for (const error of [repo, tag]) {
      const everything = `${error.message} ${error.stack} ${String(error.cause)}`
      expect(everything).not.toContain(ECR_PASSWORD)
      expect(everything).not.toContain(ECR_TOKEN)
    }
  })

  it('explains an expired registry token (ECR "DENIED … expired") in one line', async () => {
    const proxy = await startFaultProxy(registry.port, (req) =>
      req.path.includes('/manifests/') ? {kind: 'status', status: 403, body: {errors: [{code: 'DENIED', message: 'Your authorization token has expired. Reauthenticate and try again.'}]}} : {kind: 'pass'},
    )
    try {
      const ref = `${proxy.host}/lambda/fn:prod`
      const error = await rejection(source.open(ref, {registry: {...ecrOptions(), ecrRegistries: [proxy.host]}}))
      expect(error.line).toBe(`${ref}: the registry authorization token has expired (403 DENIED); retry to fetch a new one`)
      expect(`${error.message} ${error.stack}`).not.toContain(ECR_PASSWORD)
    } finally {
      await proxy.stop()
    }
  })
})
