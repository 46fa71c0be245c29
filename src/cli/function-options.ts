/** Flags → resolveFunction options, shared by tree, inspect and compare. */
import type {ResolveFunctionOptions} from '../lambda/resolve.js'

export interface FunctionFlagValues {
  layer?: string[]
  'function-zip'?: string
  function?: string
  'function-config'?: string
  region?: string
  profile?: string
  'endpoint-url'?: string
  'no-cache'?: boolean
}

export function hasFunctionInput(flags: FunctionFlagValues): boolean {
  return Boolean(flags.layer?.length || flags['function-zip'] || flags.function || flags['function-config'])
}

export function resolveOptionsFrom(flags: FunctionFlagValues): ResolveFunctionOptions {
  return {
    layers: flags.layer ?? [],
    ...(flags['function-zip'] ? {functionZip: flags['function-zip']} : {}),
    ...(flags.function ? {functionName: flags.function} : {}),
    ...(flags['function-config'] ? {functionConfig: flags['function-config']} : {}),
    ...(flags.region ? {region: flags.region} : {}),
    ...(flags.profile ? {profile: flags.profile} : {}),
    ...(flags['endpoint-url'] ? {endpointUrl: flags['endpoint-url']} : {}),
    ...(flags['no-cache'] ? {noCache: true} : {}),
  }
}
