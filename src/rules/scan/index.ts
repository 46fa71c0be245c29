/** Every `scan` rule's metadata, in the order `layer-audit rules` lists them. Owned by the scan rules. */
import type {RuleMeta} from '../types.js'

export const scanRuleMetas: RuleMeta[] = []
