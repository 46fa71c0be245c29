/**
 * docs/fleet.schema.json against what the fleet JSON reporter prints, and against the interfaces of
 * src/fleet/report.ts (as schema.test.ts holds report.schema.json to src/audit/report.ts). Findings,
 * images and summaries are report.schema.json's, by $ref.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {Ajv2020} from 'ajv/dist/2020.js'
import {describe, expect, it} from 'vitest'

import {renderFleetReport} from '../../src/report/fleet/index.js'
import {REPO} from '../helpers/cli.js'
import {interfaceFields, type ObjectSchema} from '../helpers/interface-fields.js'
import {fleetFixture, fleetRules} from './fleet-fixture.js'

type Json = Record<string, unknown>

const read = (name: string) => JSON.parse(readFileSync(join(REPO, 'docs', name), 'utf8')) as ObjectSchema
const fleetSchema = read('fleet.schema.json')
const ajv = new Ajv2020({strict: true, allErrors: true})
ajv.addSchema(read('report.schema.json'))
const validate = ajv.compile(fleetSchema)

function errorsOf(report: unknown): string {
  return validate(report) ? '' : JSON.stringify(validate.errors, null, 2)
}

const rendered = () => JSON.parse(renderFleetReport(fleetFixture(), 'json', {rules: fleetRules})) as Json & {functions: (Json & {findings: Json[]})[]}

describe('docs/fleet.schema.json and the fleet JSON reporter', () => {
  it('accepts the rendered fixture: every verdict, a zip function, a shard, state, warnings', () => {
    const report = rendered()
    expect(Object.keys(report)[0]).toBe('schemaVersion')
    expect(errorsOf(report)).toBe('')
    const shard = {...report, shard: {index: 2, count: 4}, config: '/repo/.layer-audit.yaml'}
    shard.functions = report.functions.map((fn) => ({...fn, fromState: true, stats: {layers: 6, hashedFiles: 3}}))
    expect(errorsOf(shard)).toBe('')
    expect(errorsOf({...report, mergedShards: [1, 2, 3, 4]})).toBe('')
  })

  const broken: [what: string, change: (report: ReturnType<typeof rendered>) => void][] = [
    ['without schemaVersion', (r) => delete r.schemaVersion],
    ['of another command', (r) => (r.command = 'compare')],
    ['with a function of an unknown verdict', (r) => (r.functions[0]!.verdict = 'skipped')],
    ['with a finding without a fingerprint', (r) => delete r.functions[0]!.findings[0]!.fingerprint],
    ['with an undocumented field on a function', (r) => (r.functions[0]!.owner = 'team-a')],
    ['without the stats', (r) => delete r.stats],
    ['with shard 0', (r) => (r.shard = {index: 0, count: 4})],
  ]

  it.each(broken)('rejects a report %s', (_what, change) => {
    const report = rendered()
    change(report)
    expect(errorsOf(report)).not.toBe('')
  })
})

describe('docs/fleet.schema.json and src/fleet/report.ts', () => {
  const interfaces = interfaceFields(join(REPO, 'src', 'fleet', 'report.ts'))
  const defs = fleetSchema.$defs!
  // Optional in the type, always printed: toJsonFleetReport sets it.
  const alwaysPrinted: Record<string, string[]> = {FleetReport: ['schemaVersion']}
  const pairs: [name: string, described: ObjectSchema][] = [
    ['FleetReport', fleetSchema],
    ['FleetFunctionResult', defs.function!],
    ['MigrationReadiness', defs.readiness!],
    ['FleetStats', defs.stats!],
  ]

  it.each(pairs)('%s: the same fields, required where always printed, closed', (name, described) => {
    const fields = interfaces[name]
    expect(fields, `interface ${name}`).toBeDefined()
    expect(Object.keys(described.properties).sort()).toEqual(Object.keys(fields!).sort())
    const required = Object.keys(fields!).filter((field) => !fields![field] || alwaysPrinted[name]?.includes(field))
    expect([...(described.required ?? [])].sort()).toEqual(required.sort())
    expect(described.additionalProperties).toBe(false)
  })
})
