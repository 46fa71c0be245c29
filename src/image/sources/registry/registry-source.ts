/**
 * Images straight from a registry (any distribution-API registry, Amazon ECR through its keychain):
 * manifests and configs fetched (and cached) by digest, layers streamed from the network on demand.
 * The shared manifest resolver does index/platform/attestation handling exactly as for local layouts.
 */
import {readVerifiedBlob} from '../../blob-store.js'
import {layerLabel} from '../../digest.js'
import {jsonCap} from '../../json-document.js'
import {resolveFromDescriptor} from '../../manifest-resolver.js'
import type {Image, ImageSource, OpenOptions} from '../../model.js'
import {parsePlatform} from '../../platform.js'
import {BlobCache, defaultCacheDir} from './blob-cache.js'
import {defaultDockerConfigPath, DockerConfigKeychain} from './docker-config-keychain.js'
import {EcrKeychain} from './ecr-keychain.js'
import type {Keychain} from './keychain.js'
import {readRegistryOptions, type RegistryOptions} from './options.js'
import {RegistryBlobStore} from './registry-blob-store.js'
import {RegistryClient} from './registry-client.js'
import {hostWithoutPort, manifestReference, parseReference} from './reference.js'

export class RegistrySource implements ImageSource {
  readonly kind = 'registry' as const

  async open(location: string, options: OpenOptions = {}): Promise<Image> {
    const ref = parseReference(location)
    const registryOptions = readRegistryOptions(options.registry)
    const input = location
    const cap = jsonCap(options)
    const client = new RegistryClient(ref.registry, ref.repository, {
      keychain: keychainFor(ref.registry, registryOptions),
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

/** ECR hosts (and hosts named in ecrRegistries) authenticate through AWS; everyone else through Docker's config. */
export function keychainFor(registry: string, options: RegistryOptions): Keychain {
  const ecr = new EcrKeychain(options)
  if (ecr.handles(registry)) return ecr
  return new DockerConfigKeychain(options.dockerConfigPath ?? defaultDockerConfigPath())
}

function isInsecure(registry: string, options: RegistryOptions): boolean {
  return options.insecureRegistries.includes(registry) || options.insecureRegistries.includes(hostWithoutPort(registry))
}
