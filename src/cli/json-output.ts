/**
 * Writes a value exactly as JSON.stringify(value, null, 2) would, but piece by piece: a tree of 150k
 * entries is ~30 MB of JSON, and holding it as one string would cost that much memory again.
 */
// Small pieces die in the young generation; megabyte ones were promoted and grew the heap (docs/filesystem.md).
const CHUNK = 1 << 16
const SLICE = 200

export function writeJson(value: unknown, write: (text: string) => void): void {
  for (const piece of jsonPieces(value)) write(piece)
}

/** The pieces writeJson hands over, for a writer that waits for its stream to drain between them. */
export function* jsonPieces(value: unknown): Generator<string> {
  let buffer = ''
  for (const text of jsonTexts(value, '')) {
    buffer += text
    if (buffer.length >= CHUNK) {
      yield buffer
      buffer = ''
    }
  }
  yield buffer + '\n'
}

function* jsonTexts(value: unknown, indent: string): Generator<string> {
  const inner = indent + '  '
  if (Array.isArray(value) && value.length > 0) {
    // Slices of items stringified at once: per-item calls cost more than the JSON they make.
    yield '[\n'
    for (let from = 0; from < value.length; from += SLICE) {
      const slice = JSON.stringify(value.slice(from, from + SLICE), null, 2)
      yield indent + reindent(slice.slice(2, -2), indent) // without the slice's own "[\n" and "\n]"
      yield from + SLICE < value.length ? ',\n' : '\n'
    }
    yield indent + ']'
    return
  }
  if (isPlainObject(value)) {
    const keys = Object.keys(value).filter((k) => {
      const v = value[k]
      return v !== undefined && typeof v !== 'function' && typeof v !== 'symbol'
    })
    if (keys.length === 0 || !keys.some((k) => isContainer(value[k]))) {
      yield reindent(JSON.stringify(value, null, 2), indent)
      return
    }
    yield '{\n'
    for (const [i, key] of keys.entries()) {
      yield `${inner}${JSON.stringify(key)}: `
      yield* jsonTexts(value[key], inner)
      yield i < keys.length - 1 ? ',\n' : '\n'
    }
    yield indent + '}'
    return
  }
  yield reindent(JSON.stringify(value, null, 2) ?? 'null', indent)
}

/** Arrays and objects are walked (so big ones stream); anything else is stringified whole. */
function isContainer(value: unknown): boolean {
  return (Array.isArray(value) && value.length > 0) || (isPlainObject(value) && Object.keys(value).length > 0)
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as {toJSON?: unknown}).toJSON !== 'function'
}

function reindent(json: string, indent: string): string {
  return indent && json.includes('\n') ? json.replace(/\n/g, '\n' + indent) : json
}
