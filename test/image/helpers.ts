/** Small builders for test images: layer tars by GNU tar, OCI layouts written blob by blob. */
import {execFileSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {gzipSync} from 'node:zlib'
import type {Readable} from 'node:stream'
import {openLayerStream} from '../../src/image/layer-stream.js'
import type {Descriptor, Image, LayerInfo, Platform} from '../../src/image/model.js'
import {LayerAuditError} from '../../src/errors.js'

export function tempDir(prefix = 'la-image-'): {path: string; cleanup: () => void} {
  const path = mkdtempSync(join(tmpdir(), prefix))
  return {path, cleanup: () => rmSync(path, {recursive: true, force: true})}
}

export function run(cmd: string, args: string[], options: {cwd?: string; input?: Buffer} = {}): Buffer {
  return execFileSync(cmd, args, {cwd: options.cwd, input: options.input, stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 64 << 20})
}

export const sha256 = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`

/** A layer tar made by GNU tar from `files` (path → content; a path ending in / is a directory). */
export function layerTar(files: Record<string, string>, format: 'gnu' | 'pax' | 'ustar' = 'gnu'): Buffer {
  const stage = tempDir('la-layer-')
  try {
    for (const [path, content] of Object.entries(files)) {
      const full = join(stage.path, 'root', path)
      if (path.endsWith('/')) mkdirSync(full, {recursive: true})
      else {
        mkdirSync(dirname(full), {recursive: true})
        writeFileSync(full, content)
      }
    }
    mkdirSync(join(stage.path, 'root'), {recursive: true})
    const names = readdirSync(join(stage.path, 'root')).sort()
    return run('tar', ['--format', format, '--owner=0', '--group=0', '--mtime=@0', '--sort=name', '-cf', '-', '-C', join(stage.path, 'root'), ...names])
  } finally {
    stage.cleanup()
  }
}

export type Compress = 'gzip' | 'zstd' | 'none'

export function compress(tar: Buffer, how: Compress): Buffer {
  if (how === 'gzip') return gzipSync(tar)
  if (how === 'zstd') return run('zstd', ['-q', '-c'], {input: tar})
  return tar
}

const MT = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: {none: 'application/vnd.oci.image.layer.v1.tar', gzip: 'application/vnd.oci.image.layer.v1.tar+gzip', zstd: 'application/vnd.oci.image.layer.v1.tar+zstd'},
}

/** Writes an OCI layout blob by blob, so tests can make exactly the index shapes real tools make. */
export class OciLayoutBuilder {
  constructor(readonly dir: string) {
    mkdirSync(join(dir, 'blobs', 'sha256'), {recursive: true})
    writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}')
  }

  blob(bytes: Buffer | string, mediaType: string, extra: Partial<Descriptor> = {}): Descriptor {
    const buffer = Buffer.from(bytes)
    const digest = sha256(buffer)
    writeFileSync(join(this.dir, 'blobs', 'sha256', digest.slice(7)), buffer)
    return {mediaType, digest, size: buffer.length, ...extra}
  }

  json(value: unknown, mediaType: string, extra: Partial<Descriptor> = {}): Descriptor {
    return this.blob(JSON.stringify(value), mediaType, extra)
  }

  image(spec: {layers: {tar: Buffer; compression?: Compress}[]; platform?: Platform; cmd?: string[]; history?: object[]}): Descriptor {
    const platform = spec.platform ?? {os: 'linux', architecture: 'amd64'}
    const layers = spec.layers.map((l) => this.blob(compress(l.tar, l.compression ?? 'gzip'), MT.layer[l.compression ?? 'gzip']))
    const config = this.json(
      {
        ...platform,
        config: {Cmd: spec.cmd ?? ['app.handler']},
        rootfs: {type: 'layers', diff_ids: spec.layers.map((l) => sha256(l.tar))},
        history: spec.history ?? spec.layers.map((_, i) => ({created_by: `step ${i}`})),
      },
      MT.config,
    )
    return this.json({schemaVersion: 2, mediaType: MT.manifest, config, layers}, MT.manifest, {platform})
  }

  index(manifests: Descriptor[], extra: Partial<Descriptor> = {}): Descriptor {
    return this.json({schemaVersion: 2, mediaType: MT.index, manifests}, MT.index, extra)
  }

  writeIndex(manifests: Descriptor[]): void {
    writeFileSync(join(this.dir, 'index.json'), JSON.stringify({schemaVersion: 2, mediaType: MT.index, manifests}))
  }

  remove(descriptor: Descriptor): void {
    rmSync(join(this.dir, 'blobs', 'sha256', descriptor.digest.slice(7)))
  }
}

export function withRef(d: Descriptor, ref: string): Descriptor {
  return {...d, annotations: {...d.annotations, 'org.opencontainers.image.ref.name': ref}}
}

export async function drain(stream: Readable): Promise<number> {
  let n = 0
  for await (const chunk of stream) n += (chunk as Buffer).length
  return n
}

/** Reads every layer to its end through openLayerStream; returns the stats. */
export async function readAllLayers(image: Image): Promise<{layer: LayerInfo; compression: string; uncompressedSize: number}[]> {
  const out = []
  for (const layer of image.layers) {
    const {tar, stats} = await openLayerStream(image, layer)
    await drain(tar)
    const s = await stats
    out.push({layer, compression: s.compression, uncompressedSize: s.uncompressedSize})
  }
  return out
}

/** The LayerAuditError a promise rejects with (fails the test if it resolves or throws something else). */
export async function errorOf(promise: Promise<unknown>): Promise<LayerAuditError> {
  try {
    await promise
  } catch (error) {
    if (error instanceof LayerAuditError) return error
    throw error
  }
  throw new Error('expected a LayerAuditError, got success')
}
