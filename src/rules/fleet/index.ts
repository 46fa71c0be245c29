/** The rules only `fleet` reports: about a function of the account, not about an image's bytes. */
import type {RuleMeta} from '../types.js'
import {meta as functionUnauditable} from './function-unauditable.js'

export const fleetRuleMetas: RuleMeta[] = [functionUnauditable]
