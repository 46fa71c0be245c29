/**
 * findSecrets for a window of file bytes, with the same result as findSecrets(window.toString('latin1'))
 * but without decoding, lower-casing or regex-scanning a window where no pattern can match.
 *
 * Every pattern says where its matches start: at a keyword (startsWithKeyword) or at one of its `starts`.
 * So the trigram filter finds the places where such a literal may start, each is checked exactly here
 * (ASCII case folding is exact on latin1 text: no other byte lower-cases to an ASCII letter), and a
 * pattern's regex is tried at its checked places only. The keyword prefilter still decides, as in
 * findSecrets: a pattern counts only if one of its keywords occurs in the window. For a start-at-keyword
 * pattern a match proves that; for the others it is looked up once a match is found, which is rare.
 */
import {collectMatches, DEFAULT_SET, type Compiled, type CompiledSet, type SecretMatch, type Tries} from './match.js'
import {Anchor, assignmentFollows, pairKey} from './anchor.js'
import {TrigramFilter} from './trigram-filter.js'


/**
 * Past this many tries per 32 bytes of window a pattern's regex scans the window whole instead (the same
 * matches): a file of "aws_aws_…" or "AKIAAKIA…" would cost one regex call per few bytes (12 MB/s).
 */
const DENSE_TRIES_PER_32_BYTES = 1

/** How far before its start a match may read: a name extended backwards (40) and a lookbehind, with room. */
const NAME_REACH = 64

export class WindowMatcher {
  private readonly filter: TrigramFilter
  /** Anchors by the first two bytes of their sieved trigram, folded (pairKey): a candidate's key names the few worth checking. */
  private readonly anchors: (Anchor[] | undefined)[] = new Array(1 << 16)
  /** Patterns that name no starts: gated by their keywords and scanned whole. */
  private readonly unanchored: Compiled[]
  private window: Buffer = Buffer.alloc(0)
  private length = 0
  /** Windows loaded so far: names the current one. */
  private loads = 0

  constructor(
    private readonly set: CompiledSet = DEFAULT_SET,
    options: {wasm?: boolean} = {},
  ) {
    const byLiteral = new Map<string, Anchor>()
    set.compiled.forEach((c, pattern) => {
      for (const literal of c.starts ?? []) {
        let anchor = byLiteral.get(literal)
        if (!anchor) byLiteral.set(literal, (anchor = new Anchor(literal)))
        anchor.uses.push({pattern, lead: c.lead, assignment: c.pattern.assignment === true})
      }
    })
    const literals = [...byLiteral.values()]
    for (const anchor of literals) (this.anchors[pairKey(Buffer.from(anchor.sieve, 'latin1'), 0)] ??= []).push(anchor)
    this.unanchored = set.compiled.filter((c) => !c.starts)
    const check = literals.map((a) => ({literal: a.literal, sieveOffset: a.sieveOffset, assignment: a.uses.every((use) => use.assignment)}))
    this.filter = new TrigramFilter(literals.map((anchor) => anchor.sieve), {...options, check})
  }

  /** Copies in the next window (the parts end to end) and returns it; valid until the next load. */
  load(parts: readonly Uint8Array[], length: number): Buffer {
    this.window = this.filter.load(parts, length)
    this.length = length
    this.loads++
    return this.window
  }

  /** Newlines in [from, to) of the loaded window. */
  countNewlines(from: number, to: number): number {
    return this.filter.count(0x0a, from, to)
  }

  /** The matches in the loaded window, as findSecrets(window.toString('latin1')) finds them. */
  find(): SecretMatch[] {
    const tries = this.anchoredTries()
    if (!tries && this.unanchored.length === 0) return []
    // Text before the first try is never decoded (decoding half the bench's text whole, for a try or two
    // per window, was a fifth of the scan). Offsets in `text` are offsets in the window less `from`.
    const from = this.unanchored.length === 0 ? this.firstLineStart(tries!) : 0
    const text = this.window.toString('latin1', from, this.length)
    let lower: string | undefined
    const keywordOccurs = (c: Compiled) => {
      // The keyword gate reads the whole window, as findSecrets does.
      lower ??= (from === 0 ? text : this.window.toString('latin1', 0, this.length)).toLowerCase()
      return c.keywords.some((k) => lower!.includes(k))
    }
    const triesOf = (c: Compiled, index: number): Tries => {
      if (!c.starts) return keywordOccurs(c) ? 'anywhere' : undefined
      const list = tries?.[index]
      return from === 0 || list === undefined || list === 'anywhere' ? list : list.map((at) => at - from)
    }
    const found = collectMatches(this.set, text, triesOf, (c) => c.matchImpliesKeyword || keywordOccurs(c))
    if (from > 0) for (const match of found) match.index += from
    return found
  }

  /**
   * Where decoding may start: the start of the line that holds NAME_REACH characters before the first try.
   * A match starts at a try; what it reads before that is at most a one-character lookbehind and a name
   * extended backwards (extendName, 40 characters), and judging it reads its line from the start.
   * 0 when any pattern is tried anywhere.
   */
  private firstLineStart(tries: (number[] | 'anywhere' | undefined)[]): number {
    let first = this.length
    for (const list of tries) {
      if (list === 'anywhere') return 0
      if (list !== undefined && list.length > 0 && list[0] < first) first = list[0]
    }
    const reach = first - NAME_REACH
    return reach <= 0 ? 0 : this.window.lastIndexOf(0x0a, reach - 1) + 1
  }

  /**
   * Each anchored pattern's tries (by its index in the set): where one of its starts occurs, less its lead,
   * ascending; 'anywhere' once they are dense.
   */
  private anchoredTries(): (number[] | 'anywhere' | undefined)[] | undefined {
    let tries: (number[] | 'anywhere' | undefined)[] | undefined
    const {window, length, anchors} = this
    // Only the places where a literal does start (and its assignment follows, where every use needs one):
    // checked in the kernel, so the ~6M sieve candidates of the bench never come to this loop.
    const candidates = this.filter.checkedCandidates()
    const dense = Math.max(64, (DENSE_TRIES_PER_32_BYTES * length) / 32)
    let unordered = false
    const loads = this.loads
    for (let i = 0; i < candidates.length; i++) {
      const sieved = candidates[i]
      if (sieved >= length) break
      const here = anchors[pairKey(window, sieved)]
      if (here === undefined) continue
      for (let a = 0; a < here.length; a++) {
        const anchor = here[a]
        const at = sieved - anchor.sieveOffset
        if (anchor.saturatedIn === loads || !anchor.at(window, at, length)) continue
        // Indexed, not for-of: in a window dense with a literal (the kernel hands those on unchecked) this
        // runs per few bytes, and an iterator per verification was a third of this loop's time.
        const uses = anchor.uses
        for (let u = 0; u < uses.length; u++) {
          const {pattern, lead, assignment} = uses[u]
          if (assignment && !assignmentFollows(window, at, length)) continue
          tries ??= new Array<number[] | 'anywhere' | undefined>(this.set.compiled.length)
          const list = (tries[pattern] ??= [])
          if (list === 'anywhere') continue
          const first = Math.max(0, at - lead)
          // Candidates come in the order of their trigrams; a lead or a trigram inside its literal can break it.
          if (list.length > 0 && list[list.length - 1] > first) unordered = true
          for (let start = first; start <= at; start++) list.push(start)
          if (list.length > dense) {
            tries[pattern] = 'anywhere'
            if (anchor.uses.every((use) => tries![use.pattern] === 'anywhere')) anchor.saturatedIn = this.loads
          }
        }
      }
    }
    if (tries && unordered) for (const list of tries) if (Array.isArray(list)) list.sort((a, b) => a - b)
    return tries
  }
}
