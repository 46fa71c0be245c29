/** Every `compare` rule's metadata, in the order `layer-audit rules` lists them. Owned by the compare rules. */
import type {RuleMeta} from '../types.js'
import {compareRules, imageOnlyRules} from './all.js'

export const compareRuleMetas: RuleMeta[] = compareRules.map((rule) => rule.meta)

/** The compare rules `lint` runs: those that need no zip side. */
export const imageOnlyRuleMetas: RuleMeta[] = imageOnlyRules.map((rule) => rule.meta)
