/**
 * docs/report.schema.json against what layer-audit really prints: `--json` of compare, lint and scan on
 * the bundled fixtures, and the golden JSON report (and docs/diff.schema.json against `diff --json`). The schema closes its objects (additionalProperties:
 * false), so a field it does not document fails here; and its field lists are checked against the
 * TypeScript interfaces, so a field declared but not yet printed by any fixture is documented too.
 */
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {Ajv2020} from 'ajv/dist/2020.js'
import {beforeAll, describe, expect, it} from 'vitest'

import {renderJson} from '../../src/report/json.js'
import {FIXTURES, REPO, runCli} from '../helpers/cli.js'
import {interfaceFields, type ObjectSchema} from '../helpers/interface-fields.js'
import {fixtureReport, passingReport} from './fixture.js'

type Json = Record<string, unknown>

const schema = JSON.parse(readFileSync(join(REPO, 'docs', 'report.schema.json'), 'utf8')) as ObjectSchema
// strict: a keyword the draft does not know, or a misspelt one, is an error in the schema, not ignored.
const validate = new Ajv2020({strict: true, allErrors: true}).compile(schema)

function errorsOf(report: unknown): string {
  return validate(report) ? '' : JSON.stringify(validate.errors, null, 2)
}

const image = (name: string) => join(FIXTURES, 'images', name)
const zipFunction = [
  '--function-config', join(FIXTURES, 'functions', 'function-config.json'),
  '--layer', join(FIXTURES, 'zips', 'layer-log-shipper.zip'),
  '--function-zip', join(FIXTURES, 'zips', 'function-code.zip'),
]
const scanned = [
  'secrets-single-stage.docker.tar',
  'secrets-multi-stage.docker.tar',
  'secrets-doc-example.docker.tar',
  'secrets-false-positives.docker.tar',
  'function-index-attested.oci.tar',
]

/** Each run's arguments (without --json), named for the test list. */
function runs(dir: string): [name: string, args: string[]][] {
  const baseline = join(dir, 'baseline.json')
  const config = join(dir, 'layer-audit.json')
  writeFileSync(config, JSON.stringify({ignore: [{rule: 'secret-in-config', reason: 'rotated; the image is rebuilt'}]}))
  return [
    ['compare, faithful migration (pass)', ['compare', image('function-image-good.docker.tar'), ...zipFunction]],
    ['compare, OCI archive', ['compare', image('function-image-good.oci.tar'), ...zipFunction]],
    ['compare, migration gone wrong', ['compare', image('function-image-broken.docker.tar'), ...zipFunction]],
    ['compare, a layer image (rules not applicable)', ['compare', image('layer-image.oci.tar'), ...zipFunction]],
    ['lint, no settings', ['lint', image('function-image-broken.docker.tar')]],
    ['lint, with the function settings', ['lint', image('function-image-good.docker.tar'), '--architecture', 'arm64', '--runtime', 'python3.12', '--handler', 'app.lambda_handler']],
    ['lint, a layer image', ['lint', image('layer-image.docker.tar')]],
    ...scanned.map((name): [string, string[]] => [`scan ${name}`, ['scan', image(name)]]),
    ['scan with a config ignore', ['scan', image('secrets-single-stage.docker.tar'), '--config', config]],
    ['scan with a baseline', ['scan', image('secrets-single-stage.docker.tar'), '--baseline', baseline]],
    ['scan --severity error (findings not shown)', ['scan', image('secrets-single-stage.docker.tar'), '--severity', 'error']],
  ]
}

describe('docs/report.schema.json and real --json output', () => {
  const dir = mkdtempSync(join(tmpdir(), 'layer-audit-schema-'))
  const cases = runs(dir)
  const outputs = new Map<string, Json>()

  beforeAll(async () => {
    // The baseline is an earlier report of the same image, so the baseline run marks findings suppressed.
    const earlier = await runCli(['scan', image('secrets-single-stage.docker.tar'), '--json', '--fail-on', 'never'])
    writeFileSync(join(dir, 'baseline.json'), earlier.stdout)
  })

  it.concurrent.each(cases)('%s', async (name, args) => {
    const result = await runCli([...args, '--json'])
    expect(result.code, result.stderr).not.toBe(2)
    const report = JSON.parse(result.stdout) as Json
    outputs.set(name, report)
    expect(errorsOf(report)).toBe('')
    expect(Object.keys(report)[0]).toBe('schemaVersion')
    expect(report.schemaVersion).toBe(1)
  })

  it('the runs above print the optional fields the schema describes (so their validation meant something)', () => {
    expect(outputs.size).toBe(cases.length)
    const reports = [...outputs.values()]
    const reportKeys = new Set(reports.flatMap((r) => Object.keys(r)))
    for (const key of ['function', 'stats', 'config', 'notShown']) expect(reportKeys, key).toContain(key)
    const findings = reports.flatMap((r) => r.findings as Json[])
    const findingKeys = new Set(findings.flatMap((f) => Object.keys(f)))
    for (const key of ['path', 'layer', 'source', 'expected', 'actual', 'evidence', 'suppressed']) expect(findingKeys, key).toContain(key)
    expect(reports.some((r) => (r.notApplicable as unknown[]).length > 0)).toBe(true)
  })
})

describe('docs/report.schema.json and the JSON reporter', () => {
  it('accepts the golden JSON report', () => {
    const golden = JSON.parse(readFileSync(join(REPO, 'test', 'report', 'golden', 'compare.json'), 'utf8'))
    expect(errorsOf(golden)).toBe('')
  })

  it('accepts the hand-made passing report as --format json renders it', () => {
    expect(errorsOf(JSON.parse(renderJson(passingReport())))).toBe('')
  })

  it('accepts a finding with the fields of what comes next (alsoRules, instruction) and a config and warnings', () => {
    const report = JSON.parse(renderJson(fixtureReport())) as Json & {findings: Json[]}
    report.config = '/repo/.layer-audit.yaml'
    report.warnings = ['.layer-audit.yaml: ignore[0] (extra-file) expired on 2024-01-01: its findings count again; renew or remove it']
    report.findings[0].alsoRules = ['mode-mismatch']
    report.findings[0].instruction = {file: 'Dockerfile', line: 7, endLine: 9, stage: 'runtime', text: 'COPY --from=layers /opt/ /opt/'}
    expect(errorsOf(report)).toBe('')
  })
})

describe('docs/report.schema.json rejects what is not a report', () => {
  const good = () => JSON.parse(renderJson(fixtureReport())) as Json & {findings: Json[]; image: Json}

  const broken: [what: string, change: (report: ReturnType<typeof good>) => void][] = [
    ['without schemaVersion', (r) => delete r.schemaVersion],
    ['of another schemaVersion', (r) => (r.schemaVersion = 2)],
    ['without a summary', (r) => delete r.summary],
    ['with an unknown command', (r) => (r.command = 'diff')],
    ['with a finding of severity "critical"', (r) => (r.findings[0].severity = 'critical')],
    ['with a finding without a fingerprint', (r) => delete r.findings[0].fingerprint],
    ['with a finding holding an undocumented field', (r) => (r.findings[0].cvss = 9.8)],
    ['with an undocumented top-level field', (r) => (r.generatedAt = '2024-05-02T10:11:12Z')],
    ['with an undocumented counter in stats', (r) => (r.stats = {filesCompared: 3})],
    ['with an instruction missing its line', (r) => (r.findings[0].instruction = {file: 'Dockerfile', endLine: 2, stage: '0', text: 'RUN x'})],
    ['with an image without its platform', (r) => delete r.image.platform],
  ]

  it.each(broken)('a report %s', (_what, change) => {
    const report = good()
    expect(errorsOf(report)).toBe('')
    change(report)
    expect(errorsOf(report)).not.toBe('')
  })
})

const diffSchema = JSON.parse(readFileSync(join(REPO, 'docs', 'diff.schema.json'), 'utf8')) as ObjectSchema
const validateDiff = new Ajv2020({strict: true, allErrors: true}).compile(diffSchema)

describe('docs/diff.schema.json and real diff --json output', () => {
  const good = image('function-image-good.docker.tar')
  const broken = image('function-image-broken.docker.tar')
  const runs: [name: string, args: string[]][] = [
    ['the same image twice', [good, good]],
    ['the faithful migration against the broken one', [good, broken, '--content', '--show-env']],
    ['layer by layer', [good, broken, '--layers', '--content']],
    ['docker-archive against OCI (recompressed layers)', [good, image('function-image-good.oci.tar')]],
    ['a function image against a layer image, every path', [good, image('layer-image.docker.tar'), '--verbose']],
    ['config changes, semantic', [good, image('secrets-single-stage.docker.tar'), '--semantic', '--show-env']],
  ]
  const outputs: Json[] = []

  it.concurrent.each(runs)('%s', async (_name, args) => {
    const result = await runCli(['diff', ...args, '--json'])
    expect(result.code, result.stderr).not.toBe(2)
    const report = JSON.parse(result.stdout) as Json
    outputs.push(report)
    expect(validateDiff(report) ? '' : JSON.stringify(validateDiff.errors, null, 2)).toBe('')
  })

  it('the runs above print the optional fields the schema describes', () => {
    expect(outputs).toHaveLength(runs.length)
    const text = JSON.stringify(outputs)
    for (const key of ['layers', 'fields', 'sha256', 'createdBy', 'paths', 'entriesBelow', 'recompressed', 'firstDivergingLayer']) {
      expect(text, key).toContain(`"${key}":`)
    }
    expect(outputs.some((r) => (r.config as unknown[]).length > 0)).toBe(true)
    expect(outputs.some((r) => (r.summary as {same: boolean}).same)).toBe(true)
  })

  it('rejects a diff report with an undocumented field or a bad change kind', () => {
    const [report] = outputs.filter((r) => (r.files as unknown[]).length > 0)
    const extra = {...structuredClone(report), generatedAt: 'now'}
    expect(validateDiff(extra)).toBe(false)
    const badKind = structuredClone(report) as Json & {files: Json[]}
    badKind.files[0].kind = 'renamed'
    expect(validateDiff(badKind)).toBe(false)
  })
})

/**
 * The schema's fields against the interfaces in the source: a field added to Report or Finding must be
 * added to the schema too, even before any fixture prints it.
 */
describe('docs/report.schema.json and the TypeScript interfaces', () => {
  const interfaces = {
    ...interfaceFields(join(REPO, 'src', 'audit', 'report.ts')),
    ...interfaceFields(join(REPO, 'src', 'rules', 'types.ts')),
  }
  const defs = schema.$defs!
  // Optional in the type, always printed: toJsonReport sets them.
  const alwaysPrinted: Record<string, string[]> = {Report: ['schemaVersion', 'notApplicable'], Finding: ['fingerprint']}
  const pairs: [name: string, described: ObjectSchema][] = [
    ['Report', schema],
    ['ImageSummary', defs.image],
    ['FunctionSummary', defs.function],
    ['Finding', defs.finding],
    ['DockerfileInstructionRef', defs.instruction],
    ['NotApplicable', defs.notApplicable],
    ['Summary', defs.summary],
  ]

  it.each(pairs)('%s: the same fields, required where always printed, closed', (name, described) => {
    const fields = interfaces[name]
    expect(fields, `interface ${name}`).toBeDefined()
    expect(Object.keys(described.properties).sort()).toEqual(Object.keys(fields).sort())
    const required = Object.keys(fields).filter((field) => !fields[field] || alwaysPrinted[name]?.includes(field))
    expect([...(described.required ?? [])].sort()).toEqual(required.sort())
    expect(described.additionalProperties).toBe(false)
  })
})

describe('docs/diff.schema.json and the TypeScript interfaces', () => {
  const interfaces = {
    ...interfaceFields(join(REPO, 'src', 'audit', 'report.ts')),
    ...interfaceFields(join(REPO, 'src', 'diff', 'model.ts')),
  }
  const defs = diffSchema.$defs!
  const pairs: [name: string, described: ObjectSchema][] = [
    ['DiffReport', diffSchema],
    ['ImageSummary', defs.image],
    ['DiffOptionsUsed', defs.options],
    ['DiffSummary', defs.summary],
    ['LambdaView', defs.lambda],
    ['DiffSide', defs.side],
    ['FileChange', defs.fileChange],
    ['ConfigChange', defs.configChange],
    ['LayerRow', defs.layerRow],
    ['ManifestDiff', defs.manifest],
    ['LayerPairDiff', defs.layerPair],
  ]

  it.each(pairs)('%s: the same fields, the same required ones, closed', (name, described) => {
    const fields = interfaces[name]
    expect(fields, `interface ${name}`).toBeDefined()
    expect(Object.keys(described.properties).sort()).toEqual(Object.keys(fields).sort())
    expect([...(described.required ?? [])].sort()).toEqual(Object.keys(fields).filter((field) => !fields[field]).sort())
    expect(described.additionalProperties).toBe(false)
  })
})
