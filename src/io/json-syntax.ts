/**
 * Where a JSON text stops being JSON, as a byte offset — so an error can say "not valid JSON (at byte 17)"
 * instead of quoting the text, as V8's messages do (`Unexpected token 'x', "{"token": x…" is not valid
 * JSON`): the first bytes of a config holding a bare token are the token, and a newline in them splits the
 * one-line error contract. Only called once JSON.parse has failed, so it only has to agree with it on
 * where; it walks the bytes with an explicit stack (no recursion for a document nested 100,000 deep).
 */

const enum Byte {
  Tab = 0x09,
  Newline = 0x0a,
  Return = 0x0d,
  Space = 0x20,
  Quote = 0x22,
  Plus = 0x2b,
  Comma = 0x2c,
  Minus = 0x2d,
  Dot = 0x2e,
  Zero = 0x30,
  Nine = 0x39,
  Colon = 0x3a,
  OpenBracket = 0x5b,
  Backslash = 0x5c,
  CloseBracket = 0x5d,
  LowerE = 0x65,
  UpperE = 0x45,
  LowerU = 0x75,
  OpenBrace = 0x7b,
  CloseBrace = 0x7d,
}

const ESCAPABLE = new Set([...'"\\/bfnrt'].map((c) => c.charCodeAt(0)))
const LITERALS = ['true', 'false', 'null'].map((word) => Buffer.from(word))

const isDigit = (b: number | undefined): boolean => b !== undefined && b >= Byte.Zero && b <= Byte.Nine
const isHex = (b: number | undefined): boolean =>
  b !== undefined && ((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66))

/** The offset of the first byte that makes `text` invalid JSON (its length when it ends early); -1 if it is valid. */
export function jsonErrorOffset(text: Uint8Array | string): number {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text
  const n = bytes.length
  let i = 0
  const skipSpace = (): void => {
    while (i < n) {
      const b = bytes[i]
      if (b !== Byte.Space && b !== Byte.Tab && b !== Byte.Newline && b !== Byte.Return) return
      i++
    }
  }
  /** Past a string at `i` (which holds its opening quote); returns the error offset or -1. */
  const string = (): number => {
    i++
    while (i < n) {
      const b = bytes[i]!
      if (b === Byte.Quote) {
        i++
        return -1
      }
      if (b < 0x20) return i
      if (b === Byte.Backslash) {
        const e = bytes[i + 1]
        if (e === undefined) return n
        if (e === Byte.LowerU) {
          for (let k = 2; k < 6; k++) {
            if (i + k >= n) return n
            if (!isHex(bytes[i + k])) return i + k
          }
          i += 6
          continue
        }
        if (!ESCAPABLE.has(e)) return i + 1
        i += 2
        continue
      }
      i++
    }
    return n
  }
  const number = (): number => {
    if (bytes[i] === Byte.Minus) i++
    if (i >= n) return n
    if (bytes[i] === Byte.Zero) i++
    else if (isDigit(bytes[i])) while (isDigit(bytes[i])) i++
    else return i
    if (bytes[i] === Byte.Dot) {
      i++
      if (i >= n) return n
      if (!isDigit(bytes[i])) return i
      while (isDigit(bytes[i])) i++
    }
    if (bytes[i] === Byte.LowerE || bytes[i] === Byte.UpperE) {
      i++
      if (bytes[i] === Byte.Plus || bytes[i] === Byte.Minus) i++
      if (i >= n) return n
      if (!isDigit(bytes[i])) return i
      while (isDigit(bytes[i])) i++
    }
    return -1
  }
  const literal = (): number => {
    const word = LITERALS.find((w) => w[0] === bytes[i])
    if (!word) return i
    for (let k = 0; k < word.length; k++) {
      if (i + k >= n) return n
      if (bytes[i + k] !== word[k]) return i + k
    }
    i += word.length
    return -1
  }

  // Open containers: true for an object, false for an array.
  const stack: boolean[] = []
  for (;;) {
    // A value is due here.
    skipSpace()
    if (i >= n) return n
    const b = bytes[i]!
    let opened = false
    if (b === Byte.OpenBrace || b === Byte.OpenBracket) {
      const object = b === Byte.OpenBrace
      i++
      skipSpace()
      if (i >= n) return n
      if (bytes[i] === (object ? Byte.CloseBrace : Byte.CloseBracket)) i++
      else {
        stack.push(object)
        opened = true
        if (object) {
          const problem = key()
          if (problem !== -1) return problem
        }
      }
    } else {
      const problem = b === Byte.Quote ? string() : b === Byte.Minus || isDigit(b) ? number() : literal()
      if (problem !== -1) return problem
    }
    if (opened) continue
    // A value ended: close what ends with it, then a comma (the next value) or the end of the text.
    for (;;) {
      skipSpace()
      if (stack.length === 0) return i < n ? i : -1
      if (i >= n) return n
      const object = stack[stack.length - 1]!
      const c = bytes[i]
      if (c === Byte.Comma) {
        i++
        if (object) {
          const problem = key()
          if (problem !== -1) return problem
        }
        break
      }
      if (c !== (object ? Byte.CloseBrace : Byte.CloseBracket)) return i
      i++
      stack.pop()
    }
  }

  /** An object's `"key" :` at `i` (after optional space); returns the error offset or -1. */
  function key(): number {
    skipSpace()
    if (i >= n) return n
    if (bytes[i] !== Byte.Quote) return i
    const problem = string()
    if (problem !== -1) return problem
    skipSpace()
    if (i >= n) return n
    if (bytes[i] !== Byte.Colon) return i
    i++
    return -1
  }
}

/** "at byte 17", or "cut short at byte 120" when the text ends where more was due. Never quotes the text. */
export function jsonErrorPlace(text: Uint8Array | string): string {
  const length = typeof text === 'string' ? Buffer.byteLength(text, 'utf8') : text.length
  const offset = jsonErrorOffset(text)
  if (offset < 0) return 'at an unknown byte'
  return offset >= length ? `cut short at byte ${length}` : `at byte ${offset}`
}

/** JSON.parse of bytes or text; a syntax error becomes `fail("at byte N")`, never V8's message (it quotes the text). */
export function parseJsonText(text: Uint8Array | string, fail: (place: string) => Error): unknown {
  try {
    return JSON.parse(typeof text === 'string' ? text : Buffer.from(text.buffer, text.byteOffset, text.length).toString('utf8')) as unknown
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error
    throw fail(jsonErrorPlace(text))
  }
}
