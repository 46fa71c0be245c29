/** Every `scan` rule, in the order `layer-audit rules` lists them. Owned by the scan rules. */
import type {RuleMeta} from '../types.js'
import type {ScanRule} from './context.js'
import * as credentialsFile from './credentials-file.js'
import * as secretBuildArg from './secret-build-arg.js'
import * as secretInAttestation from './secret-in-attestation.js'
import * as secretInConfig from './secret-in-config.js'
import * as secretInHistory from './secret-in-history.js'
import * as secretInLayer from './secret-in-layer.js'

export const scanRules: readonly ScanRule[] = [secretInHistory, secretInConfig, secretBuildArg, secretInAttestation, secretInLayer, credentialsFile]

export const scanRuleMetas: RuleMeta[] = scanRules.map((rule) => rule.meta)

export type {ScanContext, ScanRule} from './context.js'
