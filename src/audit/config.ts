/**
 * `.layer-audit.json` (or --config FILE): per-rule severity overrides and path ignores, each ignore with a
 * mandatory reason that the report shows beside the suppressed finding.
 *
 *   {"rules": {"extra-file": "off", "mode-mismatch": "error"},
 *    "ignore": [{"rule": "extension-arch-mismatch", "path": "/opt/extensions/**", "reason": "…"}]}
 *
 * A rule set to "off" is not reported at all; an ignore keeps the finding in the report, suppressed.
 * Paths are globs (see path-glob.ts); an ignore without "path" covers every finding of its rule.
 */
import {resolve} from 'node:path'
import {LayerAuditError} from '../errors.js'
import {FileTooLargeError, readFileCapped} from '../io/capped-read.js'
import {jsonErrorPlace} from '../io/json-syntax.js'
import {rules as registeredRules} from '../rules/registry.js'
import {SEVERITIES, type Finding, type Severity} from '../rules/types.js'
import {matchesGlob} from './path-glob.js'

export const CONFIG_FILE = '.layer-audit.json'
const MAX_CONFIG_BYTES = 1024 * 1024

export type RuleSetting = Severity | 'off'

export interface IgnoreEntry {
  rule: string
  /** Glob over the finding's absolute path; absent: every finding of the rule. */
  path?: string
  reason: string
}

export interface LayerAuditConfig {
  rules: Record<string, RuleSetting>
  ignore: IgnoreEntry[]
  /** The file it came from, when it came from one. */
  file?: string
}

export const EMPTY_CONFIG: LayerAuditConfig = Object.freeze({rules: {}, ignore: []})

export class ConfigError extends LayerAuditError {}

export interface LoadConfigOptions {
  /** --config FILE; must exist. Without it, `.layer-audit.json` in `cwd` is read if present. */
  file?: string
  cwd?: string
  /** Rule ids the config may name (default: every registered rule). */
  knownRules?: readonly string[]
}

export async function loadConfig(options: LoadConfigOptions = {}): Promise<LayerAuditConfig> {
  const explicit = options.file !== undefined
  const file = explicit ? options.file! : resolve(options.cwd ?? process.cwd(), CONFIG_FILE)
  const shown = explicit ? options.file! : CONFIG_FILE
  let text: string
  try {
    text = (await readFileCapped(file, MAX_CONFIG_BYTES)).toString('utf8')
  } catch (error) {
    if (error instanceof FileTooLargeError) throw new ConfigError('TOO_LARGE', 'config file over 1 MiB', {input: shown})
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' && !explicit) return {...EMPTY_CONFIG, rules: {}, ignore: []}
    if (code === 'ENOENT') throw new ConfigError('NOT_FOUND', 'config file not found', {input: shown})
    throw new ConfigError('NOT_FOUND', `cannot read config file (${code ?? 'error'})`, {input: shown, cause: error})
  }
  if (text.length > MAX_CONFIG_BYTES) throw new ConfigError('TOO_LARGE', 'config file over 1 MiB', {input: shown})
  return parseConfig(text, shown, options.knownRules)
}

/** Parses and validates config text; `source` names the file in error lines. */
export function parseConfig(text: string, source: string, knownRules?: readonly string[]): LayerAuditConfig {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (error) {
    // Never V8's message: it quotes the file.
    throw new ConfigError('CORRUPT', `not valid JSON (${jsonErrorPlace(text)})`, {input: source})
  }
  const known = new Set(knownRules ?? registeredRules.map((rule) => rule.id))
  const fail = (where: string, problem: string): never => {
    throw new ConfigError('USAGE', `${where}: ${problem}`, {input: source})
  }
  const checkRule = (where: string, id: unknown): string => {
    if (typeof id !== 'string' || id === '') return fail(where, 'a rule id is required')
    if (!known.has(id)) {
      const hint = closest(id, known)
      fail(where, `unknown rule id "${id}"${hint ? ` (did you mean "${hint}"?)` : ''}; \`layer-audit rules\` lists them`)
    }
    return id
  }

  if (!isObject(data)) return fail('top level', 'expected an object with "rules" and/or "ignore"')
  for (const key of Object.keys(data)) {
    if (key !== 'rules' && key !== 'ignore' && key !== '$schema') fail(key, 'unknown key (expected "rules" or "ignore")')
  }

  const rules: Record<string, RuleSetting> = {}
  if (data.rules !== undefined) {
    if (!isObject(data.rules)) fail('rules', 'expected an object of rule id → "error" | "warning" | "note" | "off"')
    for (const [id, setting] of Object.entries(data.rules as Record<string, unknown>)) {
      checkRule(`rules["${id}"]`, id)
      if (setting !== 'off' && !SEVERITIES.includes(setting as Severity)) {
        fail(`rules["${id}"]`, `expected "error", "warning", "note" or "off", got ${JSON.stringify(setting)}`)
      }
      rules[id] = setting as RuleSetting
    }
  }

  const ignore: IgnoreEntry[] = []
  if (data.ignore !== undefined) {
    if (!Array.isArray(data.ignore)) fail('ignore', 'expected an array of {"rule", "path", "reason"}')
    ;(data.ignore as unknown[]).forEach((entry, index) => {
      const where = `ignore[${index}]`
      if (!isObject(entry)) return fail(where, 'expected an object with "rule", "path" and "reason"')
      for (const key of Object.keys(entry)) {
        if (!['rule', 'path', 'reason'].includes(key)) fail(where, `unknown key "${key}" (expected "rule", "path", "reason")`)
      }
      const rule = checkRule(where, entry.rule)
      if (typeof entry.reason !== 'string' || entry.reason.trim() === '') fail(where, 'a non-empty "reason" is required')
      if (entry.path !== undefined && (typeof entry.path !== 'string' || !entry.path.startsWith('/') && !entry.path.startsWith('**'))) {
        fail(where, '"path" must be an absolute path glob such as "/opt/extensions/**"')
      }
      ignore.push({rule, reason: (entry.reason as string).trim(), ...(entry.path === undefined ? {} : {path: entry.path as string})})
    })
  }
  return {rules, ignore, file: source}
}

export function isRuleEnabled(config: LayerAuditConfig, ruleId: string): boolean {
  return config.rules[ruleId] !== 'off'
}

/**
 * Severity overrides, then ignores: a finding of a rule set to "off" is dropped; one matching an ignore
 * is kept, suppressed with the ignore's reason. An already suppressed finding keeps its first reason.
 */
export function applyConfig(findings: readonly Finding[], config: LayerAuditConfig): Finding[] {
  const out: Finding[] = []
  for (const finding of findings) {
    const setting = config.rules[finding.rule]
    if (setting === 'off') continue
    let next = setting && setting !== finding.severity ? {...finding, severity: setting} : finding
    if (!next.suppressed) {
      const match = config.ignore.find(
        (entry) => entry.rule === next.rule && (entry.path === undefined || (next.path !== undefined && matchesGlob(next.path, entry.path))),
      )
      if (match) next = {...next, suppressed: {reason: match.reason}}
    }
    out.push(next)
  }
  return out
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The known id within edit distance 3 of a mistyped one, for "did you mean". */
function closest(id: string, known: Iterable<string>): string | undefined {
  let best: string | undefined
  let bestDistance = 4
  for (const candidate of known) {
    const distance = editDistance(id, candidate)
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance]
  }
  return best
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({length: b.length + 1}, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    previous = current
  }
  return previous[b.length]
}
