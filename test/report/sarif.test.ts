/** SARIF output checked against the official OASIS SARIF 2.1.0 schema (errata01), committed beside this test. */
import {describe, expect, it} from 'vitest'
import {renderSarif, locationUri} from '../../src/report/sarif.js'
import {fingerprintOf} from '../../src/report/fingerprint.js'
import {sarifValidator} from '../helpers/sarif.js'
import {fixtureReport, fixtureRules, passingReport} from './fixture.js'

const validate = sarifValidator()
const options = {rules: fixtureRules, toolVersion: '0.0.0-test'}

describe('sarif', () => {
  it('is valid SARIF 2.1.0 for a report with findings', () => {
    const log = JSON.parse(renderSarif(fixtureReport(), options))
    const valid = validate(log)
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([])
    expect(valid).toBe(true)
  })

  it('is valid SARIF 2.1.0 for a clean report and for rules the list lacks', () => {
    expect(validate(JSON.parse(renderSarif(passingReport(), options))), JSON.stringify(validate.errors)).toBe(true)
    const report = fixtureReport()
    report.findings.push({rule: 'brand-new-rule', severity: 'warning', message: 'from a rule not in the list', path: '/opt/a b#c?.txt'})
    const log = JSON.parse(renderSarif(report, options))
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true)
    const rules = log.runs[0].tool.driver.rules
    const result = log.runs[0].results.find((r: {ruleId: string}) => r.ruleId === 'brand-new-rule')
    expect(rules[result.ruleIndex].id).toBe('brand-new-rule')
    expect(result.locations[0].physicalLocation.artifactLocation.uri).toBe('image:///opt/a%20b%23c%3F.txt')
  })

  it('lists rules that did not apply as notifications of the invocation, never as results (code scanning would raise alerts)', () => {
    const report = fixtureReport()
    report.notApplicable = [...report.notApplicable!, {rule: 'not-in-the-list', reason: 'no zip side to compare with'}]
    const log = JSON.parse(renderSarif(report, options))
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true)
    const run = log.runs[0]
    const ids = new Set(report.notApplicable.map((n) => n.rule))
    expect(run.results.filter((r: {ruleId: string}) => ids.has(r.ruleId))).toEqual([])
    expect(run.results).toHaveLength(report.findings.length)
    expect(run.invocations).toHaveLength(1)
    expect(run.invocations[0].executionSuccessful).toBe(true)
    const notes = run.invocations[0].toolExecutionNotifications
    expect(notes.map((n: {associatedRule: {id: string}}) => n.associatedRule.id)).toEqual(['handler-missing', 'entrypoint-invalid', 'not-in-the-list'])
    for (const note of notes) {
      expect(note.level).toBe('note')
      expect(run.tool.driver.rules[note.associatedRule.index].id).toBe(note.associatedRule.id)
      expect(note.message.text).toContain('not applicable: ')
    }
    expect(validate(JSON.parse(renderSarif(passingReport(), options)))).toBe(true)
  })

  it('the validator rejects a broken log (the schema is really applied)', () => {
    const log = JSON.parse(renderSarif(fixtureReport(), options))
    log.runs[0].results[0].level = 'fatal'
    delete log.runs[0].tool.driver.name
    expect(validate(log)).toBe(false)
  })

  it('gives every result ruleId, ruleIndex, level, a location and the stable fingerprint', () => {
    const report = fixtureReport()
    const log = JSON.parse(renderSarif(report, options))
    const run = log.runs[0]
    expect(run.tool.driver.rules.map((r: {id: string}) => r.id)).toEqual(fixtureRules.map((r) => r.id))
    expect(run.results).toHaveLength(report.findings.length)
    for (const result of run.results) {
      expect(run.tool.driver.rules[result.ruleIndex].id).toBe(result.ruleId)
      expect(['error', 'warning', 'note']).toContain(result.level)
      expect(result.partialFingerprints['layerAudit/v1']).toMatch(/^[0-9a-f]{64}$/)
    }
    const missing = run.results.find((r: {ruleId: string}) => r.ruleId === 'missing-file')
    expect(missing.partialFingerprints['layerAudit/v1']).toBe(fingerprintOf({rule: 'missing-file', path: '/opt/extensions/datadog-agent'}))
    const secret = run.results.find((r: {ruleId: string}) => r.ruleId === 'secret-in-history')
    expect(secret.locations[0].physicalLocation.artifactLocation.uri).toBe('image:fixtures/orders-api.tar')
  })

  it('marks suppressed findings with a suppression and its justification', () => {
    const run = JSON.parse(renderSarif(fixtureReport(), options)).runs[0]
    const suppressed = run.results.filter((r: {suppressions?: unknown[]}) => r.suppressions)
    expect(suppressed.map((r: {suppressions: {justification: string}[]}) => r.suppressions[0].justification).sort()).toEqual([
      'in baseline',
      'stamped with the build id at image build time',
    ])
    expect(suppressed.find((r: {baselineState?: string}) => r.baselineState === 'unchanged')).toBeDefined()
  })

  it('describes each rule with why, fix, docs and default level (links: rule-links.test.ts)', () => {
    const rule = JSON.parse(renderSarif(fixtureReport(), options)).runs[0].tool.driver.rules[0]
    expect(rule).toMatchObject({
      id: 'missing-file',
      name: 'MissingFile',
      shortDescription: {text: fixtureRules[0].title},
      fullDescription: {text: fixtureRules[0].why},
      defaultConfiguration: {level: 'error'},
    })
    expect(rule.help.text).toContain(fixtureRules[0].fix)
    expect(rule.help.text).toMatch(/docs\/rules\/missing-file\.md/)
  })

  it('builds location URIs from paths, and from the image reference when there is no path', () => {
    expect(locationUri({path: '/opt/extensions/x'}, 'img')).toBe('image:///opt/extensions/x')
    expect(locationUri({}, 'public.ecr.aws/lambda/python:3.12')).toBe('image:public.ecr.aws/lambda/python:3.12')
  })
})
