/** Manifests, indexes, configs and manifest.json are parsed only under a size cap, with one-line errors. */
import {ImageSourceError} from '../errors.js'
import {parseJsonText} from '../io/json-syntax.js'
import {digestOf, shortDigest} from './digest.js'
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
  // Never V8's message: it quotes the document (a config holding a bare token shows the token).
  const value = parseJsonText(bytes, (place) => new ImageSourceError('CORRUPT', `${documentName(what, bytes)} is not valid JSON (${place})`, {input}))
  checkDepth(value, what, input)
  return value
}

/** `what`, with the document's digest when `what` names neither a file nor a digest ("config sha256:ab12cd34ef56…"). */
function documentName(what: string, bytes: Buffer): string {
  return /sha(256|512):|\./.test(what) ? what : `${what} ${shortDigest(digestOf(bytes))}`
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function expectObject(value: unknown, what: string, input: string): Record<string, unknown> {
  if (!isObject(value)) throw new ImageSourceError('CORRUPT', `${what} is not a JSON object`, {input})
  return value
}
