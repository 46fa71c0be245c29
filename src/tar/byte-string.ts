/**
 * Tar names are bytes, not text: Go's archive/tar (and so every runtime) keeps them as they are, and a
 * Latin-1 name creates a file whose name is those bytes. Names become JS strings here without losing any:
 * valid UTF-8 decodes as usual, and each byte that is not part of valid UTF-8 becomes the lone surrogate
 * U+DC80+byte (Python's "surrogateescape"). A lone surrogate never comes out of valid UTF-8, so two
 * different byte strings never share a JS string, and `encodeByteString` gives the bytes back.
 * Display code escapes those code points as `\xNN` (see report/escape).
 */

const ESCAPE_BASE = 0xdc00

/** `buf[start, end)` as a string, keeping every byte (see above). ASCII, the usual case, is one call. */
export function decodeByteString(buf: Buffer, start = 0, end = buf.length): string {
  let ascii = true
  for (let i = start; i < end; i++) {
    if (buf[i]! >= 0x80) {
      ascii = false
      break
    }
  }
  if (ascii) return buf.toString('latin1', start, end)
  const codes: number[] = []
  let i = start
  while (i < end) {
    const b0 = buf[i]!
    if (b0 < 0x80) {
      codes.push(b0)
      i++
      continue
    }
    const length = sequenceLength(buf, i, end)
    if (length === 0) {
      codes.push(ESCAPE_BASE + b0)
      i++
      continue
    }
    let code = b0 & (0xff >> (length + 1))
    for (let k = 1; k < length; k++) code = (code << 6) | (buf[i + k]! & 0x3f)
    codes.push(code)
    i += length
  }
  let out = ''
  for (let k = 0; k < codes.length; k += 4096) out += String.fromCodePoint(...codes.slice(k, k + 4096))
  return out
}

/** The bytes `decodeByteString` read `text` from. */
export function encodeByteString(text: string): Buffer {
  if (!hasEscapes(text)) return Buffer.from(text, 'utf8')
  const parts: Buffer[] = []
  let run = ''
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i)
    if (isEscapeUnit(text, i)) {
      if (run) parts.push(Buffer.from(run, 'utf8'))
      run = ''
      parts.push(Buffer.of(unit - ESCAPE_BASE))
    } else run += text[i]
  }
  if (run) parts.push(Buffer.from(run, 'utf8'))
  return Buffer.concat(parts)
}

/** True when `text` holds a byte that was not valid UTF-8. */
export function hasEscapes(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (isEscapeUnit(text, i)) return true
  return false
}

/** A lone low surrogate in U+DC80..U+DCFF at `i`: an escaped byte (a paired one is part of a real character). */
export function isEscapeUnit(text: string, i: number): boolean {
  const unit = text.charCodeAt(i)
  if (unit < 0xdc80 || unit > 0xdcff) return false
  const before = i > 0 ? text.charCodeAt(i - 1) : 0
  return !(before >= 0xd800 && before <= 0xdbff)
}

/**
 * Length of the well-formed UTF-8 sequence at `i` (RFC 3629: no overlongs, no surrogates, ≤ U+10FFFF),
 * 0 when there is none.
 */
function sequenceLength(buf: Buffer, i: number, end: number): number {
  const b0 = buf[i]!
  let length: number
  let low = 0x80
  let high = 0xbf
  if (b0 >= 0xc2 && b0 <= 0xdf) length = 2
  else if (b0 >= 0xe0 && b0 <= 0xef) {
    length = 3
    if (b0 === 0xe0) low = 0xa0
    if (b0 === 0xed) high = 0x9f
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    length = 4
    if (b0 === 0xf0) low = 0x90
    if (b0 === 0xf4) high = 0x8f
  } else return 0
  if (i + length > end) return 0
  const b1 = buf[i + 1]!
  if (b1 < low || b1 > high) return 0
  for (let k = 2; k < length; k++) if ((buf[i + k]! & 0xc0) !== 0x80) return 0
  return length
}
