import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {applyBaseline, BASELINE_REASON, loadBaseline, parseBaseline} from '../../src/audit/baseline.js'
import {summarize} from '../../src/audit/gate.js'
import {fingerprintOf} from '../../src/report/fingerprint.js'
import {renderJson} from '../../src/report/json.js'
import {renderSarif} from '../../src/report/sarif.js'
import type {Finding} from '../../src/rules/types.js'
import {fixtureReport, fixtureRules} from './fixture.js'

const dir = mkdtempSync(join(tmpdir(), 'layer-audit-baseline-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

describe('baseline', () => {
  it('suppresses findings seen in an earlier JSON report; only new ones count', async () => {
    const earlier = fixtureReport()
    const file = join(dir, 'earlier.json')
    writeFileSync(file, renderJson(earlier))
    const baseline = await loadBaseline(file)

    const newFinding: Finding = {rule: 'missing-file', severity: 'error', path: '/opt/extensions/new-agent', message: 'missing'}
    // The same findings on a rebuilt image: reworded, other layers; plus one new finding.
    const rerun = fixtureReport().findings.map((f) => ({...f, message: `${f.message} (rebuilt)`, layer: (f.layer ?? 0) + 1}))
    const out = applyBaseline([...rerun, newFinding], baseline)
    expect(out.filter((f) => !f.suppressed)).toEqual([newFinding])
    // 10 that counted before, plus the one the earlier run already had in its baseline.
    expect(out.filter((f) => f.suppressed?.reason === BASELINE_REASON)).toHaveLength(11)
    // Findings suppressed for another reason keep it.
    expect(out.find((f) => f.path === '/opt/python/lib/build_id.txt')?.suppressed?.reason).toBe('stamped with the build id at image build time')
    expect(summarize(out)).toEqual({error: 1, warning: 0, note: 0, suppressed: 12})
  })

  it('reads fingerprints from a SARIF log too', () => {
    const fingerprints = parseBaseline(renderSarif(fixtureReport(), {rules: fixtureRules}), 'old.sarif')
    expect(fingerprints.has(fingerprintOf({rule: 'missing-file', path: '/opt/extensions/datadog-agent'}))).toBe(true)
    expect(fingerprints.size).toBe(12)
  })

  it('fingerprints reports written without fingerprints', () => {
    const fingerprints = parseBaseline(JSON.stringify({findings: [{rule: 'extra-file', path: '/opt/a', severity: 'note', message: 'x'}]}), 'b.json')
    expect([...fingerprints]).toEqual([fingerprintOf({rule: 'extra-file', path: '/opt/a'})])
  })

  it('rejects what is not a report, naming the file', async () => {
    expect(() => parseBaseline('{"findings": [', 'b.json')).toThrow(expect.objectContaining({code: 'CORRUPT', input: 'b.json'}))
    expect(() => parseBaseline('{"hello": 1}', 'b.json')).toThrow(expect.objectContaining({code: 'UNKNOWN_FORMAT', input: 'b.json'}))
    await expect(loadBaseline(join(dir, 'missing.json'))).rejects.toMatchObject({code: 'NOT_FOUND'})
  })
})
