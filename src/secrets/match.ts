/**
 * Runs the pattern data over a string: keyword prefilter, regex, then the value checks (example keys,
 * placeholders, entropy, character classes). Works on any text: file windows, history lines, env values.
 */
import type {Severity} from '../rules/types.js'
import {characterClasses, shannonEntropy} from './entropy.js'
import {AWS_DOCUMENTATION_KEYS, SECRET_PATTERNS, type MatchContext, type SecretPattern} from './patterns.js'
import {isPlaceholder} from './placeholder.js'

export interface SecretMatch {
  pattern: SecretPattern
  /** The secret as found (never to be shown: see redact.ts). */
  secret: string
  /** The secret as fingerprinted (PEM bodies without whitespace). */
  normalized: string
  /** Offset where the whole match starts (the name, for `name=value` patterns). */
  index: number
  severity: Severity
  /** One of AWS's documentation keys: reported as a note. */
  example: boolean
  /** The variable name, for assignment patterns. */
  name?: string
}

interface Compiled {
  pattern: SecretPattern
  keyword: RegExp
  regex: RegExp
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

function compile(patterns: readonly SecretPattern[]): {any: RegExp; compiled: Compiled[]} {
  const compiled = patterns.map((pattern) => ({
    pattern,
    keyword: new RegExp(pattern.keywords.map(escape).join('|'), 'i'),
    regex: new RegExp(pattern.regex.source, pattern.regex.flags.replace('g', '') + 'g'),
  }))
  const any = new RegExp([...new Set(patterns.flatMap((p) => p.keywords))].map(escape).join('|'), 'i')
  return {any, compiled}
}

const DEFAULT = compile(SECRET_PATTERNS)

export function isAwsDocumentationKey(secret: string): boolean {
  return AWS_DOCUMENTATION_KEYS.has(secret) || /EXAMPLE(?:KEY)?$/.test(secret)
}

/** Every credential in text, in order of position; one secret at one place found by two patterns is kept once (the first pattern). */
export function findSecrets(text: string, patterns?: readonly SecretPattern[]): SecretMatch[] {
  const {any, compiled} = patterns ? compile(patterns) : DEFAULT
  if (!any.test(text)) return []
  const found: SecretMatch[] = []
  const seen = new Set<string>()
  for (const {pattern, keyword, regex} of compiled) {
    if (!keyword.test(text)) continue
    regex.lastIndex = 0
    let m: RegExpExecArray | null
    while ((m = regex.exec(text)) !== null) {
      if (m[0].length === 0) {
        regex.lastIndex++
        continue
      }
      const secret = m.groups?.secret ?? m.groups?.secret2 ?? m[0]
      let name = m.groups?.name
      let start = m.index
      if (pattern.extendName) {
        while (start > 0 && m.index - start < 40 && NAME_CHAR.test(text[start - 1])) start--
        name = text.slice(start, m.index) + (name ?? '')
      }
      const lineStart = text.lastIndexOf('\n', start - 1) + 1
      const context = {quoted: m.groups?.secret !== undefined, linePrefix: text.slice(lineStart, start)}
      const match = judge(pattern, secret, name, start, context)
      // The same secret at the same place found by a second, broader pattern is the same finding.
      const at = `${m.index + Math.max(0, m[0].indexOf(secret))}\0${match?.normalized}`
      if (!match || seen.has(at)) continue
      seen.add(at)
      found.push(match)
    }
  }
  return found.sort((a, b) => a.index - b.index)
}

const NAME_CHAR = /[A-Za-z0-9_.-]/

/** The value checks of one pattern on one candidate; undefined when it is not reported. */
export function judge(
  pattern: SecretPattern,
  secret: string,
  name: string | undefined,
  index: number,
  context: MatchContext = {quoted: true, linePrefix: ''},
): SecretMatch | undefined {
  const normalized = pattern.normalize ? pattern.normalize(secret) : secret
  if (pattern.awsExamples && isAwsDocumentationKey(secret)) {
    return {pattern, secret, normalized, index, severity: 'note', example: true, name}
  }
  if (pattern.skipPlaceholders && isPlaceholder(secret)) return undefined
  if (pattern.entropy !== undefined && shannonEntropy(secret) < pattern.entropy) return undefined
  if (pattern.minClasses !== undefined && characterClasses(secret) < pattern.minClasses) return undefined
  if (pattern.accept && !pattern.accept(secret, name, context)) return undefined
  return {pattern, secret, normalized, index, severity: pattern.severity, example: false, name}
}
