/**
 * ESLint's checkRuleFiles idea: a rule is not done until it has a docs page and a test that names it.
 * Reporter tests (test/report) do not count: they use rule ids as data, not as firing cases.
 */
import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {join, resolve} from 'node:path'
import {describe, expect, it} from 'vitest'
import {compareRuleMetas} from '../../src/rules/compare/index.js'
import {fleetRuleMetas} from '../../src/rules/fleet/index.js'
import {getRule, rules, rulesFor} from '../../src/rules/registry.js'
import {scanRuleMetas} from '../../src/rules/scan/index.js'
import {SEVERITIES} from '../../src/rules/types.js'

const repo = resolve(import.meta.dirname, '../..')

function testFiles(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return path === join(repo, 'test/report') ? [] : testFiles(path)
    return entry.name.endsWith('.test.ts') ? [path] : []
  })
}

const testSources = testFiles(join(repo, 'test')).map((file) => readFileSync(file, 'utf8'))

describe('rule registry', () => {
  it('holds every compare, scan and fleet rule once, with unique kebab-case ids', () => {
    expect(rules.length).toBe(compareRuleMetas.length + scanRuleMetas.length + fleetRuleMetas.length)
    const ids = rules.map((rule) => rule.id)
    expect(new Set(ids).size, `duplicate ids: ${ids.filter((id, i) => ids.indexOf(id) !== i)}`).toBe(ids.length)
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/)
  })

  it('files each rule under the index of its scope', () => {
    for (const rule of compareRuleMetas) expect(rule.scope, rule.id).toBe('compare')
    for (const rule of scanRuleMetas) expect(rule.scope, rule.id).toBe('scan')
    for (const rule of fleetRuleMetas) expect(rule.scope, rule.id).toBe('fleet')
  })

  it('finds rules by id and lists scan rules for both commands', () => {
    for (const rule of rules) expect(getRule(rule.id)).toBe(rule)
    expect(getRule('no-such-rule')).toBeUndefined()
    expect(rulesFor('scan').every((rule) => rule.scope === 'scan')).toBe(true)
    // compare runs every rule but fleet's own (about a function of an account, not an image).
    expect(rulesFor('compare').length).toBe(rules.length - fleetRuleMetas.length)
  })

  describe.each(rules.map((rule) => [rule.id, rule] as const))('%s', (id, rule) => {
    it('has a title, why, fix and a known severity', () => {
      expect(rule.title.trim()).not.toBe('')
      expect(rule.why.trim()).not.toBe('')
      expect(rule.fix.trim()).not.toBe('')
      expect(SEVERITIES).toContain(rule.severity)
    })

    it(`has docs/rules/${id}.md`, () => {
      expect(existsSync(join(repo, 'docs/rules', `${id}.md`)), `missing docs/rules/${id}.md`).toBe(true)
    })

    it('is named by a test outside test/report', () => {
      const named = testSources.some((source) => [`'${id}'`, `"${id}"`, `\`${id}\``].some((quoted) => source.includes(quoted)))
      expect(named, `no test under test/ names '${id}'`).toBe(true)
    })
  })
})
