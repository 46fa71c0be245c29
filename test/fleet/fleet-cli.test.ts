/**
 * `layer-audit fleet` as a user meets it: what it refuses before any AWS call (exit 2, one line), and
 * against the loopback Lambda stub alone (no registry): a denied listing, a fleet of zip functions, a
 * --function glob that matches nothing. The CLI runs dist/: refresh it first (`npx tsc -p tsconfig.json`).
 */
import {mkdirSync} from 'node:fs'
import {createServer} from 'node:net'
import {join} from 'node:path'
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'
import {FIXTURES, runCli, usageLine} from '../helpers/cli.js'
import {LambdaStub} from '../lambda/lambda-stub.js'
import {cleanup, tempDir} from '../lambda/zips.js'

const REGION = 'eu-west-1'
const ZIPS = {
  'legacy-python': {Runtime: 'python3.12', Handler: 'app.handler', zip: 'function-code.zip'},
  'legacy-custom': {Runtime: 'provided.al2023', Handler: 'bootstrap', zip: 'layer-log-shipper.zip'},
}

let dir: string
let stub: LambdaStub

/** Dummy credentials and no config file, instance role or real region: nothing can reach a real account. */
function awsEnvironment(lambdaEndpoint: string): NodeJS.ProcessEnv {
  return {
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: '',
    AWS_PROFILE: '',
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL_LAMBDA: lambdaEndpoint,
    LAYER_AUDIT_CACHE_DIR: join(dir, 'cache'),
    XDG_CACHE_HOME: join(dir, 'cache'),
    LAYER_AUDIT_SHARD: '',
  }
}

/** A loopback port nothing listens on: any AWS call would fail with a network error. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as {port: number}
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

beforeAll(async () => {
  dir = tempDir('la-fleet-cli-')
  stub = new LambdaStub()
  await stub.start()
  for (const [name, {zip, ...configuration}] of Object.entries(ZIPS)) {
    stub.functions.set(name, {configuration: {...configuration, PackageType: 'Zip', Architectures: ['x86_64']}, codeZip: join(FIXTURES, 'zips', zip)})
  }
})
afterAll(async () => {
  await stub.stop()
  cleanup(dir)
})
beforeEach(() => stub.resetTraffic())

describe('usage errors, before any AWS call', () => {
  let offline: NodeJS.ProcessEnv
  beforeAll(async () => {
    offline = awsEnvironment(`http://127.0.0.1:${await closedPort()}`)
  })
  const fleet = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(['fleet', ...args], {env: {...offline, ...env}})

  it('asks for --region when AWS_REGION is not set either', async () => {
    expect(usageLine(await fleet([], {AWS_REGION: ''}))).toMatch(/give --region/)
  })

  it.each([
    [['--shard', '5/4'], /^layer-audit: --shard "5\/4": expected I\/N/],
    [['--tag', 'novalue'], /^layer-audit: --tag "novalue": expected KEY=VALUE/],
    [['--concurrency', '0'], /--concurrency/],
  ])('refuses %j', async (args, message) => {
    expect(usageLine(await fleet(['--region', REGION, ...args]))).toMatch(message)
  })

  it('refuses a --state that is a directory', async () => {
    const state = join(dir, 'state-dir')
    mkdirSync(state, {recursive: true})
    expect(usageLine(await fleet(['--region', REGION, '--state', state]))).toBe(`layer-audit: ${state}: --state: not a regular file`)
  })

  it('names LAYER_AUDIT_SHARD when its value is bad', async () => {
    expect(usageLine(await fleet(['--region', REGION], {LAYER_AUDIT_SHARD: 'bad'}))).toMatch(/^layer-audit: LAYER_AUDIT_SHARD "bad": expected I\/N/)
  })

  it('refuses an --output under a missing directory before the network', async () => {
    const output = join(dir, 'missing', 'fleet.json')
    const line = usageLine(await fleet(['--region', REGION, '-o', output]))
    expect(line).toBe(`layer-audit: ${output}: cannot write the report: no directory ${join(dir, 'missing')}`)
  })

  it('and without one the same run does try the network (the test above proves something)', async () => {
    expect(usageLine(await fleet(['--region', REGION]))).toMatch(/ListFunctions in eu-west-1: .*(reach|ECONNREFUSED)/)
  })
})

describe('against the Lambda stub', () => {
  const fleet = (args: string[]) => runCli(['fleet', '--region', REGION, ...args], {env: awsEnvironment(stub.endpoint)})

  it('stops with one line when ListFunctions is denied', async () => {
    stub.deniedOperations.add('ListFunctions')
    const line = usageLine(await fleet([]))
    expect(line).toMatch(/^layer-audit: ListFunctions in eu-west-1: .*(denied|not authorized)/i)
    expect(line).not.toContain('wJalrXUtnFEMI')
  })

  it('passes a fleet of zip functions, each with its readiness plan', async () => {
    const run = await fleet([])
    expect(run.code, run.stderr).toBe(0)
    expect(stub.requests('GetFunction')).toBe(2)
    for (const name of Object.keys(ZIPS)) expect(run.stdout).toMatch(new RegExp(`│ zip +│ ${name} +│`))
    // The last column ("image or plan") wraps within its cells: read it back as one text.
    const plans = run.stdout
      .split('\n')
      .filter((line) => line.startsWith('│'))
      .map((line) => line.split('│').at(-2)!.trim())
      .join(' ')
    for (const [name, base] of [['legacy-python', 'python:3.12'], ['legacy-custom', 'provided:al2023']]) {
      expect(plans).toContain(`no layer images, then a function image FROM public.ecr.aws/lambda/${base} with the code in /var/task (dockerfile --function ${name})`)
    }
  })

  it('refuses a --function glob that matches nothing: a typo is not a green gate over no function', async () => {
    const run = await fleet(['--function', 'nothing-*'])
    expect(run.code).toBe(2)
    expect(stub.requests('GetFunction')).toBe(0)
    expect(run.stdout).toBe('')
    expect(run.stderr.trim().split('\n')).toHaveLength(1)
    expect(run.stderr).toMatch(/--function "nothing-\*" matched no function in /)
  })

  it('passes an empty shard of a small fleet, saying it holds no function', async () => {
    // 1000 shards of a few functions: most are empty, and an empty slice is not an error.
    const run = await fleet(['--shard', '997/1000'])
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toMatch(/^functions: none · 0 images$/m)
  })
})
