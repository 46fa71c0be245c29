/**
 * Runs the pattern data over a string: keyword prefilter, regex, then the value checks (example keys,
 * placeholders, entropy, character classes). Works on any text: history lines, env values, attestations;
 * file windows go through window-matcher.ts, which finds the same on bytes. A pattern counts only if one of
 * its keywords occurs in the text (ignoring case; a keyword inside another counts); a pattern that says where
 * its matches start (startsWithKeyword, starts) has its regex tried only there.
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

export interface Compiled {
  pattern: SecretPattern
  /** Lower case. */
  keywords: string[]
  regex: RegExp
  /** The same regex anchored where it is tried (start-anchored patterns), made on first use. */
  sticky?: RegExp
  /**
   * Lower-case literals at which every match starts, or `lead` characters before one (see SecretPattern.starts);
   * undefined when the regex must scan the whole text.
   */
  starts?: string[]
  lead: number
  /** Every match starts at a keyword, so a match proves the keyword gate passed (startsWithKeyword). */
  matchImpliesKeyword: boolean
}

export interface CompiledSet {
  /** Every keyword, lower case, longest first. */
  keywords: string[]
  /** Keyword sets (joined by NUL) → one global regex of them (lower case, run on lower-cased text), longest first. */
  searches: Map<string, RegExp>
  compiled: Compiled[]
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

export function compile(patterns: readonly SecretPattern[]): CompiledSet {
  const compiled = patterns.map((pattern): Compiled => {
    const flags = pattern.regex.flags.replace(/[gy]/g, '')
    const keywords = pattern.keywords.map((k) => k.toLowerCase())
    const starts = pattern.startsWithKeyword ? keywords : pattern.starts?.map((s) => s.toLowerCase())
    return {pattern, keywords, regex: new RegExp(pattern.regex.source, flags + 'g'), starts, lead: pattern.startLead ?? 0, matchImpliesKeyword: pattern.startsWithKeyword === true}
  })
  const keywords = [...new Set(compiled.flatMap((c) => c.keywords))].sort((a, b) => b.length - a.length)
  return {keywords, searches: new Map(), compiled}
}

function searchFor(set: CompiledSet, keywords: string[]): RegExp {
  const key = keywords.join('\0')
  let search = set.searches.get(key)
  // Case-sensitive over lower-cased text: an /i alternation of ~45 words was most of the scan's time.
  if (!search) set.searches.set(key, (search = new RegExp(keywords.map(escape).join('|'), 'g')))
  return search
}

export const DEFAULT_SET = compile(SECRET_PATTERNS)

export function isAwsDocumentationKey(secret: string): boolean {
  return AWS_DOCUMENTATION_KEYS.has(secret) || /EXAMPLE(?:KEY)?$/.test(secret)
}

/**
 * The keywords that occur in text (`lower`: the text lower-cased). Text full of common words ("token") would cost one
 * regex step per occurrence, so once a keyword is found the search goes on without it (and without
 * those inside it): a window costs about one pass, however often its keywords occur.
 */
function presentKeywords(lower: string, set: CompiledSet): Set<string> {
  const found = new Set<string>()
  let remaining = set.keywords
  let from = 0
  while (remaining.length > 0) {
    const search = searchFor(set, remaining)
    search.lastIndex = from
    const m = search.exec(lower)
    if (m === null) break
    const hit = m[0]
    // Longest first: where two keywords start at one place the longer one matched, and the shorter
    // one is inside it (token in session_token) — as is any keyword found only inside another.
    for (const keyword of remaining) if (hit.includes(keyword)) found.add(keyword)
    remaining = remaining.filter((k) => !found.has(k))
    // The next search starts one character on, not past the match: a keyword may start inside it.
    from = m.index + 1
  }
  return found
}

/** What a global exec loop finds: leftmost matches, non-overlapping, an empty match stepping one on. */
function* allMatches(regex: RegExp, text: string): Generator<RegExpExecArray> {
  regex.lastIndex = 0
  let m: RegExpExecArray | null
  while ((m = regex.exec(text)) !== null) {
    if (m[0].length === 0) {
      regex.lastIndex++
      continue
    }
    yield m
  }
}

/**
 * The same matches as allMatches for a regex whose every match starts at one of `tries` (ascending offsets):
 * tried only there, skipping those inside the previous match.
 */
function* matchesAt(c: Compiled, text: string, tries: readonly number[]): Generator<RegExpExecArray> {
  c.sticky ??= new RegExp(c.regex.source, c.regex.flags.replace('g', '') + 'y')
  let from = 0
  let last = -1
  for (const at of tries) {
    if (at < from || at === last) continue
    last = at
    c.sticky.lastIndex = at
    const m = c.sticky.exec(text)
    if (m === null || m[0].length === 0) continue
    from = at + m[0].length
    yield m
  }
}

/** Ascending offsets where c's starts occur in `lower` (the text lower-cased, same length), `lead` before each included. */
function startOffsets(c: Compiled, starts: readonly string[], lower: string): number[] {
  const offsets: number[] = []
  for (const start of starts) {
    for (let at = lower.indexOf(start); at !== -1; at = lower.indexOf(start, at + 1)) {
      for (let before = Math.min(c.lead, at); before >= 0; before--) offsets.push(at - before)
    }
  }
  return offsets.sort((a, b) => a - b)
}

/** Where to try a pattern: ascending offsets, 'anywhere' (a scan of the whole text), or undefined: not at all. */
export type Tries = readonly number[] | 'anywhere' | undefined

/** Every credential in text, in order of position; one secret at one place found by two patterns is kept once (the first pattern). */
export function findSecrets(text: string, patterns?: readonly SecretPattern[]): SecretMatch[] {
  const set = patterns ? compile(patterns) : DEFAULT_SET
  const lower = text.toLowerCase()
  const present = presentKeywords(lower, set)
  if (present.size === 0) return []
  // Start offsets in `lower` are offsets in `text` only while lower-casing kept the length.
  const sameOffsets = lower.length === text.length
  const triesOf = (c: Compiled): Tries => {
    if (!c.keywords.some((k) => present.has(k))) return undefined
    return c.starts && sameOffsets ? startOffsets(c, c.starts, lower) : 'anywhere'
  }
  return collectMatches(set, text, triesOf, () => true)
}

/**
 * The matches of every pattern `triesOf` places, judged, deduplicated and sorted. `keywordGate(c)` is asked
 * once a pattern has a match: whether one of its keywords occurs in the text (the prefilter's verdict).
 */
export function collectMatches(
  set: CompiledSet,
  text: string,
  triesOf: (c: Compiled, index: number) => Tries,
  keywordGate: (c: Compiled) => boolean,
): SecretMatch[] {
  const found: SecretMatch[] = []
  const seen = new Set<string>()
  for (const [index, c] of set.compiled.entries()) {
    const {pattern} = c
    const tries = triesOf(c, index)
    if (tries === undefined || (tries !== 'anywhere' && tries.length === 0)) continue
    let gated = false
    for (const m of tries === 'anywhere' ? allMatches(c.regex, text) : matchesAt(c, text, tries)) {
      if (!gated && !(gated = keywordGate(c))) break
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
