/**
 * Text that came from an input (a media type, a tag, a member name, a ref) as an error line may show it:
 * escaped like every name from an image (no control character can split the one-line contract or drive
 * the terminal, see report/escape.ts) and at most MAX_QUOTED characters, so a 2,000-character media type
 * or a list of ten thousand tags cannot flood stderr. Document *content* is never quoted at all: errors
 * about it name the document and a byte offset (io/json-syntax.ts).
 */
import {displayText} from '../report/escape.js'

export const MAX_QUOTED = 80

/** `text` escaped and cut to at most `max` characters (a cut is marked with "…", within the `max`). */
export function quoteInput(text: unknown, max = MAX_QUOTED): string {
  const raw = typeof text === 'string' ? text : String(text)
  const whole = displayText(raw)
  if (whole.length <= max) return whole
  let out = ''
  // By code point, each escaped on its own: a surrogate pair or an escape sequence is never cut in two.
  for (const ch of raw) {
    const piece = displayText(ch)
    if (out.length + piece.length > max - 1) break
    out += piece
  }
  return `${out}…`
}

/** Several input strings (tags, refs, platforms) joined, each quoted, at most `limit` of them shown. */
export function quoteList(items: readonly unknown[], limit = 10, separator = ', '): string {
  const shown = items.slice(0, limit).map((item) => quoteInput(item))
  const more = items.length - shown.length
  return more > 0 ? `${shown.join(separator)}${separator}… and ${more} more` : shown.join(separator)
}
