/**
 * `layer-image --output REGISTRY/REPO:TAG`: the image is built into a staging OCI layout (exactly what
 * `oci:DIR` writes, so the digests are the same) and pushed from there, blobs streamed from disk.
 */
import {readFile} from 'node:fs/promises'
import {join} from 'node:path'

import {RegistryClient} from '../image/sources/registry/registry-client.js'
import {DEFAULT_CHUNK_SIZE, RegistryPusher, type BlobOutcome} from '../image/sources/registry/registry-push.js'
import {keychainFor} from '../image/sources/registry/registry-source.js'
import {hostWithoutPort, type RegistryReference} from '../image/sources/registry/reference.js'
import type {RegistryOptions} from '../image/sources/registry/options.js'
import type {LayerProgressCallback} from '../image/model.js'

export interface PushResult {
  /** `REGISTRY/REPO:TAG@sha256:…` */
  pushed: string
  digest: string
  /** What happened to each blob (config first, then the layers), by digest. */
  blobs: {digest: string; outcome: BlobOutcome}[]
}

interface Descriptor {
  digest: string
  size: number
}

export async function pushLayout(
  layoutDir: string,
  target: RegistryReference,
  registryOptions: RegistryOptions,
  push: {chunkSize?: number; mountFrom?: string; onProgress?: LayerProgressCallback} = {},
): Promise<PushResult> {
  const index = JSON.parse(await readFile(join(layoutDir, 'index.json'), 'utf8')) as {manifests: Descriptor[]}
  const manifestDigest = index.manifests[0].digest
  const manifest = await readFile(blobPath(layoutDir, manifestDigest))
  const parsed = JSON.parse(manifest.toString('utf8')) as {config: Descriptor; layers: Descriptor[]}

  const insecure = registryOptions.insecureRegistries.includes(target.registry) || registryOptions.insecureRegistries.includes(hostWithoutPort(target.registry))
  const client = new RegistryClient(target.registry, target.repository, {
    keychain: await keychainFor(target.registry, registryOptions),
    insecure,
    retry: registryOptions.retry,
    timeoutMs: registryOptions.timeoutMs,
    input: target.input,
    actions: 'pull,push',
    ...(push.mountFrom ? {pullFrom: [push.mountFrom]} : {}),
  })
  const pusher = new RegistryPusher(client, {chunkSize: push.chunkSize ?? DEFAULT_CHUNK_SIZE, mountFrom: push.mountFrom, input: target.input})
  const blobs: PushResult['blobs'] = []
  // One at a time: the first request authenticates, and a registry sees the blobs before the manifest.
  const all = [parsed.config, ...parsed.layers]
  all.forEach((blob, i) => push.onProgress?.(i, 0, blob.size))
  for (const [i, blob] of all.entries()) {
    const outcome = await pusher.pushBlob({...blob, path: blobPath(layoutDir, blob.digest)}, (bytes) => push.onProgress?.(i, bytes, blob.size))
    blobs.push({digest: blob.digest, outcome})
  }
  const tag = target.tag ?? 'latest'
  const digest = await pusher.pushManifest(manifest, tag)
  if (digest !== manifestDigest) throw new Error(`internal: manifest ${manifestDigest} read back as ${digest}`)
  return {pushed: `${target.registry}/${target.repository}:${tag}@${digest}`, digest, blobs}
}

function blobPath(layoutDir: string, digest: string): string {
  return join(layoutDir, 'blobs', 'sha256', digest.slice('sha256:'.length))
}
