/** Flags → resolveFunction options (tree, inspect, compare) and function settings (lint). */
import {emptyFlagError, UsageError} from '../errors.js'
import type {ResolveFunctionOptions} from '../lambda/resolve.js'
import type {FunctionSettings} from '../rules/compare/context.js'

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

/** True when any function flag was given, even with an empty value (resolveOptionsFrom then says so). */
export function hasFunctionInput(flags: FunctionFlagValues): boolean {
  return Boolean(flags.layer?.length) || [flags['function-zip'], flags.function, flags['function-config']].some((value) => value !== undefined)
}

export function resolveOptionsFrom(flags: FunctionFlagValues): ResolveFunctionOptions {
  for (const layer of flags.layer ?? []) rejectEmpty('--layer', layer)
  rejectEmpty('--function-zip', flags['function-zip'])
  rejectEmpty('--function', flags.function)
  rejectEmpty('--function-config', flags['function-config'])
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

export interface FunctionSettingsFlagValues {
  architecture?: string
  runtime?: string
  handler?: string
  env?: string[]
}

/** lint's flags → the settings the rules read; undefined when none was given. */
export function functionSettingsFrom(flags: FunctionSettingsFlagValues): FunctionSettings | undefined {
  rejectEmpty('--runtime', flags.runtime)
  rejectEmpty('--handler', flags.handler)
  const environment: Record<string, string> = {}
  for (const pair of flags.env ?? []) {
    const eq = pair.indexOf('=')
    const name = eq === -1 ? pair : pair.slice(0, eq)
    if (eq === -1 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new UsageError(`--env ${JSON.stringify(pair)}: expected NAME=VALUE`)
    environment[name] = pair.slice(eq + 1)
  }
  const settings: FunctionSettings = {
    ...(flags.architecture ? {architectures: [flags.architecture]} : {}),
    ...(flags.runtime ? {runtime: flags.runtime} : {}),
    // The handler the function runs: checked in place of the image CMD, and compared with it.
    ...(flags.handler ? {handler: flags.handler, command: [flags.handler]} : {}),
    ...(flags.env?.length ? {environment} : {}),
  }
  return Object.keys(settings).length > 0 ? settings : undefined
}

/** `--layer "$UNSET"` is a mistake to name, not an input to ignore or a file called "". */
function rejectEmpty(flag: string, value: string | undefined): void {
  if (value !== undefined && value.trim() === '') throw emptyFlagError(flag)
}
