/** Every `compare` rule's metadata, in the order `layer-audit rules` lists them. Owned by the compare rules. */
import type {RuleMeta} from '../types.js'

export const compareRuleMetas: RuleMeta[] = []
