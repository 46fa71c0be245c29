/** --dockerfile through the built CLI (bin/run.js): the flag on compare, lint and scan, and its input errors. */
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {Ajv2020} from 'ajv/dist/2020.js'
import {afterAll, describe, expect, it} from 'vitest'

import {FIXTURES, REPO, runCli} from '../helpers/cli.js'
import {sarifValidator} from '../helpers/sarif.js'

const image = (name: string) => join(FIXTURES, 'images', name)
const dockerfile = (name: string) => join('fixtures', 'dockerfiles', name)
const zipSide = [
  '--layer', join(FIXTURES, 'zips', 'layer-log-shipper.zip'),
  '--function-zip', join(FIXTURES, 'zips', 'function-code.zip'),
  '--function-config', join(FIXTURES, 'functions', 'function-config.json'),
]
const reportSchema = new Ajv2020({strict: true, allErrors: true}).compile(JSON.parse(readFileSync(join(REPO, 'docs', 'report.schema.json'), 'utf8')))
/** A --json report as docs/report.schema.json describes it (instruction and warnings included). */
function expectValidReport(stdout: string) {
  const report = JSON.parse(stdout)
  expect(reportSchema(report), JSON.stringify(reportSchema.errors, null, 2)).toBe(true)
  return report
}
const scratch = mkdtempSync(join(tmpdir(), 'layer-audit-dockerfile-cli-'))
afterAll(() => rmSync(scratch, {recursive: true, force: true}))

function expectInputError(result: {code: number | null; stdout: string; stderr: string}, pattern: RegExp) {
  expect(result.code, result.stderr).toBe(2)
  expect(result.stdout).toBe('')
  expect(result.stderr.trimEnd().split('\n'), result.stderr).toHaveLength(1)
  expect(result.stderr).toMatch(pattern)
}

describe('--dockerfile', () => {
  it('compare --format sarif -o: results on the Dockerfile lines, valid SARIF, the table still on the terminal', async () => {
    const out = join(scratch, 'compare.sarif')
    const result = await runCli(['compare', image('function-image-broken.docker.tar'), ...zipSide, '--dockerfile', dockerfile('function-image-broken.Dockerfile'), '-o', out])
    expect(result.code).toBe(1)
    expect(result.stdout).toMatch(/image layer 2, function-image-broken\.Dockerfile:11/)
    const log = JSON.parse(readFileSync(out, 'utf8'))
    const validate = sarifValidator()
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true)
    const placed = log.runs[0].results.filter((r: {locations: {physicalLocation: {region?: unknown}}[]}) => r.locations[0]!.physicalLocation.region)
    expect(placed.length).toBeGreaterThanOrEqual(4)
    for (const r of placed) {
      expect(r.locations[0].physicalLocation).toEqual({artifactLocation: {uri: 'fixtures/dockerfiles/function-image-broken.Dockerfile'}, region: {startLine: 11, endLine: 11}})
    }
  })

  it('scan and lint --json carry each finding\'s instruction', async () => {
    const scan = await runCli(['scan', image('secrets-single-stage.docker.tar'), '--dockerfile', dockerfile('secrets-single-stage.Dockerfile'), '--json'])
    expect(scan.code).toBe(1)
    const findings = expectValidReport(scan.stdout).findings as {rule: string; instruction?: {file: string; line: number; endLine: number; stage: string; text: string}}[]
    expect(findings.every((f) => f.instruction?.file === 'fixtures/dockerfiles/secrets-single-stage.Dockerfile')).toBe(true)
    expect(findings.find((f) => f.rule === 'credentials-file')!.instruction).toMatchObject({line: 11, endLine: 11, stage: '0'})

    const lint = await runCli(['lint', image('function-image-broken.docker.tar'), '--dockerfile', dockerfile('function-image-broken.Dockerfile'), '--json'])
    expect(lint.code).toBe(1)
    const placed = (expectValidReport(lint.stdout).findings as {path?: string; instruction?: {line: number}}[]).filter((f) => f.instruction)
    expect(placed.map((f) => f.instruction!.line)).toEqual(placed.map(() => 11))
  })

  it('a Dockerfile that does not match is not an error: the audit\'s exit code, one warning in the report', async () => {
    const result = await runCli(['scan', image('secrets-single-stage.docker.tar'), '--dockerfile', dockerfile('layer-image.Dockerfile'), '--json'])
    expect(result.code).toBe(1)
    const report = expectValidReport(result.stdout)
    expect(report.warnings).toHaveLength(1)
    expect(report.warnings[0]).toMatch(/^--dockerfile fixtures\/dockerfiles\/layer-image\.Dockerfile does not match the image: .*; 0 of 6 findings placed on a line$/)
    expect(report.findings.some((f: {instruction?: unknown}) => f.instruction)).toBe(false)
    const table = await runCli(['scan', image('secrets-single-stage.docker.tar'), '--dockerfile', dockerfile('layer-image.Dockerfile')])
    expect(table.code).toBe(1)
    expect(table.stdout.split('\n').filter((line) => line.startsWith('warning: --dockerfile'))).toHaveLength(1)
  })

  it('a missing, unreadable or empty --dockerfile is exit 2, one line, before the image is read', async () => {
    const missing = join(scratch, 'Dockerfile.missing')
    expectInputError(await runCli(['scan', image('secrets-single-stage.docker.tar'), '--dockerfile', missing]), new RegExp(`${missing}: Dockerfile not found`))
    expectInputError(await runCli(['lint', image('function-image-good.docker.tar'), '--dockerfile', scratch]), /is a directory, not a Dockerfile/)
    expectInputError(await runCli(['compare', image('function-image-good.docker.tar'), ...zipSide, '--dockerfile', '']), /--dockerfile is empty/)
    // The image is not there either: the Dockerfile is named, so it was checked first.
    expectInputError(await runCli(['scan', join(scratch, 'no-such-image.tar'), '--dockerfile', missing]), /Dockerfile not found/)
    // Nothing is written for -o.
    const out = join(scratch, 'never.sarif')
    await runCli(['scan', image('secrets-single-stage.docker.tar'), '--dockerfile', missing, '-o', out])
    expect(() => readFileSync(out)).toThrow()
  })

  it('is a flag of compare, lint and scan', async () => {
    for (const command of ['compare', 'lint', 'scan']) {
      const help = await runCli([command, '--help'])
      expect(help.stdout, command).toMatch(/--dockerfile=FILE/)
    }
  })
})
