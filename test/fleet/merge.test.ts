/**
 * `layer-audit merge` over hand-made shard reports: what it refuses (and how it says so), the warning of
 * a missing shard, the gate it recomputes, and what it writes (escaped table, ASFF batches). The CLI
 * tests run dist/: refresh it first (`npx tsc -p tsconfig.json`).
 */
import {copyFileSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {MergeError, mergeFleetReports} from '../../src/fleet/merge.js'
import type {FleetReport} from '../../src/fleet/report.js'
import {shardOf} from '../../src/fleet/shard.js'
import {validateAsffBatch} from '../../src/report/fleet/index.js'
import {BROKEN_COMPARE, runCli, usageLine} from '../helpers/cli.js'
import {cleanup, tempDir} from '../lambda/zips.js'
import {ARCHITECTURE_WARNING, arnOf, imageResult, shardReport, WRAPPER_MISSING, writeReport} from './helpers/fleet-reports.js'

/** 30 functions: every third misses its wrapper (an error), every fifth has an architecture warning. */
const FLEET = Array.from({length: 30}, (_, k) => {
  const name = `fn-${String(k).padStart(2, '0')}`
  return imageResult(name, [...(k % 3 === 0 ? [WRAPPER_MISSING] : []), ...(k % 5 === 0 ? [ARCHITECTURE_WARNING] : [])])
})

let dir: string
/** shards[i-1] is the file of shard i/3. */
let shards: string[]

beforeAll(() => {
  dir = tempDir('la-merge-')
  shards = [1, 2, 3].map((i) => writeReport(dir, `shard-${i}.json`, shardReport(FLEET, i, 3)))
})
afterAll(() => cleanup(dir))

async function mergeError(files: string[]): Promise<MergeError> {
  const error = await mergeFleetReports(files).then(() => undefined, (e: unknown) => e)
  expect(error).toBeInstanceOf(MergeError)
  expect((error as MergeError).line).not.toContain('\n')
  return error as MergeError
}

describe('mergeFleetReports', () => {
  it('merges every shard into the whole fleet, sorted, with one summary', async () => {
    // The fixture must put work in every shard, or the rest proves little.
    for (let i = 1; i <= 3; i++) expect(FLEET.some((fn) => shardOf(fn.arn, 3) === i)).toBe(true)
    const merged = await mergeFleetReports(shards)
    expect(merged.functions.map((fn) => fn.arn)).toEqual(FLEET.map((fn) => fn.arn).sort())
    expect(merged.mergedShards).toEqual([1, 2, 3])
    expect(merged.shard).toBeUndefined()
    expect(merged.warnings).toBeUndefined()
    expect(merged.summary).toEqual({error: 10, warning: 6, note: 0, suppressed: 0})
    expect(merged.verdicts).toEqual({pass: 20, fail: 10, error: 0, zip: 0})
    expect(merged.stats).toMatchObject({functions: 30, imageFunctions: 30, zipFunctions: 0, images: 30, layersRead: 6, bytesRead: 6000})
  })

  it('refuses to merge nothing', async () => {
    expect((await mergeError([])).message).toMatch(/^give the shard reports to merge/)
  })

  it('refuses shards of different shardings', async () => {
    const quarter = writeReport(dir, 'quarter.json', shardReport(FLEET, 2, 4))
    const half = writeReport(dir, 'half.json', shardReport(FLEET, 1, 2))
    const error = await mergeError([half, quarter])
    expect(error.message).toMatch(/different shardings \(\/2, \/4\)/)
  })

  it('refuses a shard given twice, naming the file', async () => {
    const copy = join(dir, 'shard-1-again.json')
    copyFileSync(shards[0], copy)
    const error = await mergeError([shards[0], shards[1], copy])
    expect(error.line).toBe(`${copy}: shard 1 is also in ${shards[0]}: give each shard once`)
  })

  it('refuses reports that hold the same function', async () => {
    const first = shardReport(FLEET, 1, 2)
    const second = shardReport(FLEET, 2, 2)
    const stray = first.functions[0]
    second.functions.push(stray)
    const error = await mergeError([writeReport(dir, 'overlap-1.json', first), writeReport(dir, 'overlap-2.json', second)])
    expect(error.message).toBe(`${stray.arn} is also in ${join(dir, 'overlap-1.json')}: the reports overlap`)
  })

  // Each of these once made a renderer throw (an "internal error") instead of naming the report.
  it.each<[string, (report: FleetReport) => void, string]>([
    ['a finding path that is a number', (r) => Object.assign(r.functions[0].findings[0], {path: 42}), "functions[0]: a finding's path is not a string"],
    ['alsoRules that is a string', (r) => Object.assign(r.functions[0].findings[0], {alsoRules: 'abc'}), "functions[0]: a finding's alsoRules is not a list of strings"],
    ['an imageUri that is a number', (r) => Object.assign(r.functions[0], {imageUri: 5}), 'functions[0]: imageUri is not a string'],
    ['notApplicable that is a string', (r) => Object.assign(r.functions[0], {notApplicable: 'x'}), 'functions[0]: notApplicable is not a list'],
    ['a readiness without layers', (r) => Object.assign(r.functions[0], {readiness: {plan: 'p', architectures: []}}), 'functions[0]: a readiness without plan, layers or architectures'],
    ['warnings that are numbers', (r) => Object.assign(r, {warnings: [5]}), 'warnings is not a list of strings'],
    ['a config that is a number', (r) => Object.assign(r, {config: 5}), 'config is not a string'],
  ])('refuses %s, naming the field', async (_what, spoil, problem) => {
    const report = shardReport([imageResult('spoiled', [WRAPPER_MISSING])], 1, 1)
    spoil(report)
    const file = join(dir, 'spoiled.json')
    writeFileSync(file, JSON.stringify(report))
    expect((await mergeError([file])).line).toBe(`${file}: not a fleet JSON report: ${problem}`)
  })

  it('merges what is there and warns of a missing shard', async () => {
    const partial = await mergeFleetReports(shards.slice(0, 2))
    expect(partial.warnings).toEqual(['shard 3/3 missing: this report covers 2 of 3 shards'])
    expect(partial.functions.every((fn) => shardOf(fn.arn, 3) !== 3)).toBe(true)
  })

  it('merges a partial merge with the shards it lacked into the whole fleet', async () => {
    const partial = writeReport(dir, 'partial.json', await mergeFleetReports(shards.slice(0, 2)))
    const whole = await mergeFleetReports([partial, shards[2]])
    const direct = await mergeFleetReports(shards)
    expect(whole.functions).toEqual(direct.functions)
    expect(whole.mergedShards).toEqual([1, 2, 3])
    expect(whole.shardCount).toBe(3)
    expect(whole.warnings).toBeUndefined()
    // The partial merge holds shards 1 and 2: giving shard 2 again is refused.
    expect((await mergeError([partial, shards[1]])).line).toMatch(/shard 2 is also in/)
  })

  it('recomputes each verdict by --fail-on', async () => {
    const merged = await mergeFleetReports(shards, 'warning')
    // Multiples of 3 or 5 below 30: 14.
    expect(merged.verdicts).toEqual({pass: 16, fail: 14, error: 0, zip: 0})
    expect((await mergeFleetReports(shards, 'never')).verdicts.fail).toBe(0)
  })
})

describe('layer-audit merge', () => {
  it('shows a missing shard as a warning in the table', async () => {
    const run = await runCli(['merge', shards[0], shards[1]])
    expect(run.code, run.stderr).toBe(1)
    expect(run.stdout).toMatch(/warning: shard 3\/3 missing/)
  })

  it('refuses a report of another command with one line', async () => {
    const compare = await runCli([...BROKEN_COMPARE, '--json'])
    expect(JSON.parse(compare.stdout).command).toBe('compare')
    const file = join(dir, 'compare.json')
    writeFileSync(file, compare.stdout)
    expect(usageLine(await runCli(['merge', file]))).toBe(`layer-audit: ${file}: not a fleet JSON report: its command is "compare", not fleet`)
  })

  it('refuses invalid JSON without quoting its bytes', async () => {
    const file = join(dir, 'torn.json')
    writeFileSync(file, '{"command": "fleet", "functions": [ TOPSECRETBYTES')
    const line = usageLine(await runCli(['merge', file]))
    expect(line).toContain(`${file}: not valid JSON`)
    expect(line).not.toContain('TOPSECRETBYTES')
  })

  it('asks for the reports when given none', async () => {
    // oclif's missing-argument error, cut to one line as for every command (lint's too).
    expect(usageLine(await runCli(['merge']))).toMatch(/^layer-audit: Missing 1 required arg:.*\breports\b/)
  })

  it('escapes a hostile function name in the table', async () => {
    const hostile = 'evil\u001b[2J\u001b]0;pwned\u0007\u0000name'
    const report = shardReport([imageResult(hostile, [WRAPPER_MISSING])], 1, 1)
    const file = writeReport(dir, 'hostile.json', report)
    const run = await runCli(['merge', file])
    expect(run.code, run.stderr).toBe(1)
    expect(run.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/)
    expect(run.stdout).toContain('evil\\x1b[2J\\x1b]0;pwned\\x07\\x00name')
  })

  it('gates a warning-only fleet by --fail-on', async () => {
    const warned = [imageResult('warned-a', [ARCHITECTURE_WARNING]), imageResult('warned-b', [ARCHITECTURE_WARNING]), imageResult('clean')]
    const files = [1, 2].map((i) => writeReport(dir, `warned-${i}.json`, shardReport(warned, i, 2)))
    const byError = await runCli(['merge', ...files, '--fail-on', 'error', '--format', 'json'])
    expect(byError.code, byError.stderr).toBe(0)
    expect((JSON.parse(byError.stdout) as FleetReport).verdicts).toMatchObject({pass: 3, fail: 0})
    const byWarning = await runCli(['merge', ...files, '--fail-on', 'warning', '--format', 'json'])
    expect(byWarning.code, byWarning.stderr).toBe(1)
    expect((JSON.parse(byWarning.stdout) as FleetReport).verdicts).toMatchObject({pass: 1, fail: 2})
  })

  describe('ASFF', () => {
    /** 150 findings: more than one BatchImportFindings document. */
    const many = Array.from({length: 75}, (_, k) => imageResult(`asff-${k}`, [WRAPPER_MISSING, ARCHITECTURE_WARNING]))

    it('writes one valid BatchImportFindings document per line on stdout', async () => {
      const file = writeReport(dir, 'asff.json', shardReport(many, 1, 1))
      const run = await runCli(['merge', file, '--format', 'asff'])
      expect(run.code, run.stderr).toBe(1)
      const lines = run.stdout.split('\n').filter((line) => line !== '')
      expect(lines).toHaveLength(2)
      for (const line of lines) expect(validateAsffBatch(JSON.parse(line))).toEqual([])
      const ids = lines.flatMap((line) => (JSON.parse(line).Findings as {Id: string}[]).map((f) => f.Id))
      expect(new Set(ids).size).toBe(150)
      for (const id of ids) expect(id.startsWith(`${arnOf('asff-')}`)).toBe(true)
    })

    it('writes asff:DIR/ as one file per batch', async () => {
      const file = writeReport(dir, 'asff-dir.json', shardReport(many, 1, 1))
      const out = join(dir, 'asff-out')
      const run = await runCli(['merge', file, '-o', `asff:${out}/`])
      expect(run.code, run.stderr).toBe(1)
      expect(readdirSync(out).sort()).toEqual(['batch-001.json', 'batch-002.json'])
      for (const name of readdirSync(out)) expect(validateAsffBatch(readFileSync(join(out, name), 'utf8'))).toEqual([])
      // The table still goes to the terminal.
      expect(run.stdout).toContain('asff-0')
    })
  })
})
