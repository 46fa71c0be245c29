/**
 * A function's configuration, from `aws lambda get-function` (Configuration + Code), from
 * `get-function-configuration` (the bare configuration), or from the GetFunction API response.
 * The code's presigned download URL is wrapped so that no JSON, log line or error can show it.
 */
import {inspect} from 'node:util'
import {LayerAuditError} from '../errors.js'
import {FileTooLargeError, readFileCapped} from '../io/capped-read.js'
import {quoteInput} from '../io/input-text.js'
import {parseJsonText} from '../io/json-syntax.js'

/** A presigned URL: usable by the downloader, invisible to JSON.stringify, util.inspect and template strings. */
export class PresignedUrl {
  readonly #url: string

  constructor(url: string) {
    this.#url = url
  }

  /** The URL itself, for the HTTP request only: never put it in a message. */
  reveal(): string {
    return this.#url
  }

  toString(): string {
    return '<presigned URL>'
  }

  toJSON(): string {
    return '<presigned URL>'
  }

  [inspect.custom](): string {
    return '<presigned URL>'
  }
}

export interface FunctionLayerRef {
  arn: string
  codeSize?: number
}

export interface FunctionConfig {
  name?: string
  arn?: string
  runtime?: string
  handler?: string
  /** Lambda's default is ["x86_64"] when absent. */
  architectures: string[]
  environment: Record<string, string>
  /** In the function's order: the order Lambda unpacks them into /opt. */
  layers: FunctionLayerRef[]
  packageType: 'Zip' | 'Image'
  /** base64 sha256 of the code zip. */
  codeSha256?: string
  codeSize?: number
  imageConfig?: {entryPoint?: string[]; command?: string[]; workingDirectory?: string}
  code?: {
    repositoryType?: string
    /** The code zip's download URL (10 minutes valid); present only in get-function output. */
    location?: PresignedUrl
    imageUri?: string
    resolvedImageUri?: string
  }
}

export class FunctionConfigError extends LayerAuditError {}

/** get-function output is a few KiB; the cap is that of an image's JSON documents (MAX_JSON_BYTES, 8 MiB). */
export const MAX_FUNCTION_CONFIG_BYTES = 8 * 1024 * 1024

/**
 * Reads and parses a saved get-function / get-function-configuration JSON file (a pipe too): at most
 * MAX_FUNCTION_CONFIG_BYTES + 1 bytes are read, and errors never quote the file's bytes.
 */
export async function readFunctionConfig(file: string, cap = MAX_FUNCTION_CONFIG_BYTES): Promise<FunctionConfig> {
  let bytes: Buffer
  try {
    bytes = await readFileCapped(file, cap)
  } catch (error) {
    if (error instanceof FileTooLargeError) throw new FunctionConfigError('TOO_LARGE', `function config is ${error.message}`, {input: file})
    throw new FunctionConfigError('NOT_FOUND', `cannot read function config: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, {input: file, cause: error})
  }
  const value = parseJsonText(bytes, (place) => new FunctionConfigError('CORRUPT', `not JSON (${place})`, {input: file}))
  return parseFunctionConfig(value, file)
}

/** Parses the JSON value of get-function (or GetFunction's response) or get-function-configuration. */
export function parseFunctionConfig(value: unknown, input = 'function config'): FunctionConfig {
  const fail = (message: string): never => {
    throw new FunctionConfigError('CORRUPT', message, {input})
  }
  if (!isObject(value)) return fail('expected a JSON object from `aws lambda get-function` or `get-function-configuration`')
  const cfg = isObject(value.Configuration) ? value.Configuration : value
  const codeRaw = isObject(value.Code) ? value.Code : undefined
  if (value.Configuration !== undefined && !isObject(value.Configuration)) fail('"Configuration" is not an object')
  if (typeof cfg.FunctionName !== 'string' && typeof cfg.FunctionArn !== 'string') {
    fail('no FunctionName or FunctionArn: not the output of `aws lambda get-function` or `get-function-configuration`')
  }
  const str = (obj: Record<string, unknown>, key: string): string | undefined => {
    const v = obj[key]
    if (v === undefined || v === null) return undefined
    return typeof v === 'string' ? v : fail(`"${key}" is not a string`)
  }
  const num = (obj: Record<string, unknown>, key: string): number | undefined => {
    const v = obj[key]
    if (v === undefined || v === null) return undefined
    return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : fail(`"${key}" is not a non-negative number`)
  }
  const strings = (v: unknown, key: string): string[] | undefined => {
    if (v === undefined || v === null) return undefined
    return Array.isArray(v) && v.every((s) => typeof s === 'string') ? (v as string[]) : fail(`"${key}" is not a list of strings`)
  }

  const packageType = str(cfg, 'PackageType') ?? 'Zip'
  if (packageType !== 'Zip' && packageType !== 'Image') fail(`unknown PackageType ${quoteInput(JSON.stringify(packageType))}`)

  const layersRaw = cfg.Layers ?? []
  if (!Array.isArray(layersRaw)) fail('"Layers" is not a list')
  const layers = (layersRaw as unknown[]).map((layer, i): FunctionLayerRef => {
    if (!isObject(layer) || typeof layer.Arn !== 'string') return fail(`Layers[${i}] has no Arn`)
    const codeSize = num(layer, 'CodeSize')
    return codeSize === undefined ? {arn: layer.Arn} : {arn: layer.Arn, codeSize}
  })

  let environment: Record<string, string> = {}
  if (cfg.Environment !== undefined && cfg.Environment !== null) {
    if (!isObject(cfg.Environment)) fail('"Environment" is not an object')
    const vars = (cfg.Environment as Record<string, unknown>).Variables ?? {}
    if (!isObject(vars) || !Object.values(vars).every((v) => typeof v === 'string')) fail('"Environment.Variables" is not a map of strings')
    environment = {...(vars as Record<string, string>)}
  }

  const result: FunctionConfig = {
    architectures: strings(cfg.Architectures, 'Architectures') ?? ['x86_64'],
    environment,
    layers,
    packageType: packageType as 'Zip' | 'Image',
  }
  const set = <K extends keyof FunctionConfig>(key: K, v: FunctionConfig[K] | undefined) => {
    if (v !== undefined) result[key] = v
  }
  set('name', str(cfg, 'FunctionName'))
  set('arn', str(cfg, 'FunctionArn'))
  set('runtime', str(cfg, 'Runtime'))
  set('handler', str(cfg, 'Handler'))
  set('codeSha256', str(cfg, 'CodeSha256'))
  set('codeSize', num(cfg, 'CodeSize'))

  const icr = cfg.ImageConfigResponse
  if (isObject(icr) && isObject(icr.ImageConfig)) {
    const ic = icr.ImageConfig
    const imageConfig: NonNullable<FunctionConfig['imageConfig']> = {}
    const entryPoint = strings(ic.EntryPoint, 'ImageConfig.EntryPoint')
    const command = strings(ic.Command, 'ImageConfig.Command')
    const workingDirectory = str(ic, 'WorkingDirectory')
    if (entryPoint) imageConfig.entryPoint = entryPoint
    if (command) imageConfig.command = command
    if (workingDirectory) imageConfig.workingDirectory = workingDirectory
    result.imageConfig = imageConfig
  }

  if (codeRaw) {
    const code: NonNullable<FunctionConfig['code']> = {}
    const repositoryType = str(codeRaw, 'RepositoryType')
    const location = str(codeRaw, 'Location')
    const imageUri = str(codeRaw, 'ImageUri')
    const resolvedImageUri = str(codeRaw, 'ResolvedImageUri')
    if (repositoryType) code.repositoryType = repositoryType
    if (location) code.location = new PresignedUrl(location)
    if (imageUri) code.imageUri = imageUri
    if (resolvedImageUri) code.resolvedImageUri = resolvedImageUri
    result.code = code
  }
  return result
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
