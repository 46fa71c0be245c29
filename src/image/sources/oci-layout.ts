/**
 * OCI image layout as a directory: `oci-layout`, `index.json`, `blobs/<alg>/<hex>`. Every file is opened
 * through LayoutFiles: only when it resolves inside the layout (no symlink out of it), only when it is a
 * regular file.
 */
import type {Readable} from 'node:stream'
import {ImageSourceError} from '../../errors.js'
import type {BlobStore} from '../blob-store.js'
import {checkDigest} from '../digest.js'
import {checkJsonSize, jsonCap, parseJsonDocument} from '../json-document.js'
import {imageFromLayoutIndex} from '../layout-image.js'
import type {Image, ImageSource, OpenOptions} from '../model.js'
import {splitLocationRef} from '../reference.js'
import {LayoutFiles, readHandle} from './layout-files.js'

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
  const files = await LayoutFiles.open(dir, input)
  const store = new DirectoryBlobStore(files, input)
  const file = await files.openFile('index.json', 'index.json')
  if (file.kind === 'missing') throw new ImageSourceError('NOT_FOUND', 'not an OCI layout: no index.json', {input})
  if (file.kind === 'other') throw new ImageSourceError('CORRUPT', 'index.json is not a regular file', {input})
  let bytes: Buffer
  try {
    checkJsonSize(file.size, cap, 'index.json', input)
    bytes = await readHandle(file.handle, cap)
  } finally {
    await file.handle.close()
  }
  const index = parseJsonDocument(bytes, cap, 'index.json', input)
  return imageFromLayoutIndex(store, index, at, 'oci-layout', cap)
}

class DirectoryBlobStore implements BlobStore {
  constructor(
    private readonly files: LayoutFiles,
    private readonly input: string,
  ) {}

  private path(digest: string): string {
    const [algorithm, hex] = checkDigest(digest, 'blob', this.input).split(':') as [string, string]
    return `blobs/${algorithm}/${hex}`
  }

  async has(digest: string): Promise<boolean> {
    const file = await this.files.openFile(this.path(digest), `blob ${digest}`)
    if (file.kind !== 'file') return false
    await file.handle.close()
    return true
  }

  async read(digest: string, maxBytes: number): Promise<Buffer> {
    const file = await this.files.openFile(this.path(digest), `blob ${digest}`)
    if (file.kind !== 'file') throw new ImageSourceError('NOT_FOUND', `blob ${digest} is missing`, {input: this.input})
    try {
      checkJsonSize(file.size, maxBytes, `blob ${digest}`, this.input)
      const bytes = await readHandle(file.handle, maxBytes)
      checkJsonSize(bytes.length, maxBytes, `blob ${digest}`, this.input)
      return bytes
    } finally {
      await file.handle.close()
    }
  }

  async open(digest: string): Promise<Readable> {
    const file = await this.files.openFile(this.path(digest), `blob ${digest}`)
    if (file.kind !== 'file') throw new ImageSourceError('NOT_FOUND', `blob ${digest} is missing`, {input: this.input})
    return file.handle.createReadStream({highWaterMark: 1 << 20})
  }
}
