/**
 * Images straight from a registry (any distribution-API registry, Amazon ECR through its keychain):
 * manifests and configs fetched (and cached) by digest, layers streamed from the network on demand.
 * The shared manifest resolver does index/platform/attestation handling exactly as for local layouts.
 */
import {ImageSourceError} from '../../../errors.js'
import {readVerifiedBlob} from '../../blob-store.js'
import {layerLabel} from '../../digest.js'
import {jsonCap} from '../../json-document.js'
import {resolveFromDescriptor} from '../../manifest-resolver.js'
import type {Image, ImageSource, OpenOptions} from '../../model.js'
import {parsePlatform} from '../../platform.js'
import {BlobCache, defaultCacheDir} from './blob-cache.js'
import {defaultDockerConfigPath, DockerConfigKeychain} from './docker-config-keychain.js'
import {isEcrRegistry} from './ecr-host.js'
import type {Keychain} from './keychain.js'
import {readRegistryOptions, type RegistryOptions} from './options.js'
import {RegistryBlobStore} from './registry-blob-store.js'
import {RegistryClient} from './registry-client.js'
import {hostWithoutPort, isRegistryReference, manifestReference, parseReference} from './reference.js'

export class RegistrySource implements ImageSource {
  readonly kind = 'registry' as const

  async open(location: string, options: OpenOptions = {}): Promise<Image> {
    // open.ts hands over every input that is not an existing path: a mistyped file name ends here.
    if (!isRegistryReference(location)) {
      throw new ImageSourceError('NOT_FOUND', 'no such file, and not an image reference', {input: location})
    }
    const ref = parseReference(location)
    const registryOptions = readRegistryOptions(options.registry)
    const input = location
    const cap = jsonCap(options)
    const client = new RegistryClient(ref.registry, ref.repository, {
      keychain: await keychainFor(ref.registry, registryOptions),
      insecure: isInsecure(ref.registry, registryOptions),
      retry: registryOptions.retry,
      timeoutMs: registryOptions.timeoutMs,
      input,
    })
    const cache = registryOptions.noCache ? undefined : new BlobCache(registryOptions.cacheDir ?? defaultCacheDir())
    const store = new RegistryBlobStore(client, cache, registryOptions, input)

    const top = await store.resolveTop(manifestReference(ref), cap)
    const resolved = await resolveFromDescriptor(
      {store, input, cap, ...(options.platform ? {platform: parsePlatform(options.platform)} : {})},
      {mediaType: top.mediaType, digest: top.digest, size: top.body.length},
    )
    const onProgress = registryOptions.onProgress
    const tagged = ref.tag ? `${ref.registry}/${ref.repository}:${ref.tag}` : `${ref.registry}/${ref.repository}@${top.digest}`
    return {
      ...resolved,
      reference: location,
      source: 'registry',
      name: tagged,
      openLayer: (layer) =>
        store.openLayer({
          digest: layer.digest ?? layer.diffId,
          size: layer.size,
          what: layerLabel(layer),
          ...(onProgress ? {onBytes: (received: number) => onProgress(layer.index, received, layer.size)} : {}),
        }),
      readBlob: (descriptor) => readVerifiedBlob(store, descriptor, cap, 'blob', input),
      close: async () => {},
    }
  }
}

/**
 * ECR hosts (and hosts named in ecrRegistries) authenticate through AWS; everyone else through
 * Docker's config. The AWS SDK is loaded only when an ECR registry is actually read.
 */
export async function keychainFor(registry: string, options: RegistryOptions): Promise<Keychain> {
  if (isEcrRegistry(registry, options.ecrRegistries)) {
    const {EcrKeychain} = await import('./ecr-keychain.js')
    return new EcrKeychain(options)
  }
  return new DockerConfigKeychain(options.dockerConfigPath ?? defaultDockerConfigPath())
}

function isInsecure(registry: string, options: RegistryOptions): boolean {
  return options.insecureRegistries.includes(registry) || options.insecureRegistries.includes(hostWithoutPort(registry))
}
