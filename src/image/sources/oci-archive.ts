/** A tar (optionally gzip/zstd-compressed) of an OCI image layout: skopeo/buildx `oci-archive`. */
import {ImageSourceError} from '../../errors.js'
import {sniffFileCompression} from '../file-sniff.js'
import {jsonCap, parseJsonDocument} from '../json-document.js'
import {imageFromLayoutIndex} from '../layout-image.js'
import type {Image, ImageSource, OpenOptions} from '../model.js'
import {splitLocationRef} from '../reference.js'
import {ArchiveBlobStore} from './archive-blob-store.js'
import {TarArchive} from './tar-index.js'

export class OciArchiveSource implements ImageSource {
  readonly kind = 'oci-archive' as const

  /** `location` is `PATH` or `PATH:REF`. */
  async open(location: string, options: OpenOptions): Promise<Image> {
    const {path, ref} = await splitLocationRef(location)
    const archive = await TarArchive.open(path, await sniffFileCompression(path, location), location)
    return openOciArchive(archive, {input: location, ref, options})
  }
}

/** Owns `archive` from here: the image closes it, or this does when opening fails. */
export async function openOciArchive(archive: TarArchive, at: {input: string; ref?: string; options: OpenOptions}): Promise<Image> {
  try {
    const {input, options} = at
    if (!archive.has('index.json')) {
      throw new ImageSourceError('UNKNOWN_FORMAT', 'not an OCI archive: no index.json', {input})
    }
    const cap = jsonCap(options)
    const store = new ArchiveBlobStore(archive)
    const index = parseJsonDocument(await archive.readMember('index.json', cap, 'index.json'), cap, 'index.json', input)
    const image = await imageFromLayoutIndex(store, index, at, 'oci-archive', cap)
    return {...image, close: async () => archive.close()}
  } catch (error) {
    archive.close()
    throw error
  }
}
