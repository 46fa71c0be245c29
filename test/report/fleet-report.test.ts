import {describe, expect, it} from 'vitest'

import {summarize} from '../../src/audit/gate.js'
import type {FleetReport} from '../../src/fleet/report.js'
import {FLEET_FORMATS, renderFleetReport, toJsonFleetReport} from '../../src/report/fleet/index.js'
import {fleetFingerprint} from '../../src/report/fleet/sarif.js'
import {sarifValidator} from '../helpers/sarif.js'
import {RAW_SECRETS} from './fixture.js'
import {HOSTILE_HOME, HOSTILE_TEXT, hostileFindings, liveMarkup} from './hostile-markdown.js'
import {arnOf, fleetFixture, fleetOf, fleetRules, HOSTILE_MESSAGE, HOSTILE_NAME, imageFunction, manyFindings} from './fleet-fixture.js'

const options = {rules: fleetRules, generatedAt: '2026-12-03T05:00:00Z'}
const ANSI = /\x1b\[[0-9;]*m/
/** What a terminal, a Markdown renderer or an XML parser must never be handed raw from a stranger. */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/

/**
 * Well-formed XML, checked by hand (the project has no XML parser): one root, tags nested and closed,
 * attribute values quoted without `<`, text without `<` or a bare `&`, only characters XML 1.0 allows.
 */
function xmlProblems(xml: string): string[] {
  const problems: string[] = []
  if (/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u.test(xml)) problems.push('a character XML cannot hold')
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '')
  const stack: string[] = []
  let roots = 0
  const token = /<(\/?)([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.-]*="[^"<]*")*)\s*(\/?)>|([^<]+)|(<)/gy
  for (const [, close, name, , selfClosing, text, stray] of body.matchAll(token)) {
    if (stray) problems.push('a "<" that opens no tag')
    else if (text !== undefined) {
      if (stack.length === 0 && text.trim() !== '') problems.push('text outside the root')
      if (/&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(text)) problems.push(`a bare "&" in ${JSON.stringify(text.slice(0, 40))}`)
    } else if (close) {
      if (stack.pop() !== name) problems.push(`</${name}> closes another element`)
    } else {
      if (stack.length === 0) roots++
      if (!selfClosing) stack.push(name!)
    }
  }
  if (stack.length > 0) problems.push(`unclosed: ${stack.join(', ')}`)
  if (roots !== 1) problems.push(`${roots} root elements`)
  return problems
}

describe('fleet reporters', () => {
  it('render every format, the table by default', () => {
    const report = fleetFixture()
    for (const format of FLEET_FORMATS) expect(renderFleetReport(report, format, options), format).toContain('orders-api')
    expect(renderFleetReport(report, undefined, options)).toBe(renderFleetReport(report, 'table', options))
  })

  it('render an empty fleet', () => {
    const empty = fleetOf([])
    for (const format of FLEET_FORMATS.filter((f) => f !== 'asff')) expect(renderFleetReport(empty, format, options).length, format).toBeGreaterThan(0)
    expect(renderFleetReport(empty, 'asff', options)).toBe('')
    expect(renderFleetReport(empty, 'table', options)).toMatch(/^PASS: 0 functions — no findings/)
  })

  it('never print a secret a finding carries raw, in any format', () => {
    const report = fleetFixture()
    for (const format of FLEET_FORMATS) {
      for (const extra of [{}, {verbose: true}]) {
        const out = renderFleetReport(report, format, {...options, ...extra})
        for (const secret of Object.values(RAW_SECRETS)) expect(out.includes(secret), `${format} leaks ${secret.slice(0, 4)}…`).toBe(false)
      }
    }
  })

  it('escape names, messages and paths from a hostile account in the table, Markdown and JUnit', () => {
    const report = fleetFixture()
    for (const format of ['table', 'markdown', 'junit'] as const) {
      for (const extra of [{}, {width: 60}, {quiet: true}]) {
        const out = renderFleetReport(report, format, {...options, ...extra})
        expect(out, `${format} ${JSON.stringify(extra)}`).not.toMatch(CONTROL)
      }
    }
    const markdown = renderFleetReport(report, 'markdown', options)
    // Outside code spans (where Markdown shows text as it is) no tag survives.
    const prose = markdown.replace(/``.*?``|`[^`\n]*`/g, '')
    expect(prose).not.toContain('<script>')
    expect(prose).not.toContain('<img')
    expect(prose).toContain('&lt;script&gt;')
    // A pipe in a name or message cannot add a column to the summary table.
    const row = markdown.split('\n').find((line) => line.startsWith('| evil'))!
    expect(row.split(/(?<!\\)\|/)).toHaveLength(9)
    expect(renderFleetReport(report, 'table', options)).toContain('evil\\x1b]0;owned\\x07')
    expect(xmlProblems(renderFleetReport(report, 'junit', options))).toEqual([])
  })

  it('render names, regions, plans, messages and paths from a hostile account literally in Markdown', () => {
    const hostile = {...imageFunction(`fn ${HOSTILE_TEXT}`, hostileFindings('missing-file')), region: HOSTILE_TEXT}
    const report = fleetOf([hostile, imageFunction('orders-api', [])], {warnings: [HOSTILE_TEXT]})
    const md = renderFleetReport(report, 'markdown', {...options, informationUri: HOSTILE_HOME})
    expect(liveMarkup(md)).toEqual([])
    expect(md).toContain(`**[\`missing-file\`](${HOSTILE_HOME}/blob/main/docs/rules/missing-file.md)**`)
    expect(md).toContain('| function | region | verdict | errors | warnings | notes | image or plan |')
    // Every summary row keeps its 7 columns (a pipe in a name, region or plan is escaped).
    for (const row of md.split('\n').filter((line) => line.startsWith('| fn') || line.startsWith('| orders'))) {
      expect(row.split(/(?<!\\)\|/), row).toHaveLength(9)
    }
  })

  it('keep the hostile text, escaped, in JSON and SARIF (JSON escapes controls itself)', () => {
    for (const format of ['json', 'sarif'] as const) {
      const text = renderFleetReport(fleetFixture(), format, options)
      // Pretty-printed: line breaks between fields, every other control escaped by JSON.
      expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/)
      expect(JSON.stringify(JSON.parse(text))).toContain(JSON.stringify(HOSTILE_MESSAGE).slice(1, -1))
    }
  })
})

describe('fleet table', () => {
  it('opens with the verdict, the regions, the functions by verdict and what the layer cache saved', () => {
    const lines = renderFleetReport(fleetFixture(), 'table', options).split('\n')
    expect(lines.slice(0, 4)).toEqual([
      'FAIL: 3 of 5 functions fail — 8 errors, 2 warnings, 3 notes (2 suppressed)',
      'regions us-east-1, eu-west-1',
      'functions: 2 fail, 1 error, 1 pass, 1 zip · 4 images',
      'layers read 7 of 40 referenced, bytes read 1.0 GB of 8.0 GB (13%)',
    ])
    expect(lines.at(-2)).toBe(lines[0])
    const sharded = renderFleetReport({...fleetFixture(), shard: {index: 2, count: 4}}, 'table', options)
    expect(sharded.split('\n')[1]).toBe('regions us-east-1, eu-west-1 · shard 2/4')
  })

  it('has a row per function: verdict, name, region, counts, image digest or the zip plan', () => {
    const out = renderFleetReport(fleetFixture(), 'table', options)
    expect(out).toMatch(/│ fail +│ orders-api +│ us-east-1 │ 6 +│ 2 +│ 2 +│ orders-api@sha256:111111111111 +│/)
    expect(out).toMatch(/│ zip +│ legacy-cron +│ us-east-1 │ 0 +│ 0 +│ 0 +│ layer-image: 1 layer onto public\.ecr\.aws\/lambda\/python:3\.12,/)
    expect(out).toMatch(/│ pass +│ thumbnailer +│ eu-west-1 │/)
  })

  it('lists the findings of failing functions only, grouped by function, the first 10 each unless --verbose', () => {
    const out = renderFleetReport(manyFindings(25), 'table', {...options, limit: 3})
    expect(out).toContain('FAIL fn-000 (us-east-1)')
    expect(out.match(/… and 7 more \(--verbose\)/g)).toHaveLength(2)
    expect(out).toContain('… and 2 more (--verbose)')
    expect(renderFleetReport(manyFindings(25), 'table', {...options, verbose: true})).not.toContain('more (--verbose)')
    const fixture = renderFleetReport(fleetFixture(), 'table', options)
    expect(fixture).toContain('ERROR payments (us-east-1)')
    expect(fixture).not.toContain('PASS thumbnailer')
    expect(fixture).toContain('fixes:\n  missing-file: COPY the layer contents')
  })

  it('--quiet: the failing findings of failing functions and the verdict, nothing else', () => {
    const out = renderFleetReport(fleetFixture(), 'table', {...options, quiet: true})
    expect(out).not.toContain('regions us-east-1')
    expect(out).not.toContain('thumbnailer')
    expect(out).not.toContain('in the image but in no layer')
    expect(out).toContain('secret-in-history')
    expect(out.trimEnd().split('\n').at(-1)).toMatch(/^FAIL: 3 of 5 functions fail/)
  })

  it('colours only when asked, and fits a narrow terminal by listing instead of cutting', () => {
    expect(renderFleetReport(fleetFixture(), 'table', options)).not.toMatch(ANSI)
    expect(renderFleetReport(fleetFixture(), 'table', {...options, color: true})).toMatch(ANSI)
    const narrow = renderFleetReport(fleetFixture(), 'table', {...options, width: 60})
    expect(narrow).not.toContain('┌')
    expect(narrow).toContain('/opt/nodejs/node_modules/dd-trace/index.js')
    for (const line of narrow.split('\n')) if (/\s/.test(line.trim())) expect(line.length, line).toBeLessThanOrEqual(60)
  })

  it('decides pass and fail again under the --fail-on it renders with', () => {
    const out = renderFleetReport(fleetFixture(), 'table', {...options, failOn: 'never'})
    expect(out.split('\n')[0]).toMatch(/^REPORT \(--fail-on never\): 1 of 5 functions fail/)
    expect(out).toContain('functions: 1 error, 3 pass, 1 zip')
  })
})

describe('fleet markdown', () => {
  it('has a summary table and, per failing function, its findings with rule, path, message and fix', () => {
    const out = renderFleetReport(fleetFixture(), 'markdown', options)
    expect(out.split('\n')[0]).toBe('### ❌ layer-audit fleet: FAIL')
    expect(out).toContain('| function | region | verdict | errors | warnings | notes | image or plan |')
    expect(out).toContain('| orders-api | us-east-1 | ❌ fail | 6 | 2 | 2 | `orders-api@sha256:111111111111` |')
    expect(out).toContain('| legacy-cron | us-east-1 | 📦 zip | 0 | 0 | 0 | `layer-image: 1 layer onto public.ecr.aws/lambda/python:3.12, CMD app.handler` |')
    const orders = out.slice(out.indexOf('#### ❌ orders-api (us-east-1)'))
    expect(orders).toContain('`arn:aws:lambda:us-east-1:123456789012:function:orders-api`')
    expect(orders).toContain('**Errors (6)**')
    expect(orders).toContain('- `/opt/extensions/datadog-agent`: file from layer datadog-extension.zip is not in the image')
    expect(orders).toContain('Fix: COPY the layer contents into /opt')
    expect(out).not.toContain('#### ✅')
  })
})

describe('fleet SARIF', () => {
  const validate = sarifValidator()

  it('is one valid run whose results are keyed by the function ARN', () => {
    const sarif = JSON.parse(renderFleetReport(fleetFixture(), 'sarif', options))
    expect(validate(sarif), JSON.stringify(validate.errors, null, 2)).toBe(true)
    expect(sarif.runs).toHaveLength(1)
    const [run] = sarif.runs
    expect(run.automationDetails.id).toBe('layer-audit/fleet/')
    const results = run.results as {ruleId: string; ruleIndex: number; locations: {logicalLocations: {fullyQualifiedName: string; kind: string}[]}[]; properties: Record<string, string>; suppressions?: unknown[]}[]
    expect(results).toHaveLength(fleetFixture().functions.reduce((n, fn) => n + fn.findings.length, 0))
    for (const result of results) {
      const [fn, inImage] = result.locations[0]!.logicalLocations
      expect(fn!.kind).toBe('function')
      expect(fn!.fullyQualifiedName).toBe(result.properties.functionArn)
      if (inImage) expect(inImage.fullyQualifiedName).toMatch(/^image:\/\/\//)
      expect(run.tool.driver.rules[result.ruleIndex].id).toBe(result.ruleId)
    }
    expect(results.filter((result) => result.suppressions)).toHaveLength(2)
    const orders = results.find((result) => result.properties.functionArn === arnOf('orders-api'))!
    expect(orders.properties.imageUri).toMatch(/^123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com\/orders-api@sha256:/)
    // Only the rules results name.
    expect(new Set(run.tool.driver.rules.map((rule: {id: string}) => rule.id))).toEqual(new Set(results.map((result) => result.ruleId)))
  })

  it('makes the same finding in two functions two results with different fingerprints', () => {
    const finding = {rule: 'missing-file', severity: 'error' as const, path: '/opt/extensions/agent', message: 'missing'}
    const report = fleetOf([imageFunction('a', [finding]), imageFunction('b', [{...finding}])])
    const results = JSON.parse(renderFleetReport(report, 'sarif', options)).runs[0].results
    expect(results).toHaveLength(2)
    const prints = results.map((result: {partialFingerprints: Record<string, string>}) => result.partialFingerprints['layerAuditFleet/v1'])
    expect(prints[0]).not.toBe(prints[1])
    expect(results[0].properties.fingerprint).toBe(results[1].properties.fingerprint)
    expect(prints[0]).toBe(fleetFingerprint(arnOf('a'), {...finding, fingerprint: results[0].properties.fingerprint}))
  })
})

describe('fleet JUnit', () => {
  const xml = renderFleetReport(fleetFixture(), 'junit', options)
  const suite = (name: string) => {
    const start = xml.indexOf(`<testsuite name="${name}"`)
    return xml.slice(start, xml.indexOf('</testsuite>', start))
  }

  it('is well-formed, with one suite per function carrying its ARN', () => {
    expect(xmlProblems(xml)).toEqual([])
    expect(xml.match(/<testsuite /g)).toHaveLength(5)
    expect(suite('orders-api')).toContain(`<property name="arn" value="${arnOf('orders-api')}"/>`)
  })

  it('fails the findings at or above --fail-on, a testcase per rule as for one report', () => {
    expect(suite('orders-api')).toMatch(/^<testsuite name="orders-api" tests="\d+" failures="6" errors="0" skipped="2"/)
    expect(suite('orders-api')).toContain('classname="layer-audit.fleet.us-east-1.orders-api.handler-missing" name="handler-missing: no findings"')
    expect(suite('thumbnailer')).toMatch(/failures="0"/)
    const warnings = renderFleetReport(fleetFixture(), 'junit', {...options, failOn: 'warning'})
    expect(warnings.slice(warnings.indexOf('<testsuite name="orders-api"'))).toMatch(/^<testsuite name="orders-api" tests="\d+" failures="8"/)
  })

  it('gives a zip function one passing "migration readiness" case with its plan, and an unauditable one only its findings', () => {
    expect(suite('legacy-cron')).toContain('name="migration readiness"')
    expect(suite('legacy-cron')).toContain('plan: layer-image: 1 layer onto public.ecr.aws/lambda/python:3.12')
    expect(suite('legacy-cron')).not.toContain('<failure')
    expect(suite('payments').match(/<testcase /g)).toHaveLength(1)
    expect(suite('payments')).toContain('<failure message="could not read the function&apos;s image'.replace('&apos;', "'"))
  })
})

describe('fleet JSON', () => {
  it('is the report, schemaVersion first, every function redacted and fingerprinted', () => {
    const json = JSON.parse(renderFleetReport(fleetFixture(), 'json', options)) as FleetReport
    expect(Object.keys(json)[0]).toBe('schemaVersion')
    expect(json.schemaVersion).toBe(1)
    for (const fn of json.functions) for (const finding of fn.findings) expect(finding.fingerprint).toMatch(/^[0-9a-f]{64}$/)
    expect(toJsonFleetReport(json)).toEqual(json)
  })

  it('replaces a schemaVersion read back and keeps the order of functions and findings', () => {
    const report = {...fleetFixture(), schemaVersion: 7}
    const json = toJsonFleetReport(report)
    expect(json.schemaVersion).toBe(1)
    expect(json.functions.map((fn) => fn.arn)).toEqual(report.functions.map((fn) => fn.arn))
    expect(json.functions[0]!.findings.map((f) => f.rule)).toEqual(report.functions[0]!.findings.map((f) => f.rule))
    expect(summarize(json.functions.flatMap((fn) => fn.findings))).toEqual(report.summary)
  })

  it('names the hostile function as it is (JSON is data; displays escape it)', () => {
    expect(toJsonFleetReport(fleetFixture()).functions.some((fn) => fn.name === HOSTILE_NAME)).toBe(true)
  })
})
