/**
 * Prose fitted to a terminal's width without ever cutting a value: text breaks only at spaces, so a path,
 * a digest (`sha256:…`), an ARN or a command stays whole — on a line of its own, past the width, when it
 * is longer than the line. Text given here is plain (colour is applied to the lines afterwards).
 */

/**
 * Columns a string takes, never fewer than a terminal or cli-table3 (string-width) counts: controls and
 * combining diacritics 0; alphabets, punctuation, arrows and math signs (below U+2300, but for the wide
 * Hangul Jamo) 1; anything else 2 — CJK and emoji are, the rest (box drawing, symbols) is over-counted.
 * Over-counting only wraps a little early; under-counting would let cli-table3 cut a cell short with "…".
 */
export function displayWidth(text: string): number {
  let width = 0
  for (const ch of text) {
    const code = ch.codePointAt(0)!
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f) || (code >= 0x300 && code <= 0x36f)) continue
    width += code < 0x1100 || (code >= 0x1160 && code < 0x2300) ? 1 : 2
  }
  return width
}

/** The longest run of non-spaces: the narrowest a wrapped text can get without cutting a value. */
export function longestWord(text: string): number {
  let longest = 0
  for (const word of text.split(/\s+/)) longest = Math.max(longest, displayWidth(word))
  return longest
}

/**
 * Greedy word wrap to `width` columns. Spaces between words on one line are kept as written; a word
 * longer than `width` gets a line of its own. Existing newlines are kept, and so is a paragraph's indent
 * on its first line.
 */
export function wrapWords(text: string, width: number): string[] {
  const lines: string[] = []
  for (const paragraph of text.split('\n')) {
    const parts = paragraph.split(/(\s+)/)
    // parts alternate word, space, word…; a paragraph starting with spaces starts with an empty word.
    let line = parts[0] === '' && parts.length > 1 ? parts[1]! : ''
    let lineWidth = line.length
    let words = 0
    for (let i = 0; i < parts.length; i += 2) {
      const word = parts[i]!
      if (word === '') continue
      const space = words > 0 ? parts[i - 1]! : ''
      const wordWidth = displayWidth(word)
      if (words > 0 && lineWidth + space.length + wordWidth > width) {
        lines.push(line)
        line = word
        lineWidth = wordWidth
      } else {
        line += space + word
        lineWidth += space.length + wordWidth
      }
      words++
    }
    lines.push(line)
  }
  return lines
}

/**
 * `first` then `text` wrapped to `width`, continuation lines indented under the text: "fix: Rebuild …"
 * wraps with its lines starting under "Rebuild". A word too long for its indented line starts at the
 * left edge instead (after `first` on a line of its own), so that a value the terminal could show on
 * one line is never wrapped by it. Without a width, one line.
 */
export function hangingWrap(first: string, text: string, width: number | undefined): string[] {
  if (width === undefined) return [first + text]
  const indent = ' '.repeat(displayWidth(first))
  const lines: string[] = []
  wrapWords(text, Math.max(1, width - indent.length)).forEach((line, i) => {
    const lead = i === 0 ? first : indent
    if (displayWidth(lead) + displayWidth(line) <= width || /\s/.test(line.trim())) lines.push(lead + line)
    else {
      if (i === 0 && first.trim() !== '') lines.push(first.trimEnd())
      lines.push(line)
    }
  })
  return lines
}

/** A value (a path) on a line of its own after `indent`, or from the left edge when that is too wide. */
export function valueLine(indent: string, value: string, width: number): string {
  return displayWidth(indent) + displayWidth(value) <= width ? indent + value : value
}

/**
 * The words of `text` that fit in `width` columns, then " …" when some were left out: a one-line summary
 * (a history line) that may lose its end but never shows half a digest or half a path.
 */
export function cutAtWord(text: string, width: number): string {
  if (displayWidth(text) <= width) return text
  const [line] = wrapWords(text, Math.max(1, width - 2))
  // A first word longer than the line is shown whole rather than not at all.
  return `${line} …`
}
