/**
 * The shape of every JSON document an image brings (index, manifest, config, attestation), checked at the
 * edge before any code uses it. The documents are a stranger's: a `created_by` that is an object, an `Env`
 * holding a number or a `created` nested 10,000 deep must give one clear line naming the document and
 * the field — never a crash deep inside a rule or a reporter. Fields nobody reads are left alone, but no
 * document may nest deeper than MAX_JSON_DEPTH (recursive code — ours, JSON.stringify — stays safe).
 * `null` is accepted wherever Docker writes it for "absent".
 */
import {ImageSourceError} from '../errors.js'
import type {ImageConfig} from './model.js'

export const MAX_JSON_DEPTH = 64

type Json = unknown

/** Throws CORRUPT when `value` nests objects and arrays deeper than `max` (iteratively: no recursion to overflow). */
export function checkDepth(value: Json, what: string, input: string, max = MAX_JSON_DEPTH): void {
  const stack: Array<[Json, number]> = [[value, 1]]
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!
    if (typeof node !== 'object' || node === null) continue
    if (depth > max) throw new ImageSourceError('CORRUPT', `${what} nests deeper than ${max} levels`, {input})
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1])
    }
  }
}

/** A field check: undefined when fine, else what it is instead ("a number"). */
type Check = (value: Json) => string | undefined

const kind = (value: Json): string =>
  value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : `a ${typeof value}`

export const isString: Check = (v) => (typeof v === 'string' ? undefined : `${kind(v)}, not a string`)
const isBoolean: Check = (v) => (typeof v === 'boolean' ? undefined : `${kind(v)}, not a boolean`)
const isObjectValue: Check = (v) => (typeof v === 'object' && v !== null && !Array.isArray(v) ? undefined : `${kind(v)}, not an object`)

function nullable(check: Check): Check {
  return (v) => (v === null ? undefined : check(v))
}

function arrayOf(check: Check): Check {
  return (v) => {
    if (!Array.isArray(v)) return `${kind(v)}, not an array`
    for (let i = 0; i < v.length; i++) {
      const problem = check(v[i])
      if (problem) return `[${i}] is ${problem}`
    }
    return undefined
  }
}

function mapOf(check: Check): Check {
  return (v) => {
    const notObject = isObjectValue(v)
    if (notObject) return notObject
    for (const [key, item] of Object.entries(v as Record<string, Json>)) {
      const problem = check(item)
      if (problem) return `[${JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key)}] is ${problem}`
    }
    return undefined
  }
}

/** Checks the listed fields of `doc` when present; the first problem is the error. */
function checkFields(doc: Record<string, Json>, fields: Record<string, Check>, what: string, prefix: string, input: string): void {
  for (const [field, check] of Object.entries(fields)) {
    if (!(field in doc) || doc[field] === undefined) continue
    const problem = check(doc[field])
    if (problem) {
      const shown = problem.startsWith('[') ? `${prefix}${field}${problem}` : `${prefix}${field} is ${problem}`
      throw new ImageSourceError('CORRUPT', `${what}: ${shown}`, {input})
    }
  }
}

const stringArray = nullable(arrayOf(isString))
const stringMap = nullable(mapOf(isString))

const PLATFORM_FIELDS: Record<string, Check> = {
  architecture: isString,
  os: isString,
  variant: isString,
  'os.version': isString,
  'os.features': arrayOf(isString),
}

const DESCRIPTOR_FIELDS: Record<string, Check> = {
  annotations: stringMap,
  urls: stringArray,
  artifactType: isString,
  platform: nullable(isObjectValue),
}

/** A descriptor's optional fields (digest, mediaType and size are checked by checkDescriptor). */
export function checkDescriptorFields(value: Record<string, Json>, what: string, input: string): void {
  checkFields(value, DESCRIPTOR_FIELDS, what, '', input)
  if (value.platform) checkFields(value.platform as Record<string, Json>, PLATFORM_FIELDS, what, 'platform.', input)
}

/** An index or manifest's own fields. */
export function checkManifestFields(value: Record<string, Json>, what: string, input: string): void {
  checkFields(value, {mediaType: isString, annotations: stringMap, artifactType: isString}, what, '', input)
}

const CONTAINER_FIELDS: Record<string, Check> = {
  Env: stringArray,
  Entrypoint: stringArray,
  Cmd: stringArray,
  WorkingDir: nullable(isString),
  User: nullable(isString),
  Labels: stringMap,
  ExposedPorts: nullable(isObjectValue),
  Volumes: nullable(isObjectValue),
  StopSignal: nullable(isString),
  Shell: stringArray,
}

const HISTORY_FIELDS: Record<string, Check> = {
  created: isString,
  created_by: isString,
  author: isString,
  comment: isString,
  empty_layer: isBoolean,
}

/** An image config: every field layer-audit reads has the type it reads it as. */
export function checkImageConfig(value: Record<string, Json>, input: string): ImageConfig {
  const what = 'config'
  checkFields(value, {architecture: isString, os: isString, variant: isString, created: isString, author: isString}, what, '', input)
  for (const key of ['config', 'container_config'] as const) {
    const container = value[key]
    if (container === undefined || container === null) continue
    checkFields(value, {[key]: isObjectValue}, what, '', input)
    checkFields(container as Record<string, Json>, CONTAINER_FIELDS, what, `${key}.`, input)
  }
  if (value.rootfs !== undefined && value.rootfs !== null) {
    checkFields(value, {rootfs: isObjectValue}, what, '', input)
    checkFields(value.rootfs as Record<string, Json>, {type: isString, diff_ids: nullable(arrayOf(isString))}, what, 'rootfs.', input)
  }
  if (value.history !== undefined && value.history !== null) {
    checkFields(value, {history: arrayOf(isObjectValue)}, what, '', input)
    const history = value.history as Record<string, Json>[]
    for (let i = 0; i < history.length; i++) checkFields(history[i]!, HISTORY_FIELDS, what, `history[${i}].`, input)
  }
  return value as ImageConfig
}

