/**
 * One problem, one finding. Some rules look at the same fact from two sides: an extension that lost its
 * exec bit fires extension-not-executable and mode-mismatch; a missing wrapper fires wrapper-missing and
 * missing-file. Reported twice, one cause reads as two problems and is counted twice by the gate. A rule
 * names what it subsumes (RuleMeta.subsumes); a subsumed finding at the same path is folded into the
 * subsuming one, which keeps the higher severity and lists the other rule in `alsoRules`.
 *
 * Runs after the config (a rule turned off subsumes nothing) and before the baseline (which holds the
 * merged findings of an earlier run, under the fingerprint of the rule each is reported as). Findings
 * fold only into one of the same standing (suppressed with suppressed, counted with counted), so an
 * ignore of one rule never hides a finding another rule still counts.
 */
import {severityOrder} from './gate.js'
import type {Finding, RuleMeta} from '../rules/types.js'

export function mergeFindings(findings: readonly Finding[], rules: readonly RuleMeta[]): Finding[] {
  const subsumers = new Map<string, RuleMeta[]>() // subsumed rule id → rules that subsume it
  for (const rule of rules) for (const id of rule.subsumes ?? []) subsumers.set(id, [...(subsumers.get(id) ?? []), rule])
  if (subsumers.size === 0) return [...findings]

  const key = (ruleId: string, path: string, suppressed: boolean) => `${ruleId}\0${suppressed ? 1 : 0}\0${path}`
  const byKey = new Map<string, number>()
  findings.forEach((f, i) => {
    if (f.path !== undefined && !byKey.has(key(f.rule, f.path, Boolean(f.suppressed)))) byKey.set(key(f.rule, f.path, Boolean(f.suppressed)), i)
  })
  const merged: (Finding | undefined)[] = [...findings]
  findings.forEach((f, i) => {
    if (f.path === undefined) return
    for (const rule of subsumers.get(f.rule) ?? []) {
      const at = byKey.get(key(rule.id, f.path, Boolean(f.suppressed)))
      if (at === undefined || merged[at] === undefined) continue
      const into = merged[at]!
      merged[at] = {
        ...into,
        severity: severityOrder(into.severity, f.severity) <= 0 ? into.severity : f.severity,
        alsoRules: [...new Set([...(into.alsoRules ?? []), f.rule, ...(f.alsoRules ?? [])])],
      }
      merged[i] = undefined
      return
    }
  })
  return merged.filter((f): f is Finding => f !== undefined)
}
