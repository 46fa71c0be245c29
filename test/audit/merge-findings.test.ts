import {describe, expect, it} from 'vitest'

import {mergeFindings} from '../../src/audit/merge-findings.js'
import {rules} from '../../src/rules/registry.js'
import type {Finding} from '../../src/rules/types.js'

const at = (rule: string, path: string | undefined, extra: Partial<Finding> = {}): Finding => ({rule, severity: 'error', message: `${rule} ${path}`, ...(path ? {path} : {}), ...extra})

describe('mergeFindings: one cause, one finding', () => {
  it('folds a subsumed finding at the same path into the subsuming one, which lists it', () => {
    const merged = mergeFindings(
      [
        at('mode-mismatch', '/opt/extensions/x', {severity: 'warning'}),
        at('extension-not-executable', '/opt/extensions/x'),
        at('missing-file', '/opt/wrapper'),
        at('wrapper-missing', '/opt/wrapper', {severity: 'warning'}),
      ],
      rules,
    )
    expect(merged.map((f) => [f.rule, f.path, f.severity, f.alsoRules])).toEqual([
      ['extension-not-executable', '/opt/extensions/x', 'error', ['mode-mismatch']],
      // The subsuming rule's finding takes the higher severity of the two.
      ['wrapper-missing', '/opt/wrapper', 'error', ['missing-file']],
    ])
  })

  it('leaves apart findings at other paths, without a path, of unrelated rules, or of another standing', () => {
    const apart = [
      at('mode-mismatch', '/opt/a'),
      at('extension-not-executable', '/opt/b'),
      at('missing-file', undefined),
      at('wrapper-missing', undefined),
      at('content-mismatch', '/opt/c'),
      at('missing-file', '/opt/c'),
      // An ignore of one rule never hides what the other rule still counts.
      at('missing-file', '/opt/w', {suppressed: {reason: 'checked elsewhere'}}),
      at('wrapper-missing', '/opt/w'),
    ]
    expect(mergeFindings(apart, rules)).toEqual(apart)
  })

  it('is what compare reports on the broken migration fixture (see test/cli/compare.test.ts), and rules name only rules that exist', () => {
    const ids = new Set(rules.map((r) => r.id))
    for (const rule of rules) for (const id of rule.subsumes ?? []) expect(ids.has(id), `${rule.id} subsumes ${id}`).toBe(true)
    expect(rules.filter((r) => r.subsumes?.length).map((r) => r.id).sort()).toEqual([
      'agent-path-missing',
      'extension-arch-mismatch',
      'extension-crlf-shebang',
      'extension-not-executable',
      'wrapper-missing',
      'wrapper-not-executable',
    ])
  })
})
