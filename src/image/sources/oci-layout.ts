/** OCI image layout as a directory: `oci-layout`, `index.json`, `blobs/<alg>/<hex>`. */
import {createReadStream} from 'node:fs'
import {readFile, stat} from 'node:fs/promises'
import {join} from 'node:path'
import type {Readable} from 'node:stream'
import {ImageSourceError} from '../../errors.js'
import type {BlobStore} from '../blob-store.js'
import {checkDigest} from '../digest.js'
import {checkJsonSize, jsonCap, parseJsonDocument} from '../json-document.js'
import {imageFromLayoutIndex} from '../layout-image.js'
import type {Image, ImageSource, OpenOptions} from '../model.js'
import {splitLocationRef} from '../reference.js'

export class OciLayoutSource implements ImageSource {
  readonly kind = 'oci-layout' as const

  /** `location` is `DIR` or `DIR:REF`. */
  async open(location: string, options: OpenOptions): Promise<Image> {
    const {path, ref} = await splitLocationRef(location)
    return openOciLayout(path, {input: location, ref, options})
  }
}

export async function openOciLayout(dir: string, at: {input: string; ref?: string; options: OpenOptions}): Promise<Image> {
  const {input, options} = at
  const cap = jsonCap(options)
  const store = new DirectoryBlobStore(dir, input)
  const indexPath = join(dir, 'index.json')
  const info = await stat(indexPath).catch(() => undefined)
  if (!info) throw new ImageSourceError('NOT_FOUND', 'not an OCI layout: no index.json', {input})
  if (!info.isFile()) throw new ImageSourceError('CORRUPT', 'index.json is not a regular file', {input})
  checkJsonSize(info.size, cap, 'index.json', input)
  const index = parseJsonDocument(await readFile(indexPath), cap, 'index.json', input)
  return imageFromLayoutIndex(store, index, at, 'oci-layout', cap)
}

class DirectoryBlobStore implements BlobStore {
  constructor(
    private readonly dir: string,
    private readonly input: string,
  ) {}

  private path(digest: string): string {
    const [algorithm, hex] = checkDigest(digest, 'blob', this.input).split(':') as [string, string]
    return join(this.dir, 'blobs', algorithm, hex)
  }

  async has(digest: string): Promise<boolean> {
    const info = await stat(this.path(digest)).catch(() => undefined)
    return info?.isFile() ?? false
  }

  async read(digest: string, maxBytes: number): Promise<Buffer> {
    const path = this.path(digest)
    const info = await stat(path).catch(() => undefined)
    if (!info?.isFile()) throw new ImageSourceError('NOT_FOUND', `blob ${digest} is missing`, {input: this.input})
    checkJsonSize(info.size, maxBytes, `blob ${digest}`, this.input)
    return readFile(path)
  }

  async open(digest: string): Promise<Readable> {
    const path = this.path(digest)
    if (!(await this.has(digest))) throw new ImageSourceError('NOT_FOUND', `blob ${digest} is missing`, {input: this.input})
    return createReadStream(path, {highWaterMark: 1 << 20})
  }
}
