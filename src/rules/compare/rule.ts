/** The shape of a compare rule module, and the helper that stamps findings with the rule's metadata. */
import type {Finding, RuleMeta, Severity} from '../types.js'
import type {CompareContext} from './context.js'

export interface CompareRule {
  meta: RuleMeta
  /**
   * 'function-image': the check needs a function image (an interpreter, a handler, an entrypoint), so on
   * a layer image it does not apply.
   * 'expected': the check needs the zip side; without it the rule does not apply (and `lint` never runs it).
   */
  requires?: 'function-image' | 'expected'
  /**
   * Why the rule cannot run on this input beyond what `requires` says (e.g. a handler whose runtime is
   * unknown), or undefined when it can. A rule that does not apply reports nothing: the report lists it
   * as not applicable, never as a finding.
   */
  notApplicable?(ctx: CompareContext): string | undefined
  check(ctx: CompareContext): Finding[]
}

export type FindingFields = Omit<Finding, 'rule' | 'severity'> & {severity?: Severity}

export function finding(meta: RuleMeta, fields: FindingFields): Finding {
  const {severity, ...rest} = fields
  return {rule: meta.id, severity: severity ?? meta.severity, ...rest}
}

/** Why `rule` does not apply to this context, or undefined when it runs. */
export function notApplicableReason(rule: CompareRule, ctx: CompareContext): string | undefined {
  if (rule.requires === 'expected' && !ctx.expected) return 'no zip side to compare with'
  if (rule.requires === 'function-image' && ctx.kind === 'layer') return `${ctx.kindReason}; check the function image that copies it`
  return rule.notApplicable?.(ctx)
}

/** True when the rule compares against the zip side: `compare` runs it, `lint` cannot. */
export function needsZipSide(rule: CompareRule): boolean {
  return rule.requires === 'expected'
}
