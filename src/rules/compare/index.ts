/** Every `compare` rule's metadata, in the order `layer-audit rules` lists them. Owned by the compare rules. */
import type {RuleMeta} from '../types.js'
import {compareRules} from './all.js'

export const compareRuleMetas: RuleMeta[] = compareRules.map((rule) => rule.meta)
