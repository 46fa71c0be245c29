/** fleet --state: the JSON Lines file a rerun resumes from, and the key that decides what is skipped. */
import {appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {summarize} from '../../src/audit/gate.js'
import {LayerAuditError} from '../../src/errors.js'
import type {FleetFunctionResult} from '../../src/fleet/report.js'
import {FleetState, stateKey} from '../../src/fleet/state.js'
import type {FunctionConfig} from '../../src/lambda/function-config.js'
import {cleanup, tempDir} from '../lambda/zips.js'

const SECRET = 'sk_live_51HxSECRETvalue0123456789'
const arnOf = (name: string) => `arn:aws:lambda:eu-west-1:123456789012:function:${name}`

function config(extra: Partial<FunctionConfig> = {}): FunctionConfig {
  return {
    name: 'orders',
    arn: arnOf('orders'),
    packageType: 'Image',
    architectures: ['x86_64'],
    environment: {LOG_LEVEL: 'info', STRIPE_KEY: SECRET},
    layers: [],
    imageConfig: {command: ['app.handler']},
    code: {imageUri: 'repo/orders:1', resolvedImageUri: `repo/orders@sha256:${'a'.repeat(64)}`},
    ...extra,
  }
}

function result(name: string, message = 'a finding'): FleetFunctionResult {
  const findings = [{rule: 'wrapper-missing', severity: 'error' as const, message, path: '/opt/wrapper'}]
  return {arn: arnOf(name), name, region: 'eu-west-1', packageType: 'Image', verdict: 'fail', findings, summary: summarize(findings)}
}

let dir: string
let file: string

beforeEach(() => {
  dir = tempDir('la-fleet-state-')
  file = join(dir, 'state.jsonl')
})
afterEach(() => cleanup(dir))

const nonEmptyLines = () => readFileSync(file, 'utf8').split('\n').filter((line) => line !== '')

describe('FleetState', () => {
  it('opens a missing file as an empty state and does not create it', async () => {
    const state = await FleetState.open(file)
    expect(state.lookup(arnOf('orders'), 'any')).toBeUndefined()
    expect(state.skippedLines).toBe(0)
    expect(existsSync(file)).toBe(false)
  })

  it('appends one line per record', async () => {
    const state = await FleetState.open(file)
    await state.record(arnOf('a'), 'k1', result('a'))
    expect(nonEmptyLines()).toHaveLength(1)
    await state.record(arnOf('b'), 'k2', result('b'))
    await state.record(arnOf('a'), 'k3', result('a'))
    expect(nonEmptyLines()).toHaveLength(3)
    expect(readFileSync(file, 'utf8').endsWith('\n')).toBe(true)
  })

  it('skips a torn last line, counts it, and keeps the lines before it', async () => {
    const state = await FleetState.open(file)
    await state.record(arnOf('a'), 'ka', result('a'))
    await state.record(arnOf('b'), 'kb', result('b'))
    const whole = JSON.stringify({v: 1, arn: arnOf('c'), key: 'kc', result: result('c')})
    appendFileSync(file, whole.slice(0, whole.length / 2))

    const reopened = await FleetState.open(file)
    expect(reopened.skippedLines).toBe(1)
    expect(reopened.lookup(arnOf('a'), 'ka')?.name).toBe('a')
    expect(reopened.lookup(arnOf('b'), 'kb')?.name).toBe('b')
    expect(reopened.lookup(arnOf('c'), 'kc')).toBeUndefined()
  })

  it('keeps what is recorded after a torn line: an interrupted rerun loses nothing it finished', async () => {
    const first = await FleetState.open(file)
    await first.record(arnOf('a'), 'ka', result('a'))
    appendFileSync(file, '{"v":1,"arn":"arn:aws:lambda:eu-west-1:1234')
    const rerun = await FleetState.open(file)
    await rerun.record(arnOf('b'), 'kb', result('b'))
    // Killed again before compacting: the next run must still find b.
    const third = await FleetState.open(file)
    expect(third.lookup(arnOf('b'), 'kb')?.name).toBe('b')
    expect(third.lookup(arnOf('a'), 'ka')?.name).toBe('a')
    expect(third.skippedLines).toBe(1)
  })

  it('takes the last line of an ARN', async () => {
    const state = await FleetState.open(file)
    await state.record(arnOf('a'), 'old', result('a', 'first'))
    await state.record(arnOf('a'), 'new', result('a', 'second'))
    const reopened = await FleetState.open(file)
    expect(reopened.lookup(arnOf('a'), 'new')?.findings[0].message).toBe('second')
    expect(reopened.lookup(arnOf('a'), 'old')).toBeUndefined()
  })

  it('returns nothing when the key changed', async () => {
    const state = await FleetState.open(file)
    await state.record(arnOf('a'), 'k1', result('a'))
    expect((await FleetState.open(file)).lookup(arnOf('a'), 'k2')).toBeUndefined()
    expect((await FleetState.open(file)).lookup(arnOf('other'), 'k1')).toBeUndefined()
  })

  it('compacts to the given ARNs, one line each, leaving no temp file', async () => {
    const state = await FleetState.open(file)
    for (const name of ['a', 'b', 'c']) await state.record(arnOf(name), `k-${name}`, result(name))
    await state.record(arnOf('a'), 'k-a2', result('a'))
    await state.compact(new Set([arnOf('a'), arnOf('c')]))
    expect(readdirSync(dir)).toEqual(['state.jsonl'])
    expect(nonEmptyLines().map((line) => JSON.parse(line).arn).sort()).toEqual([arnOf('a'), arnOf('c')])
    const reopened = await FleetState.open(file)
    expect(reopened.lookup(arnOf('a'), 'k-a2')).toBeDefined()
    expect(reopened.lookup(arnOf('b'), 'k-b')).toBeUndefined()
    expect(reopened.skippedLines).toBe(0)
  })

  it('refuses a directory with one line naming --state', async () => {
    const directory = join(dir, 'state.d')
    mkdirSync(directory)
    const error = await FleetState.open(directory).then(() => undefined, (e: unknown) => e)
    expect(error).toBeInstanceOf(LayerAuditError)
    expect((error as LayerAuditError).line).toBe(`${directory}: --state: not a regular file`)
  })

  it('refuses a file under a missing directory when opened, not when the first function is recorded', async () => {
    const missing = join(dir, 'missing', 'state.jsonl')
    const error = await FleetState.open(missing).then(() => undefined, (e: unknown) => e)
    expect((error as LayerAuditError).line).toBe(`${missing}: --state: no directory ${join(dir, 'missing')}`)
  })

  it('never stores an environment value: the key is a hash and the line holds the redacted result only', async () => {
    const key = stateKey(arnOf('orders'), config(), {config: 'none'})
    expect(key).toMatch(/^[0-9a-f]{64}$/)
    const state = await FleetState.open(file)
    await state.record(arnOf('orders'), key, result('orders'))
    const text = readFileSync(file, 'utf8')
    expect(text).toContain(key)
    expect(text).not.toContain(SECRET)
    expect(text).not.toContain('STRIPE_KEY')
  })
})

describe('stateKey', () => {
  const settings = {config: 'hash-of-config', maxFileBytes: null}
  const base = stateKey(arnOf('orders'), config(), settings)

  it('is the same for the same function', () => {
    expect(stateKey(arnOf('orders'), config(), settings)).toBe(base)
  })

  it.each<[string, Partial<FunctionConfig>]>([
    ['ResolvedImageUri', {code: {imageUri: 'repo/orders:1', resolvedImageUri: `repo/orders@sha256:${'b'.repeat(64)}`}}],
    ['an environment value', {environment: {LOG_LEVEL: 'debug', STRIPE_KEY: SECRET}}],
    ['an environment variable added', {environment: {LOG_LEVEL: 'info', STRIPE_KEY: SECRET, AWS_LAMBDA_EXEC_WRAPPER: '/opt/w'}}],
    ['architectures', {architectures: ['arm64']}],
    ['ImageConfig', {imageConfig: {command: ['other.handler']}}],
  ])('changes with %s', (_what, change) => {
    expect(stateKey(arnOf('orders'), config(change), settings)).not.toBe(base)
  })

  it('changes with the settings and the ARN', () => {
    expect(stateKey(arnOf('orders'), config(), {...settings, config: 'another'})).not.toBe(base)
    expect(stateKey(arnOf('orders'), config(), {...settings, maxFileBytes: 1024})).not.toBe(base)
    expect(stateKey(arnOf('payments'), config(), settings)).not.toBe(base)
  })

  it("does not change with the environment's key order", () => {
    expect(stateKey(arnOf('orders'), config({environment: {STRIPE_KEY: SECRET, LOG_LEVEL: 'info'}}), settings)).toBe(base)
  })

  it('differs between a function read and one whose configuration could not be read', () => {
    expect(stateKey(arnOf('orders'), undefined, settings)).not.toBe(base)
  })
})

