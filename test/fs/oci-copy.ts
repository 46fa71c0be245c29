/**
 * An image copied to an OCI layout with gzip'd layers: what a registry serves, blob digests known (the
 * legacy docker-archive fixtures carry none, so the layer cache cannot hold their layers). The same
 * layer tar always gzips to the same blob, so images sharing a layer in fixtures share it here too.
 */
import {createHash} from 'node:crypto'
import {mkdirSync, writeFileSync} from 'node:fs'
import {buffer} from 'node:stream/consumers'
import {join} from 'node:path'
import {gunzipSync, gzipSync} from 'node:zlib'
import {openImage} from '../../src/image/open.js'

/** Copies `input` to an OCI layout at `dir`; returns the reference to open it (`oci:DIR:img`). */
export async function ociCopy(input: string, dir: string): Promise<string> {
  const image = await openImage(input)
  try {
    const blobs = join(dir, 'blobs/sha256')
    mkdirSync(blobs, {recursive: true})
    const put = (bytes: Buffer) => {
      const hex = createHash('sha256').update(bytes).digest('hex')
      writeFileSync(join(blobs, hex), bytes)
      return {digest: `sha256:${hex}`, size: bytes.length}
    }
    const config = await image.readBlob({mediaType: 'application/vnd.oci.image.config.v1+json', digest: image.configDigest, size: -1})
    const layers = []
    for (const layer of image.layers) {
      const blob = await buffer(await image.openLayer(layer))
      const tar = blob[0] === 0x1f && blob[1] === 0x8b ? gunzipSync(blob) : blob
      layers.push({mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...put(gzipSync(tar))})
    }
    const manifest = {schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: {mediaType: 'application/vnd.oci.image.config.v1+json', ...put(config)}, layers}
    const m = put(Buffer.from(JSON.stringify(manifest)))
    writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}')
    const index = {schemaVersion: 2, manifests: [{mediaType: manifest.mediaType, ...m, annotations: {'org.opencontainers.image.ref.name': 'img'}}]}
    writeFileSync(join(dir, 'index.json'), JSON.stringify(index))
    return `oci:${dir}:img`
  } finally {
    await image.close()
  }
}
