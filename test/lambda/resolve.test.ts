/**
 * ARN and function flows through the real @aws-sdk/client-lambda against a loopback stub of the Lambda API,
 * with static fake credentials in this process's environment only.
 */
import {existsSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {inspect} from 'node:util'
import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, test} from 'vitest'
import {LayerAuditError} from '../../src/errors.js'
import {readFunctionConfig} from '../../src/lambda/function-config.js'
import {resolveFunction, type ResolvedFunction} from '../../src/lambda/resolve.js'
import {LambdaStub, SECRET_QUERY, sha256b64} from './lambda-stub.js'
import {cleanup, infoZip, tempDir} from './zips.js'

const ENV_KEYS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE',
  'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_LAMBDA', 'AWS_EC2_METADATA_DISABLED', 'XDG_CACHE_HOME']
const saved: Record<string, string | undefined> = {}

const EXT_ARN = 'arn:aws:lambda:eu-west-1:123456789012:layer:my-extension:3'
const LIB_ARN = 'arn:aws:lambda:eu-west-1:123456789012:layer:shared-lib:7'
const SECRET_PARTS = ['SECRETTOKENabc123', 'f00dfacef00dface', SECRET_QUERY, '/bucket/']

let dir: string
let stub: LambdaStub
let extZip: string, libZip: string, codeZip: string
let cacheDir: string

function expectNoSecret(text: string): void {
  for (const part of SECRET_PARTS) expect(text).not.toContain(part)
}

async function failure(promise: Promise<unknown>): Promise<LayerAuditError> {
  const error = await promise.then(() => undefined, (e: unknown) => e)
  expect(error).toBeInstanceOf(LayerAuditError)
  const e = error as LayerAuditError
  expectNoSecret(`${e.line}\n${e.message}\n${String(e)}\n${inspect(e)}\n${JSON.stringify(e)}`)
  return e
}

beforeAll(async () => {
  for (const k of ENV_KEYS) saved[k] = process.env[k]
  for (const k of ENV_KEYS) delete process.env[k]
  process.env.AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE'
  process.env.AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'
  process.env.AWS_REGION = 'eu-west-1'
  process.env.AWS_CONFIG_FILE = '/nonexistent/aws-config'
  process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/aws-credentials'
  process.env.AWS_EC2_METADATA_DISABLED = 'true'
  dir = tempDir()
  extZip = infoZip(join(dir, 'ext.zip'), {'extensions/my-ext': {content: '#!/bin/sh\nexec /opt/my-ext/run\n', mode: 0o755}}, ['-y'])
  libZip = infoZip(join(dir, 'lib.zip'), {'lib/libshared.so': 'ELF...', 'extensions/my-ext': {content: 'overridden\n', mode: 0o755}})
  codeZip = infoZip(join(dir, 'code.zip'), {'app.py': 'def handler(event, context):\n    return 1\n'})
  stub = new LambdaStub()
  await stub.start()
})

afterAll(async () => {
  await stub.stop()
  cleanup(dir)
  for (const k of ENV_KEYS) {
    if (saved[k] === undefined) delete process.env[k]
    else process.env[k] = saved[k]
  }
})

beforeEach(() => {
  cacheDir = tempDir('la-cache-')
  stub.layers.clear()
  stub.functions.clear()
  stub.layers.set(EXT_ARN, {zip: extZip, compatibleArchitectures: ['arm64'], compatibleRuntimes: ['python3.12']})
  stub.layers.set(LIB_ARN, {zip: libZip})
  stub.functions.set('my-fn', {
    configuration: {
      FunctionName: 'my-fn',
      FunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:my-fn',
      Runtime: 'python3.12',
      Handler: 'app.handler',
      Architectures: ['arm64'],
      PackageType: 'Zip',
      Environment: {Variables: {AWS_LAMBDA_EXEC_WRAPPER: '/opt/wrapper'}},
      Layers: [{Arn: EXT_ARN, CodeSize: 1}, {Arn: LIB_ARN, CodeSize: 2}],
    },
    codeZip,
  })
  stub.throttle = 0
  stub.expired = false
  stub.apiRequests = []
  stub.downloads = []
})

const opened: ResolvedFunction[] = []
afterEach(async () => {
  for (const r of opened.splice(0)) await r.dispose()
  cleanup(cacheDir)
})

async function resolve(options: Parameters<typeof resolveFunction>[0]): Promise<ResolvedFunction> {
  const r = await resolveFunction({cacheDir, ...options})
  opened.push(r)
  expectNoSecret(JSON.stringify({summary: r.summary, config: r.config, zips: r.layout.zips, notes: r.notes}))
  expectNoSecret(inspect(r, {depth: 8}))
  return r
}

describe('layer ARNs', () => {
  test('GetLayerVersionByArn, download, verify, cache; a second run is a cache hit', async () => {
    const r = await resolve({layers: [EXT_ARN], endpointUrl: stub.endpoint})
    expect(r.layout.tree.get('/opt/extensions/my-ext')).toMatchObject({mode: 0o755, layer: 0, source: EXT_ARN})
    expect(r.layout.zips[0]).toMatchObject({source: EXT_ARN, arn: EXT_ARN, compatibleArchitectures: ['arm64'], compatibleRuntimes: ['python3.12']})
    expect(r.summary.layers).toEqual([{source: EXT_ARN, size: readFileSync(extZip).length, compatibleArchitectures: ['arm64']}])
    expect(stub.apiRequests).toEqual(['GET /2018-10-31/layers'])
    expect(stub.downloads).toHaveLength(1)
    const hex = Buffer.from(sha256b64(readFileSync(extZip)), 'base64').toString('hex')
    expect(readdirSync(cacheDir)).toEqual([`${hex}.zip`])

    await resolve({layers: [EXT_ARN], endpointUrl: stub.endpoint})
    expect(stub.downloads).toHaveLength(1)
    expect(stub.apiRequests).toHaveLength(2) // the URL is fresh each time; the bytes come from the cache

    // A cached zip is trusted only while it still hashes to its name.
    writeFileSync(join(cacheDir, `${hex}.zip`), 'tampered')
    await resolve({layers: [EXT_ARN], endpointUrl: stub.endpoint})
    expect(stub.downloads).toHaveLength(2)
    expect(sha256b64(readFileSync(join(cacheDir, `${hex}.zip`)))).toBe(sha256b64(readFileSync(extZip)))
  })

  test('XDG_CACHE_HOME picks the cache directory; noCache writes nothing and deletes its temp file', async () => {
    process.env.XDG_CACHE_HOME = cacheDir
    try {
      await resolveFunction({layers: [EXT_ARN], endpointUrl: stub.endpoint}).then((r) => r.dispose())
      expect(readdirSync(join(cacheDir, 'layer-audit', 'zips'))).toHaveLength(1)
      const temps = () => readdirSync(tmpdir()).filter((f) => f.startsWith('layer-audit-zip-')).sort()
      const before = temps()
      const r = await resolveFunction({layers: [LIB_ARN], endpointUrl: stub.endpoint, noCache: true})
      expect(temps().length).toBe(before.length + 1)
      expect(readdirSync(join(cacheDir, 'layer-audit', 'zips'))).toHaveLength(1)
      expect(r.layout.zips[0].source).toBe(LIB_ARN)
      expect(await r.layout.openFile('/opt/lib/libshared.so').then(async (s) => (await s.toArray()).join(''))).toBe('ELF...')
      await r.dispose()
      expect(temps()).toEqual(before)
      expect(stub.downloads).toHaveLength(2)
    } finally {
      delete process.env.XDG_CACHE_HOME
    }
  })

  test('checksum mismatch: an error naming the ARN, nothing cached', async () => {
    stub.layers.set(EXT_ARN, {zip: extZip, lieSha256: sha256b64(Buffer.from('something else'))})
    const e = await failure(resolve({layers: [EXT_ARN], endpointUrl: stub.endpoint}))
    expect(e.code).toBe('DIGEST_MISMATCH')
    expect(e.line).toMatch(new RegExp(`^${EXT_ARN}: CodeSha256: digest mismatch`))
    expect(readdirSync(cacheDir).filter((f) => f.endsWith('.zip'))).toEqual([])
  })

  test('403 on the presigned URL: "expired download URL", the URL never shown', async () => {
    stub.expired = true
    const e = await failure(resolve({layers: [EXT_ARN], endpointUrl: stub.endpoint, noCache: true}))
    expect(e.line).toBe(`${EXT_ARN}: expired download URL (HTTP 403): the presigned URL is valid for 10 minutes; run again to get a fresh one`)
  })

  test('429 from the API is retried by the SDK and then succeeds', async () => {
    stub.throttle = 2
    const r = await resolve({layers: [EXT_ARN], endpointUrl: stub.endpoint})
    expect(r.layout.tree.has('/opt/extensions/my-ext')).toBe(true)
    expect(stub.apiRequests).toHaveLength(3)
  })

  test('an unknown layer version: ResourceNotFound naming the ARN', async () => {
    const missing = 'arn:aws:lambda:eu-west-1:123456789012:layer:nope:1'
    const e = await failure(resolve({layers: [missing], endpointUrl: stub.endpoint}))
    expect(e.code).toBe('NOT_FOUND')
    expect(e.line).toBe(`${missing}: not found (ResourceNotFoundException): check the name, version and region`)
  })

  test('layer ARNs mixed with local zips, in order', async () => {
    const r = await resolve({layers: [EXT_ARN, libZip], endpointUrl: stub.endpoint})
    expect(r.layout.tree.get('/opt/extensions/my-ext')).toMatchObject({layer: 1, source: libZip})
    expect(r.layout.tree.hidden('/opt/extensions/my-ext')).toEqual([0])
    expect(r.layout.shadowed.map((s) => s.path)).toEqual(['/opt/extensions/my-ext'])
  })
})

describe('functions', () => {
  test('GetFunction (endpoint from AWS_ENDPOINT_URL): layers in order into /opt, code into /var/task', async () => {
    process.env.AWS_ENDPOINT_URL = stub.endpoint
    try {
      const r = await resolve({layers: [], functionName: 'my-fn'})
      expect(stub.apiRequests).toEqual(['GET /2015-03-31/functions/my-fn', 'GET /2018-10-31/layers', 'GET /2018-10-31/layers'])
      expect(r.layout.tree.get('/opt/extensions/my-ext')).toMatchObject({layer: 1, source: LIB_ARN})
      expect(r.layout.tree.get('/var/task/app.py')).toMatchObject({layer: 2, source: 'arn:aws:lambda:eu-west-1:123456789012:function:my-fn'})
      expect(r.config).toMatchObject({runtime: 'python3.12', handler: 'app.handler', architectures: ['arm64'], environment: {AWS_LAMBDA_EXEC_WRAPPER: '/opt/wrapper'}})
      expect(r.config?.layers.map((l) => l.arn)).toEqual([EXT_ARN, LIB_ARN])
      expect(r.summary).toMatchObject({name: 'my-fn', runtime: 'python3.12', handler: 'app.handler', architectures: ['arm64']})
      expect(r.summary.layers.map((l) => l.source)).toEqual([EXT_ARN, LIB_ARN])
      expect(JSON.stringify(r.config)).toContain('"location":"<presigned URL>"')
    } finally {
      delete process.env.AWS_ENDPOINT_URL
    }
  })

  test('--layer and --function-zip stand in for the config\'s layers and Code.Location', async () => {
    const r = await resolve({layers: [libZip], functionZip: codeZip, functionName: 'my-fn', endpointUrl: stub.endpoint})
    expect(stub.apiRequests).toEqual(['GET /2015-03-31/functions/my-fn'])
    expect(stub.downloads).toEqual([])
    expect(r.layout.zips.map((z) => z.source)).toEqual([libZip, codeZip])
    expect(r.notes.join('\n')).toMatch(/1 --layer flag\(s\) stand in for the 2 layer\(s\)/)
  })

  test('AccessDenied, expired credentials and an unknown function: one clear line each', async () => {
    expect((await failure(resolve({layers: [], functionName: 'denied', endpointUrl: stub.endpoint}))).line).toBe(
      'denied: access denied (AccessDeniedException): the credentials lack permission for this call',
    )
    expect((await failure(resolve({layers: [], functionName: 'expired-creds', endpointUrl: stub.endpoint}))).line).toMatch(/^expired-creds: AWS credentials have expired/)
    const e = await failure(resolve({layers: [], functionName: 'ghost', endpointUrl: stub.endpoint}))
    expect(e.line).toBe('ghost: not found (ResourceNotFoundException): check the name, version and region')
    expect(e.line).not.toContain('AKIA')
  })

  test('PackageType Image: the config with its resolved image URI, nothing downloaded', async () => {
    stub.functions.set('img-fn', {
      configuration: {FunctionName: 'img-fn', PackageType: 'Image', Architectures: ['x86_64'], ImageConfigResponse: {ImageConfig: {Command: ['app.handler']}}},
      imageUri: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:latest',
    })
    const r = await resolve({layers: [], functionName: 'img-fn', endpointUrl: stub.endpoint})
    expect(r.config?.packageType).toBe('Image')
    expect(r.config?.code?.resolvedImageUri).toMatch(/@sha256:1{64}$/)
    expect(r.config?.imageConfig).toEqual({command: ['app.handler']})
    expect(stub.downloads).toEqual([])
    expect(r.layout.zips).toEqual([])
  })
})

describe('saved function configs', () => {
  test('get-function output with --layer and --function-zip: nothing asked of AWS', async () => {
    const file = join(dir, 'get-function.json')
    writeFileSync(file, JSON.stringify({
      Configuration: {FunctionName: 'saved', Runtime: 'nodejs20.x', Handler: 'index.handler', PackageType: 'Zip', Layers: [{Arn: EXT_ARN, CodeSize: 10}], CodeSha256: 'x', CodeSize: 1},
      Code: {RepositoryType: 'S3', Location: `https://awslambda-eu-west-1-tasks.s3.eu-west-1.amazonaws.com/snapshots/123/saved?${SECRET_QUERY}`},
    }))
    const r = await resolve({layers: [extZip], functionZip: codeZip, functionConfig: file})
    expect(stub.apiRequests).toEqual([])
    expect(r.summary).toMatchObject({name: 'saved', runtime: 'nodejs20.x', handler: 'index.handler', architectures: ['x86_64'], codeSource: codeZip})
    expect(r.layout.tree.get('/var/task/app.py')?.layer).toBe(1)
  })

  test('get-function-configuration output (bare) parses; no Code.Location is noted', async () => {
    const file = join(dir, 'get-function-configuration.json')
    writeFileSync(file, JSON.stringify({FunctionName: 'bare', Runtime: 'python3.11', Handler: 'a.b', Layers: [], Environment: {Variables: {A: '1'}}}))
    const r = await resolve({layers: [extZip], functionConfig: file})
    expect(r.config).toMatchObject({name: 'bare', packageType: 'Zip', environment: {A: '1'}})
    expect(r.notes.join('\n')).toMatch(/no Code.Location/)
  })

  test('malformed config files: clear errors naming the file', async () => {
    const notJson = join(dir, 'bad.json')
    writeFileSync(notJson, '{"Configuration": ')
    await expect(readFunctionConfig(notJson)).rejects.toThrow(/^not JSON/)
    const wrong = join(dir, 'wrong.json')
    writeFileSync(wrong, JSON.stringify({Layers: 'x'}))
    const e = await failure(readFunctionConfig(wrong))
    expect(e.line).toBe(`${wrong}: no FunctionName or FunctionArn: not the output of \`aws lambda get-function\` or \`get-function-configuration\``)
    const badLayers = join(dir, 'layers.json')
    writeFileSync(badLayers, JSON.stringify({FunctionName: 'f', Layers: [{CodeSize: 1}]}))
    expect((await failure(readFunctionConfig(badLayers))).line).toBe(`${badLayers}: Layers[0] has no Arn`)
    expect(existsSync(join(dir, 'missing.json'))).toBe(false)
    expect((await failure(readFunctionConfig(join(dir, 'missing.json')))).code).toBe('NOT_FOUND')
  })

  test('--function and --function-config together are a usage error', async () => {
    await expect(resolveFunction({layers: [], functionName: 'a', functionConfig: 'b'})).rejects.toThrow(/not both/)
  })
})
