/**
 * Small OCI image layouts written by hand (tar-stream + zlib), for skopeo to push: single images and
 * a buildx-style multi-platform index with an attestation manifest per image.
 */
import {createHash} from 'node:crypto'
import {mkdir, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {gzipSync} from 'node:zlib'
import tarStream from 'tar-stream'

export interface FileSpec {
  content: string | Buffer
  mode?: number
}

export interface ImageSpec {
  architecture: string
  os?: string
  variant?: string
  /** Each layer: path (no leading slash) → content. */
  layers: Record<string, string | Buffer | FileSpec>[]
  env?: string[]
  entrypoint?: string[]
  cmd?: string[]
}

export interface BuiltImage {
  manifestDigest: string
  configDigest: string
  layerDigests: string[]
  diffIds: string[]
  layerSizes: number[]
}

export interface BuiltLayout {
  dir: string
  /** Digest of what index.json points at (a manifest, or the nested index for multi-platform). */
  topDigest: string
  images: BuiltImage[]
  attestationDigests: string[]
}

const sha256 = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`

export async function tarOf(files: Record<string, string | Buffer | FileSpec>): Promise<Buffer> {
  const pack = tarStream.pack()
  const chunks: Buffer[] = []
  const done = new Promise<void>((resolve, reject) => {
    pack.on('data', (chunk: Buffer) => chunks.push(chunk))
    pack.on('end', resolve)
    pack.on('error', reject)
  })
  const dirs = new Set<string>()
  for (const path of Object.keys(files)) {
    const parts = path.split('/').slice(0, -1)
    for (let i = 1; i <= parts.length; i++) dirs.add(parts.slice(0, i).join('/'))
  }
  const mtime = new Date(1_700_000_000_000)
  for (const dir of [...dirs].sort()) pack.entry({name: `${dir}/`, type: 'directory', mode: 0o755, mtime})
  for (const [path, spec] of Object.entries(files)) {
    const file: FileSpec = typeof spec === 'string' || Buffer.isBuffer(spec) ? {content: spec} : spec
    pack.entry({name: path, mode: file.mode ?? 0o644, mtime}, Buffer.from(file.content))
  }
  pack.finalize()
  await done
  return Buffer.concat(chunks)
}

class LayoutWriter {
  constructor(readonly dir: string) {}

  async blob(data: Buffer): Promise<string> {
    const digest = sha256(data)
    await writeFile(join(this.dir, 'blobs/sha256', digest.slice(7)), data)
    return digest
  }

  async json(value: unknown): Promise<{digest: string; size: number}> {
    const data = Buffer.from(JSON.stringify(value))
    return {digest: await this.blob(data), size: data.length}
  }
}

async function writeImage(writer: LayoutWriter, spec: ImageSpec): Promise<BuiltImage & {manifestSize: number}> {
  const layers: {digest: string; size: number}[] = []
  const diffIds: string[] = []
  for (const files of spec.layers) {
    const tar = await tarOf(files)
    const gz = gzipSync(tar)
    diffIds.push(sha256(tar))
    layers.push({digest: await writer.blob(gz), size: gz.length})
  }
  const config = await writer.json({
    architecture: spec.architecture,
    os: spec.os ?? 'linux',
    ...(spec.variant ? {variant: spec.variant} : {}),
    config: {
      Env: spec.env ?? ['PATH=/usr/local/bin:/usr/bin:/bin'],
      ...(spec.entrypoint ? {Entrypoint: spec.entrypoint} : {}),
      ...(spec.cmd ? {Cmd: spec.cmd} : {}),
    },
    rootfs: {type: 'layers', diff_ids: diffIds},
    history: spec.layers.map((_, i) => ({created_by: `layer ${i}`})),
  })
  const manifest = await writer.json({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: {mediaType: 'application/vnd.oci.image.config.v1+json', digest: config.digest, size: config.size},
    layers: layers.map((l) => ({mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: l.digest, size: l.size})),
  })
  return {
    manifestDigest: manifest.digest,
    manifestSize: manifest.size,
    configDigest: config.digest,
    layerDigests: layers.map((l) => l.digest),
    diffIds,
    layerSizes: layers.map((l) => l.size),
  }
}

/** buildx's shape: an in-toto layer, config os/arch unknown, listed in the index as unknown/unknown. */
async function writeAttestation(writer: LayoutWriter, subject: string): Promise<{digest: string; size: number}> {
  const statement = Buffer.from(JSON.stringify({_type: 'https://in-toto.io/Statement/v0.1', predicateType: 'https://slsa.dev/provenance/v0.2', subject: [], predicate: {}}))
  const layerDigest = await writer.blob(statement)
  const config = await writer.json({architecture: 'unknown', os: 'unknown', config: {}, rootfs: {type: 'layers', diff_ids: [layerDigest]}})
  const manifest = await writer.json({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: {mediaType: 'application/vnd.oci.image.config.v1+json', digest: config.digest, size: config.size},
    layers: [
      {
        mediaType: 'application/vnd.in-toto+json',
        digest: layerDigest,
        size: statement.length,
        annotations: {'in-toto.io/predicate-type': 'https://slsa.dev/provenance/v0.2'},
      },
    ],
  })
  void subject
  return manifest
}

/** One image, or (several specs) an index with per-platform manifests plus attestations, tagged "latest". */
export async function writeOciLayout(dir: string, specs: ImageSpec[], options: {attestations?: boolean} = {}): Promise<BuiltLayout> {
  await mkdir(join(dir, 'blobs/sha256'), {recursive: true})
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({imageLayoutVersion: '1.0.0'}))
  const writer = new LayoutWriter(dir)
  const images: (BuiltImage & {manifestSize: number})[] = []
  for (const spec of specs) images.push(await writeImage(writer, spec))
  const attestationDigests: string[] = []
  let top: {mediaType: string; digest: string; size: number}
  if (specs.length === 1 && !options.attestations) {
    top = {mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: images[0].manifestDigest, size: images[0].manifestSize}
  } else {
    const entries: unknown[] = images.map((image, i) => ({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: image.manifestDigest,
      size: image.manifestSize,
      platform: {architecture: specs[i].architecture, os: specs[i].os ?? 'linux', ...(specs[i].variant ? {variant: specs[i].variant} : {})},
    }))
    if (options.attestations) {
      for (const image of images) {
        const attestation = await writeAttestation(writer, image.manifestDigest)
        attestationDigests.push(attestation.digest)
        entries.push({
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: attestation.digest,
          size: attestation.size,
          platform: {architecture: 'unknown', os: 'unknown'},
          annotations: {'vnd.docker.reference.digest': image.manifestDigest, 'vnd.docker.reference.type': 'attestation-manifest'},
        })
      }
    }
    const index = await writer.json({schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: entries})
    top = {mediaType: 'application/vnd.oci.image.index.v1+json', ...index}
  }
  await writeFile(
    join(dir, 'index.json'),
    JSON.stringify({schemaVersion: 2, manifests: [{...top, annotations: {'org.opencontainers.image.ref.name': 'latest'}}]}),
  )
  return {dir, topDigest: top.digest, images, attestationDigests}
}
