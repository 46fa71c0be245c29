/**
 * `layer-audit layer-image`: the container-image version of Lambda layers, built from their zips without
 * Docker. Everything is written into a staging directory beside the output and moved into place at the
 * end, so a failure never leaves a half-written image under the output's name.
 */
import {createWriteStream} from 'node:fs'
import {mkdir, rename, rm, rmdir, writeFile} from 'node:fs/promises'
import {basename, dirname, join} from 'node:path'
import {Readable} from 'node:stream'
import {pipeline} from 'node:stream/promises'

import {buildFunctionLayout} from '../lambda/layout.js'
import {directoryTar} from './archive-tar.js'
import {writeBlob, type WrittenBlob} from './blob-writer.js'
import {imageConfig, imageManifest, OCI_CONFIG, OCI_INDEX, OCI_LAYER_GZIP, OCI_MANIFEST, sourceName} from './image-config.js'
import {layerEntries} from './layer-entries.js'
import {layerTar} from './layer-tar.js'
import {architectureOf, type LayerZip} from './layer-sources.js'
import type {OutputTarget} from './output-target.js'

export type LayerImagePlatform = 'linux/amd64' | 'linux/arm64'

export interface LayerImageOptions {
  /** The layer zips, in the function's layer order (see resolveLayerZips). */
  layers: LayerZip[]
  output: OutputTarget
  /** One image layer with the merged /opt instead of one per zip. */
  squash?: boolean
  /** Else from the layers' CompatibleArchitectures, else amd64. */
  platform?: LayerImagePlatform
  labels?: Record<string, string>
  keepMtimes?: boolean
}

export interface LayerImageResult {
  /** OCI outputs: the manifest's digest. docker-archive: the image ID (the config's digest; it has no manifest). */
  digest: string
  digestKind: 'manifest' | 'image ID'
  output: OutputTarget
  architecture: string
  layers: WrittenBlob[]
}

export async function buildLayerImage(options: LayerImageOptions): Promise<LayerImageResult> {
  const {output} = options
  const architecture = options.platform ? options.platform.slice('linux/'.length) : architectureOf(options.layers)
  const staging = join(dirname(output.path), `.${basename(output.path)}.${process.pid}.staging`)
  await mkdir(staging)
  try {
    const gzip = output.kind !== 'docker-archive'
    await mkdir(join(staging, 'blobs', 'sha256'), {recursive: true})
    const sources = options.layers
    const plans = options.squash
      ? [{upTo: sources.length, layer: undefined, description: `/opt of ${sources.map(sourceName).join(', ')} (squashed)`}]
      : sources.map((source, index) => ({upTo: index + 1, layer: index, description: `/opt from ${sourceName(source)} (sha256:${source.sha256})`}))
    const layers: WrittenBlob[] = []
    for (const plan of plans) {
      // The layout of the zips up to this one: the paths this zip wrote, and their parents as they are then.
      const layout = await buildFunctionLayout({layers: sources.slice(0, plan.upTo).map((zip) => ({path: zip.path, name: zip.arn ?? zip.path}))})
      try {
        layers.push(await writeBlob(staging, layerTar(layout, layerEntries(layout, plan.layer), {keepMtimes: options.keepMtimes}), {gzip}))
      } finally {
        await layout.close()
      }
    }

    const config = await writeBlob(
      staging,
      imageConfig({architecture, sources, diffIds: layers.map((l) => l.diffId), layerDescriptions: plans.map((p) => p.description), labels: options.labels ?? {}}),
    )
    let digest: string
    if (output.kind === 'docker-archive') {
      digest = config.digest
      const manifest = [{Config: blobPath(config), RepoTags: output.tag ? [output.tag] : null, Layers: layers.map(blobPath)}]
      await writeFile(join(staging, 'manifest.json'), JSON.stringify(manifest))
    } else {
      const manifest = await writeBlob(
        staging,
        imageManifest(
          {mediaType: OCI_CONFIG, digest: config.digest, size: config.size},
          layers.map((l) => ({mediaType: OCI_LAYER_GZIP, digest: l.digest, size: l.size})),
        ),
      )
      digest = manifest.digest
      const descriptor = {mediaType: OCI_MANIFEST, digest: manifest.digest, size: manifest.size, ...(output.tag ? {annotations: {'org.opencontainers.image.ref.name': output.tag}} : {})}
      await writeFile(join(staging, 'index.json'), JSON.stringify({schemaVersion: 2, mediaType: OCI_INDEX, manifests: [descriptor]}))
      await writeFile(join(staging, 'oci-layout'), JSON.stringify({imageLayoutVersion: '1.0.0'}))
    }

    if (output.kind === 'oci') {
      // An empty directory there (checked before) is replaced by the finished layout.
      await rmdir(output.path).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error
      })
      await rename(staging, output.path)
    } else {
      const temp = join(dirname(output.path), `.${basename(output.path)}.${process.pid}.tmp`)
      try {
        await pipeline(Readable.from(directoryTar(staging)), createWriteStream(temp, {flags: 'wx'}))
        await rename(temp, output.path)
      } catch (error) {
        await rm(temp, {force: true})
        throw error
      }
      await rm(staging, {recursive: true, force: true})
    }
    return {digest, digestKind: output.kind === 'docker-archive' ? 'image ID' : 'manifest', output, architecture, layers}
  } catch (error) {
    await rm(staging, {recursive: true, force: true})
    throw error
  }
}

function blobPath(blob: WrittenBlob): string {
  return `blobs/sha256/${blob.digest.slice('sha256:'.length)}`
}
