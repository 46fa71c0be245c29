/**
 * Writes a value exactly as JSON.stringify(value, null, 2) would, but piece by piece: a tree of 150k
 * entries is ~30 MB of JSON, and holding it as one string would cost that much memory again.
 */
const CHUNK = 1 << 20
const SLICE = 500

export function writeJson(value: unknown, write: (text: string) => void): void {
  let buffer = ''
  const emit = (text: string) => {
    buffer += text
    if (buffer.length >= CHUNK) {
      write(buffer)
      buffer = ''
    }
  }
  emitValue(value, '', emit)
  write(buffer + '\n')
}

function emitValue(value: unknown, indent: string, emit: (text: string) => void): void {
  const inner = indent + '  '
  if (Array.isArray(value) && value.length > 0) {
    // Slices of items stringified at once: per-item calls cost more than the JSON they make.
    emit('[\n')
    for (let from = 0; from < value.length; from += SLICE) {
      const slice = JSON.stringify(value.slice(from, from + SLICE), null, 2)
      emit(indent + reindent(slice.slice(2, -2), indent)) // without the slice's own "[\n" and "\n]"
      emit(from + SLICE < value.length ? ',\n' : '\n')
    }
    emit(indent + ']')
    return
  }
  if (isPlainObject(value)) {
    const keys = Object.keys(value).filter((k) => {
      const v = value[k]
      return v !== undefined && typeof v !== 'function' && typeof v !== 'symbol'
    })
    if (keys.length === 0 || !keys.some((k) => isContainer(value[k]))) {
      emit(reindent(JSON.stringify(value, null, 2), indent))
      return
    }
    emit('{\n')
    keys.forEach((key, i) => {
      emit(`${inner}${JSON.stringify(key)}: `)
      emitValue(value[key], inner, emit)
      emit(i < keys.length - 1 ? ',\n' : '\n')
    })
    emit(indent + '}')
    return
  }
  emit(reindent(JSON.stringify(value, null, 2) ?? 'null', indent))
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
