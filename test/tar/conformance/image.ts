/**
 * Images around layer tars, and the layer blobs back out of an image for Go: an OCI layout written by
 * test/image/helpers.ts, the same converted by `skopeo copy` to docker-archive and oci-archive.
 */
import {execFile, execFileSync} from 'node:child_process'
import {existsSync, mkdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {OciLayoutBuilder, type Compress} from '../../image/helpers.js'

export type Wrapping = 'oci layout' | 'docker-archive' | 'oci-archive'
export const WRAPPINGS: Wrapping[] = ['oci layout', 'docker-archive', 'oci-archive']

export interface LayerBlob {
  tar: Buffer
  compression?: Compress
}

/** An OCI layout holding one image of `layers`; returns its location. */
export function ociLayout(dir: string, layers: LayerBlob[]): string {
  const builder = new OciLayoutBuilder(dir)
  builder.writeIndex([builder.image({layers: layers.map((l) => ({tar: l.tar, compression: l.compression ?? 'gzip'}))})])
  return `oci:${dir}`
}

function execAsync(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, {maxBuffer: 1 << 26}, (error, _stdout, stderr) => {
      if (error) reject(new Error(`${cmd} ${args.join(' ')}: ${stderr || error.message}`))
      else resolve()
    })
  })
}

/** `skopeo copy` of an OCI layout (or any skopeo source) to the other wrappings, beside `dir`. */
export async function skopeoWrappings(source: string, dir: string): Promise<Record<Wrapping, string>> {
  const docker = join(dir, 'image.docker.tar')
  const oci = join(dir, 'image.oci.tar')
  await execAsync('skopeo', ['--insecure-policy', 'copy', '-q', source, `docker-archive:${docker}`])
  await execAsync('skopeo', ['--insecure-policy', 'copy', '-q', source, `oci-archive:${oci}`])
  return {'oci layout': source, 'docker-archive': `docker-archive:${docker}`, 'oci-archive': `oci-archive:${oci}`}
}

/** The layer blob files of an image, bottom first (archives are extracted into `scratch`). */
export function layerBlobs(location: string, scratch: string): string[] {
  const [kind, ...rest] = location.split(':')
  let path = rest.join(':')
  if (kind === 'docker-archive') {
    mkdirSync(scratch, {recursive: true})
    execFileSync('tar', ['-x', '-f', path, '-C', scratch])
    const manifest = JSON.parse(readFileSync(join(scratch, 'manifest.json'), 'utf8')) as Array<{Layers: string[]}>
    return manifest[0]!.Layers.map((l) => join(scratch, l))
  }
  let ref: string | undefined
  if (kind === 'oci' && !existsSync(path) && path.includes(':')) {
    ref = path.slice(path.lastIndexOf(':') + 1)
    path = path.slice(0, path.lastIndexOf(':'))
  }
  if (kind === 'oci-archive') {
    mkdirSync(scratch, {recursive: true})
    execFileSync('tar', ['-x', '-f', path, '-C', scratch])
    path = scratch
  } else if (kind !== 'oci') throw new Error(`layerBlobs: unknown location ${location}`)
  const blob = (digest: string) => join(path, 'blobs', ...digest.split(':'))
  const index = JSON.parse(readFileSync(join(path, 'index.json'), 'utf8')) as {manifests: Array<{digest: string; annotations?: Record<string, string>}>}
  const chosen = ref ? index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === ref) : index.manifests[0]
  if (!chosen) throw new Error(`layerBlobs: no manifest ${ref} in ${path}`)
  const manifest = JSON.parse(readFileSync(blob(chosen.digest), 'utf8')) as {layers: Array<{digest: string}>}
  return manifest.layers.map((l) => blob(l.digest))
}
