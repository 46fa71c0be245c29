/** Blobs of an OCI layout stored inside a tar (oci-archive, and Docker >= 25 `docker save`). */
import type {Readable} from 'node:stream'
import type {BlobStore} from '../blob-store.js'
import {checkDigest} from '../digest.js'
import type {TarArchive} from './tar-index.js'

export class ArchiveBlobStore implements BlobStore {
  constructor(private readonly archive: TarArchive) {}

  blobPath(digest: string): string {
    const [algorithm, hex] = checkDigest(digest, 'blob', this.archive.input).split(':') as [string, string]
    return `blobs/${algorithm}/${hex}`
  }

  async has(digest: string): Promise<boolean> {
    return this.archive.has(this.blobPath(digest))
  }

  async read(digest: string, maxBytes: number): Promise<Buffer> {
    return this.archive.readMember(this.blobPath(digest), maxBytes, `blob ${digest}`)
  }

  async open(digest: string): Promise<Readable> {
    return this.archive.openMember(this.blobPath(digest))
  }
}
