/**
 * The literals the window matcher sieves for (patterns' keywords and starts), checked on raw bytes. ASCII case
 * folding is exact here: in latin1 no byte but A-Z lower-cases to an ASCII letter (and regex /i agrees).
 */

/** Trigrams sieved for are this long (see teddy-masks.ts). */
export const SIEVE_LENGTH = 3

export interface AnchorUse {
  /** Index in the compiled set. */
  pattern: number
  lead: number
  /** The pattern's `assignment`: a start counts only where an assignment follows its name. */
  assignment: boolean
}

/** A literal, lower case, and the patterns whose matches start at it (or `lead` characters before it). */
export class Anchor {
  private readonly lower: Uint8Array
  private readonly upper: Uint8Array
  readonly uses: AnchorUse[] = []
  /**
   * Where in the literal its sieved trigram sits: the first not made of one repeated character, since runs
   * (-----, ====) fill text and would make every byte of one a candidate (a file of dashes: 25 MB/s).
   */
  readonly sieveOffset: number
  /** The window (a WindowMatcher's count) in which every pattern using this anchor went 'anywhere': no more checks. */
  saturatedIn = -1

  constructor(readonly literal: string) {
    this.lower = Buffer.from(literal, 'latin1')
    this.upper = Buffer.from(literal.toUpperCase(), 'latin1')
    const offset = [...literal].findIndex((ch, i) => i + SIEVE_LENGTH <= literal.length && new Set(literal.slice(i, i + SIEVE_LENGTH)).size > 1)
    this.sieveOffset = Math.max(0, offset)
  }

  get sieve(): string {
    return this.literal.slice(this.sieveOffset, this.sieveOffset + SIEVE_LENGTH)
  }

  /** Whether the literal occurs at `at` in bytes (ignoring ASCII case). */
  at(bytes: Uint8Array, at: number, length: number): boolean {
    const {lower, upper} = this
    if (at < 0 || at + lower.length > length) return false
    for (let i = 0; i < lower.length; i++) {
      const byte = bytes[at + i]
      if (byte !== lower[i] && byte !== upper[i]) return false
    }
    return true
  }
}

/** Two bytes as one number, bit 5 set in each (ASCII letters lower-cased, and a few symbols merged: only a key). */
export const pairKey = (bytes: Uint8Array, at: number) => ((bytes[at] | 0x20) << 8) | (bytes[at + 1] | 0x20)

/** [A-Za-z0-9_-]: the characters of a name (as a regex class under /i too: no other latin1 byte folds into it). */
export const NAME_BYTE = new Uint8Array(256).map((_, byte) => (/[A-Za-z0-9_-]/.test(String.fromCharCode(byte)) ? 1 : 0))

/**
 * Whether the name starting at `at` (all of its run of name bytes: a regex name ending earlier would be followed by
 * another name byte, which none of the next tokens is) is followed by an optional quote, blanks and `:` or `=`.
 */
export function assignmentFollows(bytes: Uint8Array, at: number, length: number): boolean {
  let i = at
  while (i < length && NAME_BYTE[bytes[i]] === 1) i++
  if (i < length && (bytes[i] === 0x22 || bytes[i] === 0x27)) i++
  while (i < length && (bytes[i] === 0x20 || bytes[i] === 0x09)) i++
  return i < length && (bytes[i] === 0x3a || bytes[i] === 0x3d)
}
