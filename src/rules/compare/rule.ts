/** The shape of a compare rule module, and the helper that stamps findings with the rule's metadata. */
import type {Finding, RuleMeta, Severity} from '../types.js'
import type {CompareContext} from './context.js'

export interface CompareRule {
  meta: RuleMeta
  /**
   * 'function-image': the check needs a function image (an interpreter, a handler, an entrypoint), so on
   * a layer image it is skipped with one note instead of firing on what a layer image never has.
   * 'expected': the check needs the zip side and is silent without it.
   */
  requires?: 'function-image' | 'expected'
  check(ctx: CompareContext): Finding[]
}

export type FindingFields = Omit<Finding, 'rule' | 'severity'> & {severity?: Severity}

export function finding(meta: RuleMeta, fields: FindingFields): Finding {
  const {severity, ...rest} = fields
  return {rule: meta.id, severity: severity ?? meta.severity, ...rest}
}
