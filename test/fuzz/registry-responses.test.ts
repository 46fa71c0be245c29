/**
 * A fuzz campaign over what a registry answers: Debian's docker-registry on loopback holds real pushed
 * images (skopeo), and a fault proxy in front of it answers some requests wrongly — any status with any
 * body, bodies cut, stalled, shortened, lengthened without end, or mutated (bytes flipped, JSON swapped for
 * wrong types, deep nesting, control characters, huge strings). Whatever it answers, the CLI must end
 * with exit 0, 1 or 2, no internal error, no raw control byte on stdout or stderr, under 1 GiB.
 *
 * Bounded for `npm test`; LAYER_AUDIT_FUZZ=1 runs 20x more cases (LAYER_AUDIT_FUZZ_SEED replays one).
 */
import {spawn} from 'node:child_process'
import {existsSync, mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import fc from 'fast-check'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {FIXTURES, REPO} from '../helpers/cli.js'
import {startFaultProxy, type Fault, type SeenRequest} from '../registry/helpers/fault-proxy.js'
import {skopeoPush, startRegistry, type RegistryServer} from '../registry/helpers/registry-server.js'

const LONG = process.env.LAYER_AUDIT_FUZZ === '1'
const SEED = process.env.LAYER_AUDIT_FUZZ_SEED ? Number(process.env.LAYER_AUDIT_FUZZ_SEED) : undefined
const TIME = '/usr/bin/time'

type Target = 'ping' | 'manifest' | 'blob' | 'any'

/** What to put in place of a body. */
type BodyChange =
  | {kind: 'flip'; at: number; xor: number}
  | {kind: 'cut'; keep: number}
  | {kind: 'json'; text: string}

interface Plan {
  target: Target
  /** How many matching requests are answered wrongly (later ones pass): 1 lets a retry succeed. */
  times: number
  fault: {kind: 'status'; status: number; body: string} | {kind: 'stall' | 'cut'; afterBytes: number} | {kind: 'short'; bytes: number} | {kind: 'append'; bytes: number | 'endless'} | {kind: 'body'; change: BodyChange}
}

const deep = (n: number) => '['.repeat(n) + ']'.repeat(n)
const jsonBodies = fc.constantFrom(
  '',
  'null',
  '[]',
  '{"schemaVersion": "2"}',
  '{"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json", "config": "x", "layers": {}}',
  '{"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [{"digest": 5}]}',
  '{"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json", "config": {"digest": "sha256:' + 'a'.repeat(64) + '", "size": -1}, "layers": []}',
  `{"schemaVersion": 2, "mediaType": "text/\\u001b]0;PWNED\\u0007\\u001b[31m${'m'.repeat(3000)}"}`,
  `{"errors": [{"code": "\\u001b[2J", "message": "${'\\n'.repeat(50)}x"}]}`,
  deep(20_000),
  `{"architecture": {"x": 1}, "os": ["linux"], "rootfs": {"diff_ids": ${deep(5000)}}}`,
  '{"token": 5, "access_token": {"a": 1}}',
)

const plans: fc.Arbitrary<Plan> = fc.record({
  target: fc.constantFrom<Target>('ping', 'manifest', 'blob', 'blob', 'any'),
  times: fc.constantFrom(1, 2, 1000),
  fault: fc.oneof(
    fc.record({kind: fc.constant('status' as const), status: fc.constantFrom(200, 201, 204, 301, 400, 401, 403, 404, 416, 429, 500, 502, 503, 599), body: jsonBodies}),
    fc.record({kind: fc.constantFrom('stall' as const, 'cut' as const), afterBytes: fc.nat(5000)}),
    fc.record({kind: fc.constant('short' as const), bytes: fc.nat(3000)}),
    fc.record({kind: fc.constant('append' as const), bytes: fc.oneof(fc.nat(100_000), fc.constant('endless' as const))}),
    fc.record({
      kind: fc.constant('body' as const),
      change: fc.oneof(
        fc.record({kind: fc.constant('flip' as const), at: fc.nat(), xor: fc.integer({min: 1, max: 255})}),
        fc.record({kind: fc.constant('cut' as const), keep: fc.nat(4000)}),
        fc.record({kind: fc.constant('json' as const), text: jsonBodies}),
      ),
    }),
  ),
})

function matches(target: Target, req: SeenRequest): boolean {
  if (target === 'any') return true
  if (target === 'ping') return req.path === '/v2/' || req.path === '/v2'
  if (target === 'manifest') return req.path.includes('/manifests/')
  return req.path.includes('/blobs/')
}

function changeBody(body: Buffer, change: BodyChange): Buffer {
  if (change.kind === 'json') return Buffer.from(change.text)
  if (change.kind === 'cut') return body.subarray(0, change.keep)
  if (body.length === 0) return body
  const out = Buffer.from(body)
  out[change.at % out.length]! ^= change.xor
  return out
}

function toFault(plan: Plan): Fault {
  const f = plan.fault
  if (f.kind === 'body') return {kind: 'mutate', body: (original) => changeBody(original, f.change)}
  if (f.kind === 'status') return {kind: 'status', status: f.status, rawBody: f.body}
  return f
}

describe('fuzz: registry responses through a fault proxy', () => {
  let registry: RegistryServer
  const cache = mkdtempSync(join(tmpdir(), 'la-fuzz-registry-'))

  beforeAll(async () => {
    registry = await startRegistry()
    await skopeoPush(`oci-archive:${join(FIXTURES, 'images', 'function-index-attested.oci.tar')}`, `${registry.host}/fuzz/multi:v1`, {all: true})
    await skopeoPush(`docker-archive:${join(FIXTURES, 'images', 'secrets-single-stage.docker.tar')}`, `${registry.host}/fuzz/secrets:v1`)
  }, 120_000)
  afterAll(async () => registry?.stop())

  it('exit 0, 1 or 2; no internal error; no raw control byte on stdout or stderr; under 1 GiB; no hang', async () => {
    const cases = fc.sample(fc.tuple(plans, fc.constantFrom('tree', 'scan', 'inspect'), fc.constantFrom('fuzz/multi:v1', 'fuzz/secrets:v1')), {
      numRuns: LONG ? 160 : 8,
      ...(SEED !== undefined ? {seed: SEED} : {}),
    })
    // Cases once found by the long campaign, kept.
    const found: [Plan, string, string][] = [[{target: 'any', times: 1000, fault: {kind: 'append', bytes: 'endless'}}, 'inspect', 'fuzz/secrets:v1']]
    for (const [plan, command, image] of [...found, ...cases]) {
      let faulted = 0
      const proxy = await startFaultProxy(registry.port, (req) => (matches(plan.target, req) && faulted++ < plan.times ? toFault(plan) : {kind: 'pass'}))
      try {
        const argv = [join(REPO, 'bin', 'run.js'), command, `${proxy.host}/${image}`, '--platform', 'linux/amd64']
        if (process.env.LAYER_AUDIT_FUZZ_TRACE) console.error(command, image, JSON.stringify(plan))
        const env = {...process.env, NO_COLOR: '1', XDG_CACHE_HOME: cache, LAYER_AUDIT_REGISTRY_TIMEOUT_MS: '500'}
        const measured = existsSync(TIME)
        // Spawned, not spawnSync: the proxy lives in this process and must keep answering.
        const result = measured ? await run(TIME, ['-f', '%M', process.execPath, ...argv], env) : await run(process.execPath, argv, env)
        const label = `${command} ${image} with ${JSON.stringify(plan)}`
        if (process.env.LAYER_AUDIT_FUZZ_TRACE) console.error('->', result.status, result.signal, result.stderr.toString('utf8').slice(0, 200))
        const stderr = result.stderr.toString('utf8')
        const stdout = result.stdout
        expect(result.signal, `${label}: killed (hang?)`).toBeNull()
        expect([0, 1, 2], `${label}: exit ${result.status}\n${stderr}`).toContain(result.status)
        expect(stderr, label).not.toMatch(/internal error|TypeError|RangeError|Maximum call stack|    at /)
        const lines = measured ? stderr.trimEnd().split('\n').slice(0, -1).join('\n') : stderr
        expect(hasRawControl(stdout) || hasRawControl(Buffer.from(lines)), `${label}: raw control byte`).toBe(false)
        if (measured) expect(Number(stderr.trimEnd().split('\n').at(-1)), `${label}: peak RSS`).toBeLessThan(1024 * 1024)
      } finally {
        await proxy.stop()
      }
    }
  }, LONG ? 3_600_000 : 240_000)
})

function hasRawControl(bytes: Buffer): boolean {
  return bytes.some((b) => (b < 0x20 && b !== 0x0a) || b === 0x7f)
}

interface Run {
  status: number | null
  signal: NodeJS.Signals | null
  stdout: Buffer
  stderr: Buffer
}

/** Runs to the end, killed after 90 s (a hang fails the case as a signal). */
function run(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    // Its own process group: a hang is killed whole (`time` and the node under it).
    const child = spawn(file, args, {env, stdio: ['ignore', 'pipe', 'pipe'], detached: true})
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (d: Buffer) => out.push(d))
    child.stderr.on('data', (d: Buffer) => err.push(d))
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 90_000)
    child.on('close', (status, signal) => {
      clearTimeout(timer)
      resolve({status, signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err)})
    })
  })
}
