/** What CI users set: LAYER_AUDIT_* variables, the config found in the repository, --severity, --quiet, help. */
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import {BROKEN_COMPARE, FIXTURES, LEAKY_SCAN, runCli} from '../helpers/cli.js'

const BROKEN = BROKEN_COMPARE
const SECRETS = LEAKY_SCAN
const dir = mkdtempSync(join(tmpdir(), 'layer-audit-ci-settings-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

const json = (stdout: string) => JSON.parse(stdout) as {findings: {rule: string; severity: string}[]; summary: Record<string, number>; notShown?: {count: number; reason: string}; config?: string; warnings?: string[]}

describe('LAYER_AUDIT_* environment variables', () => {
  it('LAYER_AUDIT_FAIL_ON and LAYER_AUDIT_FORMAT set the flags; the command line wins', async () => {
    const never = await runCli(BROKEN, {env: {LAYER_AUDIT_FAIL_ON: 'never'}})
    expect(never.code).toBe(0)
    expect((await runCli([...BROKEN, '--fail-on', 'error'], {env: {LAYER_AUDIT_FAIL_ON: 'never'}})).code).toBe(1)
    const sarif = await runCli(BROKEN, {env: {LAYER_AUDIT_FORMAT: 'sarif'}})
    expect(JSON.parse(sarif.stdout).version).toBe('2.1.0')
    // A default, not a request: --json still prints the JSON report.
    const withJson = await runCli([...BROKEN, '--json'], {env: {LAYER_AUDIT_FORMAT: 'sarif'}})
    expect(json(withJson.stdout).summary.error).toBeGreaterThan(0)
  })

  it('a bad value is a usage error naming the variable', async () => {
    const bad = await runCli(BROKEN, {env: {LAYER_AUDIT_FAIL_ON: 'loud'}})
    expect(bad.code).toBe(2)
    expect(bad.stdout).toBe('')
    expect(bad.stderr).toBe('layer-audit: LAYER_AUDIT_FAIL_ON=loud: expected one of error, warning, note, never (it sets --fail-on)\n')
  })

  it('LAYER_AUDIT_PLATFORM picks the platform of a multi-platform image', async () => {
    const index = ['inspect', join(FIXTURES, 'images/function-index-attested.oci.tar'), '--json']
    const arm = await runCli(index, {env: {LAYER_AUDIT_PLATFORM: 'linux/arm64/v8'}})
    expect(JSON.parse(arm.stdout).image.platform).toBe('linux/arm64/v8')
    const wrong = await runCli(index, {env: {LAYER_AUDIT_PLATFORM: 'linux/s390x'}})
    expect(wrong.code).toBe(2)
    expect(wrong.stderr).toMatch(/no image for platform linux\/s390x/)
  })
})

describe('the config a run used', () => {
  it('is found up to the repository root, named in the report, and LAYER_AUDIT_CONFIG points at another', async () => {
    const top = join(dir, 'repo')
    const deep = join(top, 'services', 'orders')
    mkdirSync(join(top, '.git'), {recursive: true})
    mkdirSync(deep, {recursive: true})
    writeFileSync(join(top, '.layer-audit.yaml'), 'rules:\n  missing-file: note\n')
    const found = json((await runCli([...BROKEN, '--json'], {cwd: deep})).stdout)
    expect(found.config).toBe(join('..', '..', '.layer-audit.yaml'))
    expect(found.findings.filter((f) => f.rule === 'missing-file').every((f) => f.severity === 'note')).toBe(true)
    const other = join(dir, 'other.json')
    writeFileSync(other, '{"rules": {"missing-file": "off"}}')
    const chosen = json((await runCli([...BROKEN, '--json'], {cwd: deep, env: {LAYER_AUDIT_CONFIG: other}})).stdout)
    expect(chosen.config).toBe(other)
    expect(chosen.findings.some((f) => f.rule === 'missing-file')).toBe(false)
    const missing = await runCli(BROKEN, {cwd: deep, env: {LAYER_AUDIT_CONFIG: join(dir, 'nope.json')}})
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/nope\.json: config file not found/)
  })

  it('an expired ignore no longer suppresses, and the report warns', async () => {
    const cwd = join(dir, 'expired')
    mkdirSync(cwd, {recursive: true})
    writeFileSync(join(cwd, '.layer-audit.json'), JSON.stringify({ignore: [{rule: 'missing-file', reason: 'until the layer ships', expires: '2020-01-01'}]}))
    const result = await runCli([...BROKEN, '--json'], {cwd})
    const report = json(result.stdout)
    expect(report.warnings).toEqual([expect.stringMatching(/ignore\[0\] \(missing-file\) expired on 2020-01-01/)])
    expect(report.summary.suppressed).toBe(0)
  })
})

describe('--severity and --quiet', () => {
  it('--severity leaves out findings below it, never what the exit code counts', async () => {
    const all = json((await runCli([...SECRETS, '--json'])).stdout)
    const severities = new Set(all.findings.map((f) => f.severity))
    expect(severities.size).toBeGreaterThan(1) // the fixture has more than one severity, or this proves nothing
    const errors = await runCli([...SECRETS, '--json', '--severity', 'error'])
    const shown = json(errors.stdout)
    expect(shown.findings.every((f) => f.severity === 'error')).toBe(true)
    expect(shown.notShown).toEqual({count: all.findings.length - shown.findings.length, reason: '--severity error'})
    expect(shown.summary).toEqual(all.summary)
    expect(errors.code).toBe(1)
  })

  it('--quiet prints the verdict and the failing findings only', async () => {
    const quiet = await runCli([...BROKEN, '--quiet', '--fail-on', 'error'])
    expect(quiet.code).toBe(1)
    const lines = quiet.stdout.trimEnd().split('\n')
    expect(lines.at(-1)).toMatch(/^FAIL: 7 errors/)
    expect(quiet.stdout).not.toMatch(/not applicable|^image /m)
    expect(quiet.stderr).toBe('')
  })
})

describe('help', () => {
  it('-h and `help COMMAND` print what --help prints', async () => {
    const long = await runCli(['compare', '--help'])
    expect((await runCli(['compare', '-h'])).stdout).toBe(long.stdout)
    expect((await runCli(['help', 'compare'])).stdout).toBe(long.stdout)
    const unknown = await runCli(['help', 'nosuch'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toBe('layer-audit: no command "nosuch"; `layer-audit help` lists them\n')
  })
})
