/** lint: the image on its own, every rule that needs no zip side, through the CLI as a pipeline runs it. */
import {existsSync, mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {FIXTURES, runCli} from '../helpers/cli.js'
import {sarifValidator} from '../helpers/sarif.js'

const tmp = mkdtempSync(join(tmpdir(), 'la-cli-lint-'))
const image = (name: string) => join(FIXTURES, 'images', name)
const broken = image('function-image-broken.docker.tar')
const good = image('function-image-good.docker.tar')

interface JsonFinding {
  rule: string
  severity: string
  path?: string
  message: string
}
const lines = (findings: JsonFinding[]) => findings.map((f) => `${f.severity} ${f.rule} ${f.path ?? ''}`).sort()

async function lintJson(args: string[]) {
  const result = await runCli(['lint', ...args, '--json'])
  expect(result.stderr).toBe('')
  return {code: result.code, report: JSON.parse(result.stdout)}
}

describe('lint through the CLI', () => {
  it('finds the image-only errors of the broken migration (exit 1), none of the zip-side ones', async () => {
    const {code, report} = await lintJson([broken])
    expect(code).toBe(1)
    expect(report.command).toBe('lint')
    // compare finds 11 errors with the zip side; these 5 need none (the other 6: missing-file ×2,
    // content-mismatch ×3, mode-mismatch compare the zip side).
    expect(lines(report.findings)).toEqual([
      'error extension-arch-mismatch /opt/extensions/otel-collector',
      'error extension-crlf-shebang /opt/extensions/healthcheck',
      'error extension-interpreter-missing /opt/extensions/py-metrics',
      'error extension-not-executable /opt/extensions/log-shipper',
      'error wrapper-missing /opt/wrapper',
    ])
    expect(report.summary).toEqual({error: 5, warning: 0, note: 0, suppressed: 0})
    // The broken image has no python runtime to recognise, and no Handler was given.
    expect(report.notApplicable).toEqual([
      {rule: 'handler-missing', reason: 'handler app.lambda_handler: its runtime is neither given nor recognisable in the image'},
      {rule: 'handler-differs', reason: 'no function Handler to compare the image CMD with'},
    ])
  })

  it('passes the faithful migration (exit 0, no finding at all)', async () => {
    const {code, report} = await lintJson([good, '--fail-on', 'note'])
    expect(code).toBe(0)
    expect(report.findings).toEqual([])
    expect(report.notApplicable.map((n: {rule: string}) => n.rule)).toEqual(['handler-differs'])
    const table = await runCli(['lint', good])
    expect(table.code).toBe(0)
    expect(table.stdout.split('\n')[0]).toBe(`PASS: no findings — image ${good}`)
  })

  it('--architecture arm64 on an amd64 image fires architecture-mismatch (and the x86_64 extension)', async () => {
    const {code, report} = await lintJson([good, '--architecture', 'arm64'])
    expect(code).toBe(1)
    expect(lines(report.findings)).toEqual(['error architecture-mismatch ', 'error extension-arch-mismatch /opt/extensions/otel-collector'])
    expect(report.findings.find((f: JsonFinding) => f.rule === 'architecture-mismatch').message).toBe(
      "the image is linux/amd64 but the function's Architectures is arm64",
    )
    expect(report.function).toEqual({architectures: ['arm64'], layers: []})
    expect((await lintJson([good, '--architecture', 'x86_64'])).code).toBe(0)
  })

  it('--handler checks the handler the function runs: a missing file fires, a CMD naming another warns', async () => {
    const {code, report} = await lintJson([good, '--handler', 'orders.handler'])
    expect(code).toBe(1)
    expect(lines(report.findings)).toEqual(['error handler-missing /var/task/orders.py', 'warning handler-differs '])
    expect(report.notApplicable).toEqual([])
    // The handler the image's CMD already names, present in /var/task: nothing to report.
    const same = await lintJson([good, '--handler', 'app.lambda_handler', '--runtime', 'python3.12'])
    expect(same.code).toBe(0)
    expect(same.report.findings).toEqual([])
    expect(same.report.notApplicable).toEqual([])
    // On the broken image the runtime cannot be recognised: --runtime makes the check run.
    const withRuntime = await lintJson([broken, '--handler', 'orders.handler', '--runtime', 'python3.12'])
    expect(lines(withRuntime.report.findings)).toContain('error handler-missing /var/task/orders.py')
  })

  it('--env names the wrapper and agent paths that must exist, over the image ENV', async () => {
    const {code, report} = await lintJson([
      good,
      '--env', 'AWS_LAMBDA_EXEC_WRAPPER=/opt/otel-instrument',
      '--env', 'JAVA_TOOL_OPTIONS=-Xmx512m -javaagent:/opt/otel/agent.jar',
      '--env', 'LOG_LEVEL=',
    ])
    expect(code).toBe(1)
    expect(lines(report.findings)).toEqual(['error agent-path-missing /opt/otel/agent.jar', 'error wrapper-missing /opt/otel-instrument'])
    expect(report.findings.find((f: JsonFinding) => f.rule === 'wrapper-missing').message).toContain("from the function's environment")
    // The image's own wrapper, /opt/wrapper, exists: without --env nothing fires.
    expect((await lintJson([good, '--env', 'LOG_LEVEL=info'])).code).toBe(0)
  })

  it('lists a layer image\'s function-only rules as not applicable, and passes it', async () => {
    const {code, report} = await lintJson([image('layer-image.docker.tar')])
    expect(code).toBe(0)
    expect(report.findings).toEqual([])
    expect(report.notApplicable.map((n: {rule: string}) => n.rule)).toEqual([
      'extension-interpreter-missing',
      'extension-arch-mismatch',
      'handler-missing',
      'handler-differs',
      'entrypoint-invalid',
      'architecture-mismatch',
    ])
    // With the function's Architectures the architecture rules run on the layer image too.
    const arm = await lintJson([image('layer-image.docker.tar'), '--architecture', 'arm64'])
    expect(arm.report.notApplicable.map((n: {rule: string}) => n.rule)).not.toContain('extension-arch-mismatch')
  })

  it('runs the scan rules', async () => {
    const {code, report} = await lintJson([image('secrets-single-stage.docker.tar'), '--kind', 'function'])
    expect(code).toBe(1)
    expect(report.findings.some((f: JsonFinding) => f.rule.startsWith('secret-'))).toBe(true)
  })

  it('rejects what is not lint input: no IMAGE, zip-side flags, malformed or empty values', async () => {
    const cases: [string[], RegExp][] = [
      [[], /required arg/],
      [[good, '--layer', 'x.zip'], /--layer/],
      [[good, '--env', 'NO_EQUALS'], /--env "NO_EQUALS": expected NAME=VALUE/],
      [[good, '--env', '=x'], /expected NAME=VALUE/],
      [[good, '--handler', ''], /--handler is empty/],
      [[good, '--architecture', 'x86'], /architecture/],
    ]
    for (const [args, stderr] of cases) {
      const result = await runCli(['lint', ...args])
      expect(result.code, args.join(' ')).toBe(2)
      expect(result.stdout).toBe('')
      expect(result.stderr.trimEnd().split('\n'), result.stderr).toHaveLength(1)
      expect(result.stderr).toMatch(stderr)
    }
  })
})

describe('not applicable, in every format, never counted', () => {
  const layerImage = image('layer-image.docker.tar')

  it('json: notApplicable [{rule, reason}]; the gate ignores it even at --fail-on note', async () => {
    const result = await runCli(['lint', layerImage, '--fail-on', 'note', '--json'])
    expect(result.code).toBe(0)
    const report = JSON.parse(result.stdout)
    expect(report.notApplicable.length).toBeGreaterThan(0)
    for (const n of report.notApplicable) expect(Object.keys(n).sort()).toEqual(['reason', 'rule'])
    expect(report.summary).toEqual({error: 0, warning: 0, note: 0, suppressed: 0})
  })

  it('sarif: schema-valid, notifications of the invocation, no result', async () => {
    const out = join(tmp, 'layer.sarif')
    const result = await runCli(['lint', layerImage, '--output', out, '--fail-on', 'note'])
    expect(result.code).toBe(0)
    const log = JSON.parse(readFileSync(out, 'utf8'))
    const validate = sarifValidator()
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true)
    const run = log.runs[0]
    expect(run.results).toEqual([])
    expect(run.automationDetails.id).toBe('layer-audit/lint/')
    const notes = run.invocations[0].toolExecutionNotifications
    expect(notes.map((n: {associatedRule: {id: string}}) => n.associatedRule.id)).toContain('entrypoint-invalid')
    for (const note of notes) expect(run.tool.driver.rules[note.associatedRule.index].id).toBe(note.associatedRule.id)
    // lint's rules only: none that needs the zip side.
    const ruleIds = run.tool.driver.rules.map((r: {id: string}) => r.id)
    expect(ruleIds).toContain('secret-in-layer')
    expect(ruleIds).not.toContain('missing-file')
  })

  it('junit: skipped testcases; table: one dim line after the findings; markdown: a collapsed list', async () => {
    const junit = await runCli(['lint', layerImage, '--format', 'junit'])
    expect(junit.code).toBe(0)
    expect(junit.stdout).toContain('<testcase classname="layer-audit.lint.entrypoint-invalid" name="entrypoint-invalid: not applicable" time="0">')
    expect(junit.stdout).toMatch(/<testsuites [^>]* failures="0" errors="0" skipped="6"/)

    const table = await runCli(['lint', broken])
    expect(table.code).toBe(1)
    const tableLines = table.stdout.split('\n')
    const line = tableLines.findIndex((l) => l.startsWith('not applicable: '))
    expect(tableLines[line]).toBe(
      'not applicable: handler-missing (handler app.lambda_handler: its runtime is neither given nor recognisable in the image); handler-differs (no function Handler to compare the image CMD with)',
    )
    expect(line).toBeGreaterThan(tableLines.findIndex((l) => l.startsWith('error   wrapper-missing')))
    expect(table.stdout.split('not applicable').length - 1).toBe(1)

    const md = await runCli(['lint', layerImage, '--format', 'markdown'])
    expect(md.stdout.split('\n')[0]).toBe('### ✅ layer-audit lint: PASS')
    expect(md.stdout).toContain('<details><summary>Not applicable (6, not checked)</summary>')
    expect(md.stdout).toContain('- `entrypoint-invalid`: a layer image: no ENTRYPOINT or CMD and files only under /opt; check the function image that copies it')
  })

  it('writes nothing for a usage error', async () => {
    const out = join(tmp, 'never.json')
    expect((await runCli(['lint', good, '--env', 'X', '--output', out])).code).toBe(2)
    expect(existsSync(out)).toBe(false)
  })
})

describe('rules --scope lint', () => {
  it('lists the compare rules that need no zip side', async () => {
    const result = await runCli(['rules', '--scope', 'lint', '--json'])
    const ids = JSON.parse(result.stdout).rules.map((r: {id: string}) => r.id)
    expect(ids).toContain('entrypoint-invalid')
    expect(ids).toContain('wrapper-missing')
    for (const zipSide of ['missing-file', 'content-mismatch', 'mode-mismatch', 'extra-file', 'type-mismatch', 'symlink-target-mismatch', 'zip-limits']) {
      expect(ids).not.toContain(zipSide)
    }
  })
})
