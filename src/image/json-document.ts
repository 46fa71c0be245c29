/** Manifests, indexes, configs and manifest.json are parsed only under a size cap, with one-line errors. */
import {ImageSourceError} from '../errors.js'
import {checkDepth} from './document-shape.js'
import {MAX_JSON_BYTES, type OpenOptions} from './model.js'

export function jsonCap(options: OpenOptions): number {
  return options.maxJsonBytes ?? MAX_JSON_BYTES
}

/** Throws TOO_LARGE before anyone reads a document past the cap. */
export function checkJsonSize(size: number, cap: number, what: string, input: string): void {
  if (size > cap) {
    throw new ImageSourceError('TOO_LARGE', `${what} is ${size} bytes, over the ${cap}-byte cap for JSON documents`, {input})
  }
}

export function parseJsonDocument(bytes: Buffer, cap: number, what: string, input: string): unknown {
  checkJsonSize(bytes.length, cap, what, input)
  let value: unknown
  try {
    value = JSON.parse(bytes.toString('utf8')) as unknown
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    throw new ImageSourceError('CORRUPT', `${what} is not valid JSON (${reason})`, {input})
  }
  checkDepth(value, what, input)
  return value
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function expectObject(value: unknown, what: string, input: string): Record<string, unknown> {
  if (!isObject(value)) throw new ImageSourceError('CORRUPT', `${what} is not a JSON object`, {input})
  return value
}
