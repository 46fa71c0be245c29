/** A tar (optionally gzip/zstd-compressed) of an OCI image layout: skopeo/buildx `oci-archive`. */
import {ImageSourceError} from '../../errors.js'
import {readVerifiedBlob} from '../blob-store.js'
import {sniffFileCompression} from '../file-sniff.js'
import {jsonCap, parseJsonDocument} from '../json-document.js'
import {resolveFromIndex} from '../manifest-resolver.js'
import type {Image, ImageSource, OpenOptions} from '../model.js'
import {parsePlatform} from '../platform.js'
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

export async function openOciArchive(archive: TarArchive, at: {input: string; ref?: string; options: OpenOptions}): Promise<Image> {
  const {input, options} = at
  if (!archive.has('index.json')) {
    throw new ImageSourceError('UNKNOWN_FORMAT', 'not an OCI archive: no index.json', {input})
  }
  const cap = jsonCap(options)
  const store = new ArchiveBlobStore(archive)
  const index = parseJsonDocument(await archive.readMember('index.json', cap, 'index.json'), cap, 'index.json', input)
  const resolved = await resolveFromIndex(
    {store, input, cap, ...(options.platform ? {platform: parsePlatform(options.platform)} : {}), ...(at.ref !== undefined ? {ref: at.ref} : {})},
    index,
    {what: 'index.json'},
  )
  return {
    ...resolved,
    reference: input,
    source: 'oci-archive',
    openLayer: (layer) => store.open(layer.digest ?? layer.diffId),
    readBlob: (descriptor) => readVerifiedBlob(store, descriptor, cap, `blob ${descriptor.digest}`, input),
    close: async () => {},
  }
}
