/**
 * The fleet inventory through the real @aws-sdk/client-lambda against the loopback Lambda stub: paging
 * over regions, the filters, throttling and per-function failures, and the rate it keeps.
 */
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {inspect} from 'node:util'
import {afterAll, beforeAll, beforeEach, describe, expect, test} from 'vitest'
import {LayerAuditError} from '../../src/errors.js'
import {listFleet, type Fleet, type InventoryOptions} from '../../src/fleet/inventory.js'
import {LambdaStub, SECRET_QUERY, STUB_ACCOUNT, useFakeAwsEnvironment, type StubFunction} from '../lambda/lambda-stub.js'
import {cleanup, tempDir} from '../lambda/zips.js'

const EU = 'eu-west-1'
const US = 'us-east-1'
const SECRET_PARTS = ['SECRETTOKENabc123', 'f00dfacef00dface', SECRET_QUERY, '/bucket/', 'wJalrXUtnFEMI']

let stub: LambdaStub
let dir: string
let codeZip: string
let restoreEnv: () => void

const arnOf = (region: string, name: string) => `arn:aws:lambda:${region}:${STUB_ACCOUNT}:function:${name}`
const digestOf = (name: string) => Buffer.from(name.padEnd(32, '.')).toString('hex').slice(0, 64)

function imageFunction(region: string, name: string, tags: Record<string, string>): StubFunction {
  const repository = `${STUB_ACCOUNT}.dkr.ecr.${region}.amazonaws.com/${name}`
  return {
    configuration: {PackageType: 'Image', Architectures: ['arm64'], ImageConfigResponse: {ImageConfig: {Command: ['app.handler']}}},
    imageUri: `${repository}:latest`,
    resolvedImageUri: `${repository}@sha256:${digestOf(name)}`,
    tags,
  }
}

/** 230 functions: 120 image and 10 zip functions in eu-west-1 (3 pages), 100 image functions in us-east-1 (2 pages). */
function stockFleet(): void {
  for (let i = 0; i < 120; i++) {
    const name = `api-${String(i).padStart(3, '0')}`
    stub.functions.set(name, imageFunction(EU, name, {team: i % 2 === 0 ? 'payments' : 'search', ...(i % 3 === 0 ? {env: 'prod'} : {})}))
  }
  for (let i = 0; i < 10; i++) {
    stub.functions.set(`legacy-${i}`, {configuration: {Runtime: 'python3.12', Handler: 'app.handler'}, codeZip})
  }
  const us = stub.functionsIn(US)
  for (let i = 0; i < 100; i++) us.set(`worker-${String(i).padStart(2, '0')}`, imageFunction(US, `worker-${String(i).padStart(2, '0')}`, {team: 'search'}))
}

/** Fast enough that the big runs take well under a second; the rate test sets its own. */
function inventory(options: Partial<InventoryOptions> = {}): Promise<Fleet> {
  return listFleet({regions: [EU, US], endpointUrl: stub.endpoint, getFunctionRate: 2000, controlPlaneRate: 1000, concurrency: 16, ...options})
}

function expectNoSecret(value: unknown): void {
  const text = `${JSON.stringify(value)}\n${inspect(value, {depth: 10})}`
  for (const part of SECRET_PARTS) expect(text).not.toContain(part)
}

async function failure(promise: Promise<unknown>): Promise<LayerAuditError> {
  const error = await promise.then(() => undefined, (e: unknown) => e)
  expect(error).toBeInstanceOf(LayerAuditError)
  const e = error as LayerAuditError
  expect(e.line).not.toContain('\n')
  expectNoSecret(`${e.line}\n${String(e)}`)
  return e
}

beforeAll(async () => {
  restoreEnv = useFakeAwsEnvironment(EU)
  dir = tempDir('la-fleet-')
  codeZip = join(dir, 'code.zip')
  writeFileSync(codeZip, 'the stub only hashes it')
  stub = new LambdaStub()
  await stub.start()
})

afterAll(async () => {
  await stub.stop()
  cleanup(dir)
  restoreEnv()
})

beforeEach(() => {
  stub.functions.clear()
  stub.regions.clear()
  stub.resetTraffic()
  stockFleet()
})

describe('listing', () => {
  test('every page of every region, GetFunction for each, sorted by ARN, nothing secret kept', async () => {
    const {functions, stats} = await inventory()
    expect(functions).toHaveLength(230)
    expect(functions.map((fn) => fn.arn)).toEqual(functions.map((fn) => fn.arn).sort())
    expect(stub.requests('ListFunctions')).toBe(5)
    expect(stub.requests('GetFunction')).toBe(230)
    expect(stats).toEqual({listCalls: 5, getCalls: 230, throttled: 0})

    const worker = functions.find((fn) => fn.name === 'worker-07')!
    expect(worker).toMatchObject({arn: arnOf(US, 'worker-07'), region: US, packageType: 'Image', tags: {team: 'search'}})
    expect(worker.config).toMatchObject({
      architectures: ['arm64'],
      imageConfig: {command: ['app.handler']},
      code: {resolvedImageUri: `${STUB_ACCOUNT}.dkr.ecr.${US}.amazonaws.com/worker-07@sha256:${digestOf('worker-07')}`},
    })
    const legacy = functions.find((fn) => fn.name === 'legacy-3')!
    expect(legacy).toMatchObject({region: EU, packageType: 'Zip', tags: {}, config: {runtime: 'python3.12'}})
    expect(String(legacy.config?.code?.location)).toBe('<presigned URL>')
    expect(functions.filter((fn) => fn.error)).toEqual([])
    expectNoSecret(functions)
  })

  test('a function listed twice, and a region given twice, are kept and listed once', async () => {
    stub.functions.set('api-000-again', {configuration: {FunctionName: 'api-000', FunctionArn: arnOf(EU, 'api-000'), PackageType: 'Image'}})
    const {functions, stats} = await inventory({regions: [EU, US, EU]})
    expect(functions.filter((fn) => fn.name === 'api-000')).toHaveLength(1)
    expect(functions).toHaveLength(230)
    expect(stats.listCalls).toBe(5)
  })

  test('a qualified ARN in the listing is kept unqualified', async () => {
    stub.functions.clear()
    stub.regions.clear()
    stub.functions.set('pinned', {configuration: {FunctionArn: `${arnOf(EU, 'pinned')}:$LATEST`}})
    const {functions} = await inventory({regions: [EU]})
    expect(functions.map((fn) => fn.arn)).toEqual([arnOf(EU, 'pinned')])
  })
})

describe('filters', () => {
  test('globs match the name, or the ARN when they start with arn:; GetFunction only for matches', async () => {
    const {functions, stats} = await inventory({functionGlobs: ['api-00?', `arn:aws:lambda:${US}:*:function:worker-9*`, 'nothing-*']})
    expect(functions.map((fn) => fn.name)).toEqual([
      ...Array.from({length: 10}, (_, i) => `api-00${i}`),
      ...Array.from({length: 10}, (_, i) => `worker-9${i}`),
    ])
    expect(stats.getCalls).toBe(20)
  })

  test('a name glob does not match the ARN, nor an ARN glob the name', async () => {
    const {functions} = await inventory({functionGlobs: ['*:function:api-001', 'arn:*:legacy-?'], regions: [EU]})
    expect(functions.map((fn) => fn.name)).toEqual(Array.from({length: 10}, (_, i) => `legacy-${i}`))
  })

  test('every --tag must match GetFunction\'s Tags', async () => {
    const {functions, stats} = await inventory({tags: [{key: 'team', value: 'payments'}, {key: 'env', value: 'prod'}]})
    // Even i and i % 3 === 0: every sixth of 120.
    expect(functions.map((fn) => fn.name)).toEqual(Array.from({length: 20}, (_, i) => `api-${String(i * 6).padStart(3, '0')}`))
    expect(stats.getCalls).toBe(230) // tags are known only from GetFunction
  })

  test('the select predicate runs after the globs and before GetFunction: unselected functions are never read', async () => {
    const seen: string[] = []
    const select = (arn: string) => {
      seen.push(arn)
      return arn.endsWith('7')
    }
    const {functions} = await inventory({functionGlobs: ['worker-*'], select})
    expect(seen).toHaveLength(100)
    expect(functions.map((fn) => fn.name)).toEqual(Array.from({length: 10}, (_, i) => `worker-${i}7`))
    expect(stub.requests('GetFunction')).toBe(10)
    const read = stub.apiRequests.filter((line) => line.startsWith('GET /2015-03-31/functions/'))
    expect(read.map((line) => decodeURIComponent(line.split('/').pop()!))).toEqual(expect.arrayContaining(functions.map((fn) => fn.arn)))
    expect(read).toHaveLength(10)
  })
})

describe('throttling', () => {
  test('bursts of 429 on both operations are retried with backoff and counted; the run completes', async () => {
    stub.throttleOperations.set('ListFunctions', 2).set('GetFunction', 12)
    const throttles: {operation: string; attempt: number; delayMs: number}[] = []
    const {functions, stats} = await inventory({retry: {baseMs: 10}, onThrottle: (operation, attempt, delayMs) => throttles.push({operation, attempt, delayMs})})
    expect(functions).toHaveLength(230)
    expect(functions.filter((fn) => fn.error)).toEqual([])
    expect(stats).toEqual({listCalls: 7, getCalls: 242, throttled: 14})
    expect(stub.requests('GetFunction')).toBe(242)
    expect(throttles.filter((t) => t.operation === 'ListFunctions').map((t) => t.attempt)).toEqual([1, 2])
    expect(throttles.filter((t) => t.operation === 'GetFunction')).toHaveLength(12)
    for (const t of throttles) expect(t.delayMs).toBeLessThanOrEqual(10 * 2 ** (t.attempt - 1))
  })

  test('throttled past every attempt: that function gets one error line, the others are read', async () => {
    stub.throttleOperations.set('GetFunction', 3)
    const {functions, stats} = await inventory({regions: [EU], functionGlobs: ['api-000', 'api-001'], concurrency: 1, retry: {attempts: 3, baseMs: 1}})
    expect(functions.map((fn) => [fn.name, fn.error])).toEqual([
      ['api-000', 'GetFunction: throttled by Lambda (TooManyRequestsException) after retries'],
      ['api-001', undefined],
    ])
    expect(stats.throttled).toBe(3)
  })

  test('a Retry-After from Lambda is waited out even when the backoff would be shorter', async () => {
    stub.throttleOperations.set('GetFunction', 1)
    stub.retryAfterSeconds = 1
    const delays: number[] = []
    const started = performance.now()
    const {functions} = await inventory({functionGlobs: ['api-000'], retry: {baseMs: 1}, onThrottle: (_op, _attempt, delayMs) => delays.push(delayMs)})
    expect(delays).toEqual([1000])
    expect(performance.now() - started).toBeGreaterThanOrEqual(990)
    expect(functions[0].config?.code?.resolvedImageUri).toContain('@sha256:')
  })

  test('the GetFunction rate is kept: 40 calls at 20/s take about two seconds, about 21 at most in a second', async () => {
    const started = performance.now()
    const {functions} = await inventory({regions: [EU], functionGlobs: ['api-00?', 'api-01?', 'api-02?', 'api-03?'], getFunctionRate: 20, concurrency: 8})
    const elapsed = performance.now() - started
    expect(functions).toHaveLength(40)
    expect(elapsed).toBeGreaterThanOrEqual(1900)
    expect(elapsed).toBeLessThan(8000) // loose: a loaded CI machine is slow, never early
    // 21 by the bucket (a burst of 1, then 20 a second); a timer fired late on a busy machine may bunch a few.
    expect(stub.peakRate('GetFunction')).toBeLessThanOrEqual(24)
  })
})

describe('failures', () => {
  test('GetFunction denied for one function, or the function deleted since the listing: an error line for that one only', async () => {
    stub.deniedFunctions.add('api-003')
    stub.functions.set('ghost', {configuration: {FunctionName: 'ghost', FunctionArn: arnOf(EU, 'deleted-meanwhile')}})
    const {functions} = await inventory({regions: [EU]})
    expect(functions).toHaveLength(131)
    const failed = functions.filter((fn) => fn.error)
    expect(failed.map((fn) => [fn.name, fn.error])).toEqual([
      ['api-003', 'GetFunction: access denied (AccessDeniedException): the credentials lack permission for this call'],
      ['ghost', 'GetFunction: not found (ResourceNotFoundException): check the name, version and region'],
    ])
    expect(failed.every((fn) => fn.config === undefined)).toBe(true)
    expect(functions.find((fn) => fn.name === 'api-004')?.config?.code?.resolvedImageUri).toBeDefined()
  })

  test('a denied function stays in a --tag run with its error: the filter cannot tell', async () => {
    stub.deniedFunctions.add('api-001')
    const {functions} = await inventory({regions: [EU], tags: [{key: 'team', value: 'payments'}]})
    expect(functions.map((fn) => fn.name)).toContain('api-001')
    expect(functions).toHaveLength(61)
  })

  test('ListFunctions denied: the run cannot know the fleet and stops with one line', async () => {
    stub.deniedOperations.add('ListFunctions')
    const e = await failure(inventory())
    expect(e.line).toBe(`ListFunctions in ${EU}: access denied (AccessDeniedException): the credentials lack permission for this call`)
    expect(stub.requests('GetFunction')).toBe(0)
  })

  test('a listed FunctionArn that is not a function of the region listed stops the run: it would key shards, state and GetFunction', async () => {
    stub.functions.set('elsewhere', {configuration: {FunctionName: 'elsewhere', FunctionArn: arnOf(US, 'elsewhere')}})
    try {
      const e = await failure(inventory({regions: [EU]}))
      expect(e.line).toContain('ListFunctions returned a FunctionArn that is not a function ARN of this region')
      expect(stub.requests('GetFunction')).toBe(0)
    } finally {
      stub.functions.delete('elsewhere')
    }
  })

  test('a Lambda endpoint that cannot be reached stops the run with one line', async () => {
    const closed = new LambdaStub()
    await closed.start()
    const endpointUrl = closed.endpoint
    await closed.stop()
    const e = await failure(inventory({endpointUrl}))
    expect(e.line).toBe(`ListFunctions in ${EU}: cannot reach the Lambda API (ECONNREFUSED)`)
  })

  test('no credentials: one line naming where they are looked for', async () => {
    const key = process.env.AWS_ACCESS_KEY_ID
    delete process.env.AWS_ACCESS_KEY_ID
    try {
      const e = await failure(inventory())
      expect(e.line).toBe(`ListFunctions in ${EU}: no AWS credentials found (environment, --profile / AWS_PROFILE, SSO or instance role)`)
    } finally {
      process.env.AWS_ACCESS_KEY_ID = key
    }
  })

  test('no region is a usage error', async () => {
    const e = await failure(inventory({regions: []}))
    expect(e.code).toBe('USAGE')
  })

  test('a concurrency of 0 or NaN still reads every function, one at a time', async () => {
    for (const concurrency of [0, Number.NaN]) {
      const {functions} = await inventory({regions: [US], functionGlobs: ['worker-0?'], concurrency})
      expect(functions.filter((fn) => fn.config)).toHaveLength(10)
    }
  })
})
