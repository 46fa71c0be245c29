/**
 * Two image configs → what differs, key by key; env, labels, exposed ports and volumes name by name.
 * Env values are shown only when asked (--show-env), and a value that looks like a secret is redacted
 * even then; history lines are redacted wherever they are shown.
 */
import type {ImageConfig} from '../image/model.js'
import {formatPlatform} from '../image/platform.js'
import {redactEnvValue} from '../secrets/env-value.js'
import {maskKnownSecrets} from '../report/redaction.js'
import type {ConfigChange, ConfigKey} from './model.js'

export interface ConfigDiffOptions {
  showEnv?: boolean
  ignoreTimestamps?: boolean
}

export function diffConfigs(a: ImageConfig, b: ImageConfig, options: ConfigDiffOptions = {}): ConfigChange[] {
  const changes: ConfigChange[] = []
  const ca = a.config ?? {}
  const cb = b.config ?? {}
  const scalar = (key: ConfigKey, x: string | undefined, y: string | undefined) => {
    if ((x ?? '') === (y ?? '')) return
    changes.push({key, kind: !x ? 'added' : !y ? 'removed' : 'modified', ...(x ? {a: maskKnownSecrets(x)} : {}), ...(y ? {b: maskKnownSecrets(y)} : {})})
  }
  scalar('platform', platformOf(a), platformOf(b))
  scalar('entrypoint', argv(ca.Entrypoint), argv(cb.Entrypoint))
  scalar('cmd', argv(ca.Cmd), argv(cb.Cmd))
  scalar('workdir', ca.WorkingDir, cb.WorkingDir)
  scalar('user', ca.User, cb.User)
  scalar('stopSignal', ca.StopSignal, cb.StopSignal)
  named(changes, 'env', envMap(ca.Env), envMap(cb.Env), (name, value) => (options.showEnv ? redactEnvValue(name, value) : undefined))
  named(changes, 'labels', new Map(Object.entries(ca.Labels ?? {})), new Map(Object.entries(cb.Labels ?? {})), (_name, value) => maskKnownSecrets(value))
  named(changes, 'exposedPorts', keysOf(ca.ExposedPorts), keysOf(cb.ExposedPorts), () => undefined)
  named(changes, 'volumes', keysOf(ca.Volumes), keysOf(cb.Volumes), () => undefined)
  if (!options.ignoreTimestamps) scalar('created', a.created, b.created)
  return changes
}

function named(
  changes: ConfigChange[],
  key: ConfigKey,
  a: Map<string, string>,
  b: Map<string, string>,
  shown: (name: string, value: string) => string | undefined,
): void {
  const names = [...new Set([...a.keys(), ...b.keys()])].sort()
  for (const name of names) {
    const x = a.get(name)
    const y = b.get(name)
    if (x === y) continue
    const kind = x === undefined ? 'added' : y === undefined ? 'removed' : 'modified'
    const shownA = x === undefined ? undefined : shown(name, x)
    const shownB = y === undefined ? undefined : shown(name, y)
    changes.push({key, name, kind, ...(shownA !== undefined ? {a: shownA} : {}), ...(shownB !== undefined ? {b: shownB} : {})})
  }
}

/** The last value of each name wins, as the runtime sets them. */
function envMap(env: string[] | null | undefined): Map<string, string> {
  const out = new Map<string, string>()
  for (const item of env ?? []) {
    const eq = item.indexOf('=')
    out.set(eq === -1 ? item : item.slice(0, eq), eq === -1 ? '' : item.slice(eq + 1))
  }
  return out
}

function keysOf(record: Record<string, unknown> | null | undefined): Map<string, string> {
  return new Map(Object.keys(record ?? {}).map((key) => [key, '']))
}

/** An argv as JSON (exec form), the way a Dockerfile writes it; undefined when unset or empty. */
function argv(value: string[] | null | undefined): string | undefined {
  return value && value.length > 0 ? JSON.stringify(value) : undefined
}

function platformOf(config: ImageConfig): string | undefined {
  if (!config.os && !config.architecture) return undefined
  return formatPlatform({os: config.os ?? '', architecture: config.architecture ?? '', ...(config.variant ? {variant: config.variant} : {})})
}
