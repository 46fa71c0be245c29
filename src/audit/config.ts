/**
 * `.layer-audit.json` or `.layer-audit.yaml` (or --config FILE, or LAYER_AUDIT_CONFIG): per-rule severity
 * overrides and path ignores, each ignore with a mandatory reason that the report shows beside the
 * suppressed finding, and optionally a date it expires on.
 *
 *   {"rules": {"extra-file": "off", "mode-mismatch": "error"},
 *    "ignore": [{"rule": "extension-arch-mismatch", "path": "/opt/extensions/**", "reason": "…", "expires": "2027-03-31"}]}
 *
 * A rule set to "off" is not reported at all; an ignore keeps the finding in the report, suppressed.
 * Paths are globs (see path-glob.ts); an ignore without "path" covers every finding of its rule. Without
 * an explicit file, the nearest config is found by walking up from the working directory to the root of
 * its git repository, as ESLint and Prettier find theirs.
 */
import {stat} from 'node:fs/promises'
import {dirname, join, relative, resolve} from 'node:path'
import {parseDocument} from 'yaml'
import {LayerAuditError} from '../errors.js'
import {FileTooLargeError, readFileCapped} from '../io/capped-read.js'
import {jsonErrorPlace} from '../io/json-syntax.js'
import {rules as registeredRules} from '../rules/registry.js'
import {SEVERITIES, type Finding, type Severity} from '../rules/types.js'
import {matchesGlob} from './path-glob.js'

export const CONFIG_FILE = '.layer-audit.json'
/** The names a config may have, in the order they are looked for in each directory. */
export const CONFIG_FILES = [CONFIG_FILE, '.layer-audit.yaml', '.layer-audit.yml'] as const
const MAX_CONFIG_BYTES = 1024 * 1024

export type RuleSetting = Severity | 'off'

export interface IgnoreEntry {
  rule: string
  /** Glob over the finding's absolute path; absent: every finding of the rule. */
  path?: string
  reason: string
  /** YYYY-MM-DD: from that day on (UTC) the ignore no longer suppresses, and the report warns. */
  expires?: string
}

export interface LayerAuditConfig {
  rules: Record<string, RuleSetting>
  ignore: IgnoreEntry[]
  /** The file it came from, when it came from one, as the report names it. */
  file?: string
}

export const EMPTY_CONFIG: LayerAuditConfig = Object.freeze({rules: {}, ignore: []})

export class ConfigError extends LayerAuditError {}

export interface LoadConfigOptions {
  /** --config FILE (or LAYER_AUDIT_CONFIG); must exist. Without it, the nearest config above `cwd` is read. */
  file?: string
  cwd?: string
  /** Rule ids the config may name (default: every registered rule). */
  knownRules?: readonly string[]
}

export async function loadConfig(options: LoadConfigOptions = {}): Promise<LayerAuditConfig> {
  const cwd = resolve(options.cwd ?? process.cwd())
  const file = options.file !== undefined ? resolve(cwd, options.file) : await findConfig(cwd)
  if (file === undefined) return {...EMPTY_CONFIG, rules: {}, ignore: []}
  // Named as given, or relative to the working directory when found (".layer-audit.json", "../.layer-audit.yaml").
  const shown = options.file ?? (relative(cwd, file) || file)
  let text: string
  try {
    text = (await readFileCapped(file, MAX_CONFIG_BYTES)).toString('utf8')
  } catch (error) {
    if (error instanceof FileTooLargeError) throw new ConfigError('TOO_LARGE', 'config file over 1 MiB', {input: shown})
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw new ConfigError('NOT_FOUND', 'config file not found', {input: shown})
    throw new ConfigError('NOT_FOUND', `cannot read config file (${code ?? 'error'})`, {input: shown, cause: error})
  }
  if (text.length > MAX_CONFIG_BYTES) throw new ConfigError('TOO_LARGE', 'config file over 1 MiB', {input: shown})
  return parseConfig(text, shown, options.knownRules, /\.ya?ml$/i.test(file) ? 'yaml' : 'json')
}

/**
 * The nearest config file: in `cwd`, else in each parent up to the root of the git repository `cwd` is
 * in (the directory holding `.git`). Outside a repository only `cwd` is looked at: a config in a home
 * directory or `/` must not silently apply to every image audited below it. Two configs in one
 * directory are an error (which one was meant?).
 */
export async function findConfig(cwd: string): Promise<string | undefined> {
  const top = await repositoryRoot(cwd)
  for (let dir = cwd; ; dir = dirname(dir)) {
    const found: string[] = []
    for (const name of CONFIG_FILES) if (await isFile(join(dir, name))) found.push(join(dir, name))
    if (found.length > 1) {
      throw new ConfigError('USAGE', `two config files in one directory (${found.map((f) => relative(cwd, f) || f).join(', ')}): keep one`, {input: relative(cwd, dir) || '.'})
    }
    if (found.length === 1) return found[0]
    if (top === undefined || dir === top || dirname(dir) === dir) return undefined
  }
}

async function repositoryRoot(from: string): Promise<string | undefined> {
  for (let dir = from; ; dir = dirname(dir)) {
    if (await exists(join(dir, '.git'))) return dir
    if (dirname(dir) === dir) return undefined
  }
}

async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isFile() === true
}

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined)) !== undefined
}

/** Parses and validates config text; `source` names the file in error lines. */
export function parseConfig(text: string, source: string, knownRules?: readonly string[], syntax: 'json' | 'yaml' = 'json'): LayerAuditConfig {
  const data = syntax === 'yaml' ? parseYaml(text, source) : parseJson(text, source)
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
        if (!['rule', 'path', 'reason', 'expires'].includes(key)) fail(where, `unknown key "${key}" (expected "rule", "path", "reason", "expires")`)
      }
      const rule = checkRule(where, entry.rule)
      if (typeof entry.reason !== 'string' || entry.reason.trim() === '') fail(where, 'a non-empty "reason" is required')
      if (entry.path !== undefined && (typeof entry.path !== 'string' || !entry.path.startsWith('/') && !entry.path.startsWith('**'))) {
        fail(where, '"path" must be an absolute path glob such as "/opt/extensions/**"')
      }
      if (entry.expires !== undefined && !isDay(entry.expires)) fail(where, '"expires" must be a date written YYYY-MM-DD, such as "2027-03-31"')
      ignore.push({
        rule,
        reason: (entry.reason as string).trim(),
        ...(entry.path === undefined ? {} : {path: entry.path as string}),
        ...(entry.expires === undefined ? {} : {expires: entry.expires as string}),
      })
    })
  }
  return {rules, ignore, file: source}
}

export function isRuleEnabled(config: LayerAuditConfig, ruleId: string): boolean {
  return config.rules[ruleId] !== 'off'
}

/** Whether an ignore has expired on `today`: from its `expires` day on (UTC), it no longer suppresses. */
export function isExpired(entry: IgnoreEntry, today: Date): boolean {
  return entry.expires !== undefined && today.toISOString().slice(0, 10) >= entry.expires
}

/** One line per expired ignore, for the report: the suppression is gone and its findings count again. */
export function expiredIgnoreWarnings(config: LayerAuditConfig, today = new Date()): string[] {
  const warnings: string[] = []
  config.ignore.forEach((entry, index) => {
    if (!isExpired(entry, today)) return
    const what = `${entry.rule}${entry.path ? ` ${entry.path}` : ''}`
    warnings.push(`${config.file ?? 'config'}: ignore[${index}] (${what}) expired on ${entry.expires}: its findings count again; renew or remove it`)
  })
  return warnings
}

/**
 * Severity overrides, then ignores: a finding of a rule set to "off" is dropped; one matching an ignore
 * that has not expired is kept, suppressed with the ignore's reason. An already suppressed finding keeps
 * its first reason.
 */
export function applyConfig(findings: readonly Finding[], config: LayerAuditConfig, today = new Date()): Finding[] {
  const out: Finding[] = []
  const live = config.ignore.filter((entry) => !isExpired(entry, today))
  for (const finding of findings) {
    const setting = config.rules[finding.rule]
    if (setting === 'off') continue
    let next = setting && setting !== finding.severity ? {...finding, severity: setting} : finding
    if (!next.suppressed) {
      const match = live.find(
        (entry) => entry.rule === next.rule && (entry.path === undefined || (next.path !== undefined && matchesGlob(next.path, entry.path))),
      )
      if (match) next = {...next, suppressed: {reason: match.reason}}
    }
    out.push(next)
  }
  return out
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    // Never V8's message: it quotes the file.
    throw new ConfigError('CORRUPT', `not valid JSON (${jsonErrorPlace(text)})`, {input: source})
  }
}

function parseYaml(text: string, source: string): unknown {
  // Aliases are capped (a "billion laughs" document expands exponentially); errors give a place, never the text.
  const document = parseDocument(text, {uniqueKeys: true, prettyErrors: true})
  const error = document.errors[0]
  if (error) {
    const at = error.linePos?.[0]
    throw new ConfigError('CORRUPT', `not valid YAML (${at ? `line ${at.line}, column ${at.col}` : error.code})`, {input: source})
  }
  try {
    return document.toJS({maxAliasCount: 100})
  } catch {
    throw new ConfigError('CORRUPT', 'not valid YAML (too many aliases)', {input: source})
  }
}

/** A real calendar day written YYYY-MM-DD (a YAML date is read as a string here: the core schema has none). */
function isDay(value: unknown): boolean {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false
  const day = new Date(`${value}T00:00:00Z`)
  return !Number.isNaN(day.getTime()) && day.toISOString().startsWith(value)
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
