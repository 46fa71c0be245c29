/**
 * The one list of rules. `layer-audit rules`, SARIF `tool.driver.rules`, the JUnit suites, config
 * validation and the docs test all read it, so a rule exists in exactly one place: its module's `meta`.
 */
import {compareRuleMetas} from './compare/index.js'
import {scanRuleMetas} from './scan/index.js'
import type {RuleMeta} from './types.js'

export const rules: readonly RuleMeta[] = [...compareRuleMetas, ...scanRuleMetas]

const byId = new Map(rules.map((rule) => [rule.id, rule]))

export function getRule(id: string): RuleMeta | undefined {
  return byId.get(id)
}

/** The rules a command runs: `scan` runs the scan rules; `compare` runs its own and the scan rules too. */
export function rulesFor(command: 'compare' | 'scan'): RuleMeta[] {
  return command === 'scan' ? rules.filter((rule) => rule.scope === 'scan') : [...rules]
}
