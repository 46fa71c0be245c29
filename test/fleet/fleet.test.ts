/**
 * `fleet` end to end on a loopback account (helpers/fleet-world.ts): the real @aws-sdk/client-lambda
 * against the Lambda stub (pages, two regions, throttling, a denied GetFunction), images on the real
 * docker-registry behind a proxy that denies one repository. What the issue asks of it:
 * - the fleet report equals the union of the single `compare --function` reports;
 * - a base layer shared by every image is read once (bytes read within 1.2x of the unique layer bytes);
 * - shards 1/4…4/4 merged equal the unsharded report;
 * - an interrupted run resumed with --state audits the rest only.
 */
import {spawn} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {runCompare} from '../../src/audit/run-audit.js'
import {mergeFleetReports} from '../../src/fleet/merge.js'
import type {FleetFunctionResult, FleetReport} from '../../src/fleet/report.js'
import {runFleet, type FleetRunOptions} from '../../src/fleet/run-fleet.js'
import {openLayerCache} from '../../src/fs/layer-cache.js'
import type {Finding} from '../../src/rules/types.js'
import {REPO, runCli} from '../helpers/cli.js'
import {describeUnless} from '../helpers/skip-reason.js'
import {REGISTRY_BINARY} from '../registry/helpers/registry-server.js'
import {awsTestEnvironment, FUNCTION_COUNT, ODD_FUNCTIONS, REGIONS, startFleetWorld, type FleetWorld} from './helpers/fleet-world.js'

const missing = !existsSync(REGISTRY_BINARY) ? `${REGISTRY_BINARY} is not installed (apt-get install docker-registry)` : undefined

let world: FleetWorld
let dir: string
let env: NodeJS.ProcessEnv
const saved: NodeJS.ProcessEnv = {}
/** The unsharded, uncached run every other run is compared with. */
let baseline: FleetReport

const sharedCache = () => join(dir, 'layer-cache-shared')

function fleetOptions(extra: Partial<FleetRunOptions> = {}): FleetRunOptions {
  return {regions: [...REGIONS], endpointUrl: world.stub.endpoint, concurrency: 4, ...extra}
}

/** What must be equal between two reports of the same function: its findings as the gate sees them. */
function essence(findings: readonly Finding[]) {
  return findings
    .map((f) => ({rule: f.rule, severity: f.severity, path: f.path, layer: f.layer, message: f.message, fingerprint: f.fingerprint, suppressed: f.suppressed}))
    .sort((a, b) => (a.fingerprint! < b.fingerprint! ? -1 : a.fingerprint! > b.fingerprint! ? 1 : a.message < b.message ? -1 : 1))
}

function byArn(report: FleetReport): Map<string, FleetFunctionResult> {
  return new Map(report.functions.map((f) => [f.arn, f]))
}

/** A report's functions as another run must reproduce them (where the result came from aside). */
function comparable(report: FleetReport) {
  // pass/fail is the gate's (--fail-on) reading of the same findings: compared through them.
  return report.functions.map(({fromState: _fromState, stats: _stats, verdict, ...rest}) => ({
    ...rest,
    verdict: verdict === 'fail' ? 'pass' : verdict,
    findings: essence(rest.findings),
  }))
}

describeUnless(missing, 'fleet on a loopback account', () => {
  beforeAll(async () => {
    world = await startFleetWorld()
    dir = mkdtempSync(join(tmpdir(), 'fleet-test-'))
    env = awsTestEnvironment(world, join(dir, 'cache'))
    for (const key of Object.keys(env)) {
      saved[key] = process.env[key]
      process.env[key] = env[key]
    }
    // With an empty layer cache: what it reads is measured below, and every later run shares it.
    baseline = await runFleet(fleetOptions({layerCache: openLayerCache({dir: sharedCache()})}))
  }, 120_000)

  afterAll(async () => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key]
      else process.env[key] = value
    }
    await world?.stop()
    if (dir) rmSync(dir, {recursive: true, force: true})
  })

  it('lists every function of both regions, each once, sorted by ARN', () => {
    expect(baseline.functions).toHaveLength(FUNCTION_COUNT + 5)
    const arns = baseline.functions.map((f) => f.arn)
    expect([...arns].sort()).toEqual(arns)
    expect(new Set(arns).size).toBe(arns.length)
    expect(baseline.regions).toEqual([...REGIONS])
    expect(baseline.stats).toMatchObject({functions: FUNCTION_COUNT + 5, imageFunctions: FUNCTION_COUNT + 3, zipFunctions: 2})
    expect(baseline.verdicts.zip).toBe(2)
    expect(baseline.verdicts.error).toBe(3)
    expect(baseline.verdicts.pass + baseline.verdicts.fail).toBe(FUNCTION_COUNT)
  })

  it('reports each image function as `compare --function` does, finding for finding', async () => {
    const fleet = byArn(baseline)
    for (const name of world.imageFunctions) {
      const single = await runCompare({function: {layers: [], functionName: name, region: world.regionOf.get(name), endpointUrl: world.stub.endpoint}})
      const result = fleet.get(world.arnOf(name))!
      expect(result, name).toBeDefined()
      expect(essence(result.findings), name).toEqual(essence(single.findings))
      expect(result.notApplicable, name).toEqual(single.notApplicable)
      expect(result.summary, name).toEqual(single.summary)
      expect(result.image?.manifestDigest, name).toBe(single.image.manifestDigest)
    }
    // The images were made to fail in known ways: make sure they did, or the equality above says little.
    const rules = new Set(baseline.functions.flatMap((f) => f.findings.map((x) => x.rule)))
    for (const rule of ['architecture-mismatch', 'extension-not-executable', 'secret-in-layer', 'wrapper-missing', 'function-unauditable']) expect(rules).toContain(rule)
  }, 180_000)

  it('and through the CLI: compare --function --json and fleet --json agree', async () => {
    const fleet = await runCli(['fleet', '--region', REGIONS[0], '--region', REGIONS[1], '--function', 'fn-00?', '--function', 'fn-001', '--json'], {env})
    expect(fleet.code, fleet.stderr).toBe(1)
    const report = JSON.parse(fleet.stdout) as FleetReport
    // fn-00? matches ten; fn-001 twice is still one function.
    expect(report.functions.map((f) => f.name).sort()).toEqual(Array.from({length: 10}, (_, i) => `fn-00${i}`))
    for (const result of report.functions.slice(0, 3)) {
      const single = await runCli(['compare', '--function', result.name, '--region', result.region, '--json'], {env})
      expect(single.stderr).toBe('')
      expect(essence(result.findings)).toEqual(essence(JSON.parse(single.stdout).findings))
    }
  }, 60_000)

  it('makes what could not be audited a finding of that function, and goes on', () => {
    const fleet = new Map(baseline.functions.map((f) => [f.name, f]))
    const denied = fleet.get(ODD_FUNCTIONS.deniedRepository)!
    expect(denied.verdict).toBe('error')
    expect(denied.findings).toHaveLength(1)
    expect(denied.findings[0]).toMatchObject({rule: 'function-unauditable', severity: 'error'})
    expect(denied.findings[0].message, denied.findings[0].message).toMatch(/image.*(denied|403)/i)
    const deleted = fleet.get(ODD_FUNCTIONS.deletedImage)!
    expect(deleted.findings[0].message).toMatch(/not found|unknown|404/i)
    const config = fleet.get(ODD_FUNCTIONS.deniedGetFunction)!
    expect(config.findings[0].message).toMatch(/configuration.*access denied/i)
    for (const zip of ODD_FUNCTIONS.zip) expect(fleet.get(zip)!.verdict).toBe('zip')
  })

  it('gives zip functions their migration readiness', () => {
    const zip = baseline.functions.find((f) => f.name === ODD_FUNCTIONS.zip[0])!
    expect(zip.findings).toEqual([])
    expect(zip.readiness).toMatchObject({runtime: 'python3.12', handler: 'app.handler', baseImage: 'public.ecr.aws/lambda/python:3.12', layers: []})
    expect(zip.readiness!.unzippedSize).toBeGreaterThan(0)
    expect(zip.readiness!.plan).toContain('public.ecr.aws/lambda/python:3.12')
  })

  it('reads a layer shared by every image once: bytes read within 1.2x of the unique layer bytes', () => {
    // Each layer once: the wrapper paths of every function were anticipated before the first image opened.
    expect(baseline.stats.layersReferenced).toBe(2 * FUNCTION_COUNT)
    expect(baseline.stats.layersRead).toBe(world.uniqueLayers)
    expect(baseline.stats.bytesRead).toBeLessThanOrEqual(world.uniqueLayerBytes * 1.2)
    expect(baseline.stats.bytesReferenced).toBeGreaterThan(world.uniqueLayerBytes * 5)
  })

  it('shards 1/4…4/4 through the CLI, merged, equal the unsharded report; on a warm cache they read nothing, throttled or not', async () => {
    const cacheEnv = {...env, LAYER_AUDIT_CACHE_DIR: sharedCache()}
    const files: string[] = []
    const sizes: number[] = []
    // Lambda throttles: every throttled call is retried with backoff, and the reports do not change.
    world.stub.throttleOperations.set('ListFunctions', 3)
    world.stub.throttleOperations.set('GetFunction', 25)
    for (let i = 1; i <= 4; i++) {
      const file = join(dir, `shard-${i}.json`)
      const run = await runCli(['fleet', '--region', REGIONS[0], '--region', REGIONS[1], '--shard', `${i}/4`, '--format', 'json', '-o', file], {env: cacheEnv})
      expect(run.code, run.stderr).toBe(1)
      const shard = JSON.parse(readFileSync(file, 'utf8')) as FleetReport
      expect(shard.shard).toEqual({index: i, count: 4})
      expect(shard.stats.bytesRead).toBe(0)
      sizes.push(shard.functions.length)
      files.push(file)
    }
    expect(world.stub.throttleOperations.get('GetFunction')).toBe(0)
    world.stub.throttleOperations.clear()
    // Every shard has work (sha256 spreads 205 ARNs), and together they are the fleet.
    for (const size of sizes) expect(size).toBeGreaterThan(20)
    expect(sizes.reduce((a, b) => a + b)).toBe(baseline.functions.length)
    const merged = await mergeFleetReports(files)
    expect(comparable(merged)).toEqual(comparable(baseline))
    expect(merged.summary).toEqual(baseline.summary)
    expect(merged.mergedShards).toEqual([1, 2, 3, 4])
    const cli = await runCli(['merge', ...files, '--format', 'json'], {env})
    expect(cli.code, cli.stderr).toBe(1)
    expect(comparable(JSON.parse(cli.stdout) as FleetReport)).toEqual(comparable(baseline))
    // (Missing, repeated and overlapping shards: test/fleet/merge.test.ts.)
  }, 180_000)

  it('resumes an interrupted run with --state: the rest only', async () => {
    const state = join(dir, 'state.jsonl')
    const cacheEnv = {...env, LAYER_AUDIT_CACHE_DIR: join(dir, 'layer-cache-state')}
    // Half the account (fn-100…fn-199 and the odd ones) keeps the test short; the mechanism is the same.
    const select = ['--function', 'fn-1*', '--function', 'odd-*']
    const args = ['fleet', '--region', REGIONS[0], '--region', REGIONS[1], ...select, '--state', state, '--concurrency', '1', '--fail-on', 'never']
    const expected = {...baseline, functions: baseline.functions.filter((f) => /^(fn-1|odd-)/.test(f.name))}
    expect(expected.functions).toHaveLength(105)
    // Killed (as a CI runner kills a job) once 30 functions are on record.
    const child = spawn(process.execPath, [join(REPO, 'bin/run.js'), ...args, '--format', 'json'], {env: {...process.env, ...cacheEnv}, stdio: 'ignore'})
    const exited = new Promise((resolve) => child.once('exit', resolve))
    const lines = () => (existsSync(state) ? readFileSync(state, 'utf8').split('\n').filter((l) => l.trim() !== '').length : 0)
    while (lines() < 30 && child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 20))
    child.kill('SIGKILL')
    await exited
    const recorded = lines()
    expect(recorded).toBeGreaterThanOrEqual(30)
    expect(recorded).toBeLessThan(expected.functions.length - 3)

    // The rerun reads without any cache, so that the registry sees every image it opens.
    const layerBlobs = new Set(world.images.flatMap((image) => image.layerDigests))
    const layerGets = () => world.proxy.requests.filter((r) => r.method === 'GET' && layerBlobs.has(r.path.split('/blobs/')[1] ?? '')).length
    const before = layerGets()
    const rerun = await runCli([...args, '--no-cache', '--format', 'json'], {env: cacheEnv})
    expect(rerun.code, rerun.stderr).toBe(0)
    const report = JSON.parse(rerun.stdout) as FleetReport
    expect(report.stats.fromState).toBe(recorded)
    expect(report.functions.filter((f) => f.fromState)).toHaveLength(recorded)
    expect(comparable(report)).toEqual(comparable(expected))
    // Without a layer cache every layer of every audited image is read, and the report says so.
    expect(report.stats.bytesRead).toBe(report.stats.bytesReferenced)
    // Only the image functions not on record read their two layers.
    const audited = report.functions.filter((f) => !f.fromState && f.packageType === 'Image' && f.verdict !== 'error').length
    expect(layerGets() - before).toBe(2 * audited)
    // A third run has everything on record but the three that could not be audited: those are tried again.
    const third = JSON.parse((await runCli([...args, '--format', 'json'], {env: cacheEnv})).stdout) as FleetReport
    expect(third.stats.fromState).toBe(expected.functions.length - 3)
  }, 180_000)
})
