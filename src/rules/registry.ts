/**
 * The one list of rules. `layer-audit rules`, SARIF `tool.driver.rules`, the JUnit suites, config
 * validation and the docs test all read it, so a rule exists in exactly one place: its module's `meta`.
 */
import {compareRuleMetas, imageOnlyRuleMetas} from './compare/index.js'
import {fleetRuleMetas} from './fleet/index.js'
import {scanRuleMetas} from './scan/index.js'
import type {AuditCommand, RuleMeta} from './types.js'

export const rules: readonly RuleMeta[] = [...compareRuleMetas, ...scanRuleMetas, ...fleetRuleMetas]

const byId = new Map(rules.map((rule) => [rule.id, rule]))

export function getRule(id: string): RuleMeta | undefined {
  return byId.get(id)
}

/**
 * The rules a command runs: `scan` runs the scan rules; `compare` runs its own and the scan rules too;
 * `lint` the compare rules that need no zip side, and the scan rules.
 */
export function rulesFor(command: AuditCommand): RuleMeta[] {
  if (command === 'scan') return rules.filter((rule) => rule.scope === 'scan')
  if (command === 'lint') return [...imageOnlyRuleMetas, ...scanRuleMetas]
  return rules.filter((rule) => rule.scope !== 'fleet')
}


/** The rules a command runs on its own, not counting the scan rules compare and lint also run (`layer-audit rules --scope`). */
export function ownRulesOf(command: AuditCommand): RuleMeta[] {
  if (command === 'lint') return [...imageOnlyRuleMetas]
  return rules.filter((rule) => rule.scope === command)
}

/** The commands that run a rule: a scan rule runs in all three; a compare rule in lint too unless it needs the zip side. */
export function commandsRunning(rule: RuleMeta): (AuditCommand | 'fleet')[] {
  if (rule.scope === 'fleet') return ['fleet']
  if (rule.scope === 'scan') return ['scan', 'compare', 'lint']
  return imageOnlyRuleMetas.some((meta) => meta.id === rule.id) ? ['compare', 'lint'] : ['compare']
}
