/**
 * A zip function in the fleet is not audited (it has no image yet): it gets what its migration takes —
 * runtime, layers, unzipped size (read from the zips' central directories, as `compare` reads them:
 * downloads go through the zip cache, so a layer shared by 50 functions is fetched once), the AWS base
 * image, and what `layer-image` and `dockerfile` would build.
 */
import {LayerAuditError} from '../errors.js'
import type {FunctionConfig} from '../lambda/function-config.js'
import {resolveFunction, type ResolveFunctionOptions} from '../lambda/resolve.js'
import {awsBaseImage} from '../migration/dockerfile.js'
import type {MigrationReadiness} from './report.js'

export type ReadinessOptions = Omit<ResolveFunctionOptions, 'layers' | 'functionName' | 'functionConfig' | 'functionZip' | 'config'>

export async function migrationReadiness(config: FunctionConfig, options: ReadinessOptions): Promise<MigrationReadiness> {
  const notes: string[] = []
  const baseImage = awsBaseImage(config.runtime)
  if (!baseImage) notes.push(config.runtime ? `runtime ${config.runtime} has no AWS base image: \`dockerfile --base IMAGE\` names one` : 'no Runtime: `dockerfile --base IMAGE` names the base image')
  let unzippedSize: number | undefined
  try {
    const resolved = await resolveFunction({...options, layers: [], config})
    try {
      unzippedSize = resolved.layout.limits.unzippedSize
      notes.push(...resolved.notes)
    } finally {
      await resolved.dispose()
    }
  } catch (error) {
    if (!(error instanceof LayerAuditError)) throw error
    notes.push(`unzipped size unknown: ${error.line}`)
  }
  const layers = config.layers.map((layer) => ({arn: layer.arn, ...(layer.codeSize === undefined ? {} : {codeSize: layer.codeSize})}))
  return {
    ...(config.runtime ? {runtime: config.runtime} : {}),
    ...(config.handler ? {handler: config.handler} : {}),
    architectures: config.architectures,
    layers,
    ...(config.codeSize === undefined ? {} : {codeSize: config.codeSize}),
    ...(unzippedSize === undefined ? {} : {unzippedSize}),
    ...(baseImage ? {baseImage} : {}),
    plan: plan(config, layers.length, baseImage),
    ...(notes.length ? {notes} : {}),
  }
}

/** One line: the images `layer-image` builds and the Dockerfile `dockerfile` writes for this function. */
function plan(config: FunctionConfig, layers: number, baseImage: string | undefined): string {
  const layerImages = layers === 0 ? 'no layer images' : `${layers} layer image${layers === 1 ? '' : 's'} (layer-image --layer ARN)`
  const base = baseImage ?? 'a base image of your choice'
  return `${layerImages}, then a function image FROM ${base} with the code in /var/task (dockerfile --function ${config.name ?? config.arn ?? 'NAME'})`
}
