/**
 * From the function flags to the layout Lambda would build. Rules:
 * - `--layer` values are zip paths or layer version ARNs, in the function's layer order.
 * - `--function NAME|ARN` reads the configuration and code location with GetFunction;
 *   `--function-config FILE` reads the same from a saved get-function / get-function-configuration output.
 * - With a configuration, `--layer` flags (when given) stand in for its layer ARNs, in order, and
 *   `--function-zip` stands in for Code.Location (nothing is downloaded then).
 * - PackageType Image: no layers or code are fetched; the config (with Code.ResolvedImageUri) is returned
 *   and the caller decides what to do with the image.
 */
import {UsageError} from '../errors.js'
import type {FunctionSummary} from '../audit/report.js'
import type {AwsOptions} from './aws.js'
import type {DownloadedZip} from './download.js'
import type {FunctionConfig} from './function-config.js'
import {readFunctionConfig} from './function-config.js'
import {buildFunctionLayout, type FunctionLayout, type ZipSource} from './layout.js'
import type {ZipLimits} from './zip-reader.js'

export interface ResolveFunctionOptions extends AwsOptions {
  /** Zip paths or layer version ARNs, in order. */
  layers: string[]
  functionZip?: string
  functionName?: string
  /** Path of a saved get-function / get-function-configuration JSON. */
  functionConfig?: string
  /** A configuration already read (fleet's GetFunction): neither --function nor --function-config is read then. */
  config?: FunctionConfig
  noCache?: boolean
  /** Overrides the zip cache directory (tests). */
  cacheDir?: string
  zipLimits?: ZipLimits
}

export interface ResolvedFunction {
  layout: FunctionLayout
  config?: FunctionConfig
  summary: FunctionSummary
  /** Notes about how the inputs were combined (e.g. --layer standing in for the config's layers). */
  notes: string[]
  /** Deletes temporary downloads (with noCache) and closes the layout's zips. */
  dispose(): Promise<void>
}

/** The Lambda client, loaded only when an ARN or a function name needs it: the SDK takes ~0.2 s to load. */
const lambdaApi = () => import('./aws.js')

export async function resolveFunction(options: ResolveFunctionOptions): Promise<ResolvedFunction> {
  if (options.functionName && options.functionConfig) throw new UsageError('give --function or --function-config, not both')
  const aws: AwsOptions = {region: options.region, profile: options.profile, endpointUrl: options.endpointUrl}
  const download = {noCache: options.noCache, cacheDir: options.cacheDir}
  const notes: string[] = []
  const downloads: DownloadedZip[] = []
  const cleanup = async () => {
    for (const d of downloads.splice(0)) await d.cleanup()
  }

  let config: FunctionConfig | undefined = options.config
  const configName = options.functionName ?? options.functionConfig ?? options.config?.arn ?? options.config?.name
  if (config) {
    // Given: nothing to read.
  } else if (options.functionName) config = await (await lambdaApi()).getFunction(options.functionName, aws)
  else if (options.functionConfig) config = await readFunctionConfig(options.functionConfig)

  try {
    const isImage = config?.packageType === 'Image'
    let layerInputs: {value: string; codeSize?: number}[] = options.layers.map((value) => ({value}))
    if (config && !isImage) {
      if (options.layers.length === 0) {
        layerInputs = config.layers.map((l) => ({value: l.arn, codeSize: l.codeSize}))
      } else if (options.layers.length !== config.layers.length) {
        notes.push(`${options.layers.length} --layer flag(s) stand in for the ${config.layers.length} layer(s) the function config lists`)
      } else if (config.layers.length) {
        notes.push('--layer flags stand in for the function config\'s layers, in order')
      }
    }
    if (isImage && options.layers.length === 0) layerInputs = []

    const layers: ZipSource[] = []
    for (const {value} of layerInputs) {
      if (!value.startsWith('arn:')) {
        layers.push({path: value, name: value})
        continue
      }
      const {getLayerVersionByArn, downloadLayer} = await lambdaApi()
      const version = await getLayerVersionByArn(value, aws)
      const zip = await downloadLayer(version, download)
      downloads.push(zip)
      layers.push({
        path: zip.path,
        name: value,
        arn: version.arn,
        ...(version.compatibleArchitectures ? {compatibleArchitectures: version.compatibleArchitectures} : {}),
        ...(version.compatibleRuntimes ? {compatibleRuntimes: version.compatibleRuntimes} : {}),
      })
    }

    let code: ZipSource | undefined
    if (options.functionZip) {
      code = {path: options.functionZip, name: options.functionZip}
      if (config?.code?.location) notes.push('--function-zip stands in for the function\'s Code.Location (nothing downloaded)')
    } else if (config && !isImage && config.code?.location) {
      const what = config.arn ?? config.name ?? configName!
      const zip = await (await lambdaApi()).downloadFunctionCode(config, what, download)
      downloads.push(zip)
      code = {path: zip.path, name: what}
    } else if (config && !isImage) {
      notes.push('the function config has no Code.Location (get-function-configuration output): /var/task is left empty; give --function-zip')
    }

    const layout = await buildFunctionLayout({layers, code, limits: options.zipLimits})
    const summary = summarize(config, layout)
    return {
      layout,
      ...(config ? {config} : {}),
      summary,
      notes,
      async dispose() {
        await layout.close()
        await cleanup()
      },
    }
  } catch (error) {
    await cleanup()
    throw error
  }
}

function summarize(config: FunctionConfig | undefined, layout: FunctionLayout): FunctionSummary {
  const summary: FunctionSummary = {
    layers: layout.zips
      .filter((z) => z.role === 'layer')
      .map((z) => ({
        source: z.source,
        size: z.size,
        ...(z.compatibleArchitectures ? {compatibleArchitectures: z.compatibleArchitectures} : {}),
      })),
  }
  const codeZip = layout.zips.find((z) => z.role === 'code')
  if (codeZip) summary.codeSource = codeZip.source
  if (config) {
    if (config.name) summary.name = config.name
    if (config.runtime) summary.runtime = config.runtime
    if (config.handler) summary.handler = config.handler
    summary.architectures = config.architectures
  }
  return summary
}
