/** Flags → library options, in one place for every command that opens an image. */
import type {OpenOptions} from '../image/model.js'
import type {ProgressCallback} from './progress.js'

export interface ImageFlagValues {
  platform?: string
  image?: string
  'insecure-registry'?: string[]
  concurrency?: number
  'no-cache'?: boolean
  'cache-layers'?: boolean
  region?: string
  profile?: string
  'endpoint-url'?: string
}

export function openOptionsFrom(flags: ImageFlagValues, onProgress?: ProgressCallback): OpenOptions & {concurrency?: number} {
  return {
    ...(flags.platform ? {platform: flags.platform} : {}),
    ...(flags.image ? {image: flags.image} : {}),
    ...(flags.concurrency ? {concurrency: flags.concurrency} : {}),
    // Every source's layer reads, a registry's download included (its stream is what readLayers reads).
    ...(onProgress ? {onProgress} : {}),
    registry: {
      insecureRegistries: flags['insecure-registry'] ?? [],
      noCache: Boolean(flags['no-cache']),
      cacheLayers: Boolean(flags['cache-layers']),
      ...(flags.concurrency ? {concurrency: flags.concurrency} : {}),
      ...(flags.region ? {region: flags.region} : {}),
      ...(flags.profile ? {profile: flags.profile} : {}),
      ...(flags['endpoint-url'] ? {endpointUrl: flags['endpoint-url']} : {}),
    },
  }
}
