import {createRequire} from 'node:module'
/** Small builders for layer tars used by the fs tests: tar-stream's packer and GNU tar. */
import {execFileSync} from 'node:child_process'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {Readable} from 'node:stream'
import {pack as tarPack, type Header} from 'tar-stream'
import type {LayerContents, Whiteout} from '../../src/fs/entry.js'
import {walkLayerTar} from '../../src/fs/layer-walker.js'
import type {LayerInfo} from '../../src/image/model.js'
import {HAVE_REALDATA, REALDATA} from '../helpers/realdata.js'

export interface TarItem extends Partial<Omit<Header, 'pax'>> {
  name: string
  content?: string | Buffer
  pax?: Record<string, string>
}

/** A tar built with tar-stream's packer (ustar + pax headers when given). */
export async function packTar(items: TarItem[]): Promise<Buffer> {
  const pack = tarPack()
  const chunks: Buffer[] = []
  pack.on('data', (c: Buffer) => chunks.push(c))
  const done = new Promise<void>((ok, fail) => {
    pack.on('end', () => ok())
    pack.on('error', fail)
  })
  for (const {content, ...header} of items) {
    const body = content === undefined ? undefined : Buffer.from(content)
    await new Promise<void>((ok, fail) => {
      const cb = (err?: Error | null) => (err ? fail(err) : ok())
      if (body) pack.entry({mtime: new Date(0), ...header, size: body.length} as Header, body, cb)
      else pack.entry({mtime: new Date(0), ...header} as Header, cb)
    })
  }
  pack.finalize()
  await done
  return Buffer.concat(chunks)
}

export function tmpDir(prefix = 'layer-audit-fs-'): string {
  return mkdtempSync(join(tmpdir(), prefix))
}

/** GNU tar of `members` inside `dir` (run as given; --format picks gnu/posix/ustar). */
export function gnuTar(dir: string, members: string[], extra: string[] = []): Buffer {
  return execFileSync('tar', ['-C', dir, '-c', '--numeric-owner', ...extra, '-f', '-', ...members], {maxBuffer: 1 << 28})
}

export function layerInfo(index = 0): LayerInfo {
  return {index, diffId: `sha256:${String(index).padStart(64, '0')}`, mediaType: 'application/vnd.oci.image.layer.v1.tar'}
}

/** A readable that hands out `buf` in pieces of `chunk` bytes (odd sizes exercise block straddling). */
export function chunked(buf: Buffer, chunk = 1 << 20): Readable {
  const parts: Buffer[] = []
  for (let i = 0; i < buf.length; i += chunk) parts.push(buf.subarray(i, i + chunk))
  return Readable.from(parts, {objectMode: false})
}

export async function walkBuffer(buf: Buffer, index = 0, chunk?: number) {
  return walkLayerTar(chunked(buf, chunk), layerInfo(index))
}

/** LayerContents for flatten/efficiency tests from a walked tar. */
export async function contentsOf(buf: Buffer, index: number): Promise<LayerContents> {
  const {entries, whiteouts} = await walkBuffer(buf, index)
  return {layer: layerInfo(index), entries, whiteouts, compression: 'none', compressedSize: buf.length, uncompressedSize: buf.length}
}

/** LayerContents written by hand (entries default to root-owned files of mode 0644). */
export function layer(
  index: number,
  entries: Array<Partial<LayerContents['entries'][number]> & {path: string}>,
  whiteouts: Whiteout[] = [],
): LayerContents {
  return {
    layer: layerInfo(index),
    entries: entries.map((e) => ({type: 'file', mode: e.type === 'directory' ? 0o755 : 0o644, uid: 0, gid: 0, size: 0, mtime: 0, ...e})),
    whiteouts,
    compression: 'none',
    compressedSize: 0,
    uncompressedSize: 0,
  }
}

const require_ = createRequire(import.meta.url)
// One place decides where the corpus is and that CI may not skip it (test/helpers/realdata.ts).
export const realdata = REALDATA
export const haveRealdata = HAVE_REALDATA

export function haveTool(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], {stdio: 'ignore'})
    return true
  } catch {
    return false
  }
}

/**
 * Opens an image the way the CLI will: H1's `openImage` (src/image/open.ts) when it exists, otherwise
 * the source modules directly, picked by the skopeo-style prefix.
 */
export async function openTestImage(location: string): Promise<import('../../src/image/model.js').Image> {
  const openModule = '../../src/image/open.js'
  try {
    const mod = (await import(/* @vite-ignore */ openModule)) as {openImage?: (l: string, o?: object) => Promise<import('../../src/image/model.js').Image>}
    if (mod.openImage) return await mod.openImage(location, {})
  } catch (error) {
    if (!/Cannot find module|Failed to load|does the file exist/i.test(String(error))) throw error
  }
  const [{DockerArchiveSource}, {OciArchiveSource}, {OciLayoutSource}] = await Promise.all([
    import('../../src/image/sources/docker-archive.js'),
    import('../../src/image/sources/oci-archive.js'),
    import('../../src/image/sources/oci-layout.js'),
  ])
  const [kind, ...rest] = location.split(':')
  const path = rest.join(':')
  if (kind === 'oci-archive') return new OciArchiveSource().open(path, {})
  if (kind === 'oci') return new OciLayoutSource().open(path, {})
  return new DockerArchiveSource().open(kind === 'docker-archive' ? path : location, {})
}

/**
 * A minimal OCI image layout (gzip layers, one manifest tagged `ref`) around hand-made layer tars.
 * `gzipLevel` 0 stores big layers quickly (gzip's default level takes seconds per 100 MB of random bytes).
 */
export function writeOciLayout(dir: string, layers: Buffer[], ref = 'img', options: {gzipLevel?: number} = {}): void {
  const {createHash} = require_('node:crypto') as typeof import('node:crypto')
  const {gzipSync} = require_('node:zlib') as typeof import('node:zlib')
  const {mkdirSync, writeFileSync} = require_('node:fs') as typeof import('node:fs')
  const blobs = join(dir, 'blobs/sha256')
  mkdirSync(blobs, {recursive: true})
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')
  const put = (b: Buffer) => {
    const hex = sha(b)
    writeFileSync(join(blobs, hex), b)
    return {digest: `sha256:${hex}`, size: b.length}
  }
  const layerDescs = layers.map((tar) => ({mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...put(gzipSync(tar, {level: options.gzipLevel}))}))
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: {},
      rootfs: {type: 'layers', diff_ids: layers.map((tar) => `sha256:${sha(tar)}`)},
      history: layers.map((_, i) => ({created_by: `layer ${i}`})),
    }),
  )
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {mediaType: 'application/vnd.oci.image.config.v1+json', ...put(config)},
      layers: layerDescs,
    }),
  )
  const m = put(manifest)
  writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}')
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{mediaType: 'application/vnd.oci.image.manifest.v1+json', ...m, annotations: {'org.opencontainers.image.ref.name': ref}}],
    }),
  )
}
