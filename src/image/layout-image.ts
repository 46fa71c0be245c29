/** An Image from an OCI layout's index.json, whatever holds its blobs: a directory or a tar of one. */
import {type BlobStore, readVerifiedBlob} from './blob-store.js'
import {resolveFromIndex} from './manifest-resolver.js'
import type {Image, OpenOptions, SourceKind} from './model.js'
import {parsePlatform} from './platform.js'

export interface LayoutAt {
  input: string
  ref?: string
  options: OpenOptions
}

export async function imageFromLayoutIndex(store: BlobStore, index: unknown, at: LayoutAt, source: SourceKind, cap: number): Promise<Image> {
  const {input, options} = at
  const resolved = await resolveFromIndex(
    {store, input, cap, ...(options.platform ? {platform: parsePlatform(options.platform)} : {}), ...(at.ref !== undefined ? {ref: at.ref} : {})},
    index,
    {what: 'index.json'},
  )
  return {
    ...resolved,
    reference: input,
    source,
    openLayer: (layer) => store.open(layer.digest ?? layer.diffId),
    readBlob: (descriptor) => readVerifiedBlob(store, descriptor, cap, `blob ${descriptor.digest}`, input),
    close: async () => {},
  }
}
