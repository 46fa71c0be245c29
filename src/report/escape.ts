/**
 * Text from an image (file names, link targets, history, labels) made safe to show: it must not move the
 * cursor, set the terminal title or colours, split a table row, or reorder what is around it. Control
 * characters (C0, DEL, C1) become `\xNN` (`\n`, `\r`, `\t` as such), bytes of a name that were not
 * UTF-8 (kept as U+DC80+byte, src/tar/byte-string.ts) become `\xNN`, other lone surrogates and the
 * bidirectional overrides become `\u{…}`. JSON and SARIF need none of this: JSON escapes controls itself.
 */
import {isEscapeUnit} from '../tar/byte-string.js'

// C0, DEL, C1, lone surrogates, bidi embeddings/overrides/isolates, line and paragraph separators.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\ud800-\udfff\u202a-\u202e\u2066-\u2069\u2028\u2029]/

const NAMED: Record<string, string> = {'\n': '\\n', '\r': '\\r', '\t': '\\t'}

export function displayText(text: string): string {
  if (!UNSAFE.test(text)) return text
  let out = ''
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!
    const code = text.charCodeAt(i)
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1)
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += ch + text[++i]
        continue
      }
    }
    if (isEscapeUnit(text, i)) out += `\\x${(code - 0xdc00).toString(16).padStart(2, '0')}`
    else if (NAMED[ch]) out += NAMED[ch]
    else if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) out += `\\x${code.toString(16).padStart(2, '0')}`
    else if (UNSAFE.test(ch)) out += `\\u{${code.toString(16)}}`
    else out += ch
  }
  return out
}
