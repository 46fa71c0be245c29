/**
 * The fleet's images: IMAGE_COUNT function images on one base layer (a runtime of BASE_FILES files that
 * every image shares byte for byte, as images FROM the same AWS base image do), each with its own code
 * layer. Written as OCI layouts by test/registry/helpers/oci-layout.ts and pushed with skopeo to a
 * loopback docker-registry. What varies, so that the audit has something to find:
 * - image i % 4 === 3 is arm64 (the functions say x86_64: architecture-mismatch);
 * - image i % 5 === 0 ships an extension without its exec bit (extension-not-executable);
 * - image i % 7 === 0 leaks an AWS key in its code (secret-in-layer).
 */
import {createHash} from 'node:crypto'
import {join} from 'node:path'
import {writeOciLayout, type FileSpec} from '../../registry/helpers/oci-layout.js'
import {skopeoPush} from '../../registry/helpers/registry-server.js'

export const IMAGE_COUNT = 20
export const BASE_FILES = 120

export interface FleetImage {
  index: number
  repository: string
  architecture: 'amd64' | 'arm64'
  manifestDigest: string
  layerDigests: string[]
  layerSizes: number[]
}

/** Deterministic bytes that do not compress: a layer's size on the wire is what the bench counts. */
function noise(seed: string, bytes: number): Buffer {
  const out = Buffer.alloc(bytes)
  let block = createHash('sha256').update(seed).digest()
  for (let at = 0; at < bytes; at += block.length) {
    block.copy(out, at)
    block = createHash('sha256').update(block).digest()
  }
  return out
}

export function baseLayer(files = BASE_FILES, fileBytes = 4096): Record<string, string | Buffer | FileSpec> {
  const layer: Record<string, string | Buffer | FileSpec> = {
    'lambda-entrypoint.sh': {content: '#!/bin/sh\nexec /var/runtime/bootstrap "$@"\n', mode: 0o755},
    'bin/sh': {content: noise('sh', 2048), mode: 0o755},
    'var/runtime/bootstrap': {content: '#!/bin/sh\necho runtime\n', mode: 0o755},
  }
  for (let i = 0; i < files; i++) layer[`var/lang/lib/module-${String(i).padStart(4, '0')}.so`] = noise(`module-${i}`, fileBytes)
  return layer
}

export function appLayer(index: number): Record<string, string | Buffer | FileSpec> {
  const layer: Record<string, string | Buffer | FileSpec> = {
    'var/task/app.py': `def handler(event, context):\n    return ${index}\n`,
    [`var/task/data-${index}.bin`]: noise(`data-${index}`, 2048 + index * 64),
  }
  if (index % 5 === 0) layer[`opt/extensions/telemetry-${index}`] = {content: '#!/bin/sh\necho extension\n', mode: 0o644}
  // An AWS example-shaped key would be a note; this one has the shape of a live key.
  if (index % 7 === 0) layer['var/task/settings.py'] = `AWS_SECRET_ACCESS_KEY = "${'wJalrXUtnFEMIK7MDENGbPxRfiCY' + String(index).padStart(12, 'Q')}"\nAWS_ACCESS_KEY_ID = "AKIA${'Z'.repeat(12)}${String(index).padStart(4, '7')}"\n`
  return layer
}

export interface PushOptions {
  baseFiles?: number
  baseFileBytes?: number
  /** Images to build (default IMAGE_COUNT). */
  count?: number
  /** USER:PASSWORD for a registry with auth. */
  creds?: string
}

/** Builds and pushes the images (IMAGE_COUNT by default) to `registryHost` as fleet/fn-<i>:1. */
export async function pushFleetImages(registryHost: string, workDir: string, options: PushOptions = {}): Promise<FleetImage[]> {
  const base = baseLayer(options.baseFiles, options.baseFileBytes)
  const images: FleetImage[] = []
  for (let index = 0; index < (options.count ?? IMAGE_COUNT); index++) {
    const architecture = index % 4 === 3 ? 'arm64' : 'amd64'
    const dir = join(workDir, `image-${index}`)
    const built = await writeOciLayout(dir, [
      {
        architecture,
        layers: [base, appLayer(index)],
        env: ['PATH=/usr/local/bin:/usr/bin:/bin', 'LAMBDA_TASK_ROOT=/var/task'],
        entrypoint: ['/lambda-entrypoint.sh'],
        cmd: ['app.handler'],
      },
    ])
    const repository = `fleet/fn-${index}`
    images.push({index, repository, architecture, manifestDigest: built.images[0].manifestDigest, layerDigests: built.images[0].layerDigests, layerSizes: built.images[0].layerSizes})
  }
  // skopeo pushes in parallel: 20 one after the other take seconds for nothing.
  await Promise.all(images.map((image) => skopeoPush(`oci:${join(workDir, `image-${image.index}`)}:latest`, `${registryHost}/${image.repository}:1`, {creds: options.creds})))
  return images
}
