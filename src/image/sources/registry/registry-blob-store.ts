/**
 * The registry as a content-addressed BlobStore (the narrow core the shared resolver reads). The
 * distribution API keeps manifests and blobs behind different endpoints, so documents known to be
 * manifests (the top one, and every entry of an index read through here) go to /manifests/, the rest
 * to /blobs/. Small documents are served from the verified cache when possible.
 */
import {Transform, type Readable} from 'node:stream'

import {RegistryError} from '../../../errors.js'
import type {BlobStore} from '../../blob-store.js'
import {isIndexType} from '../../media-types.js'
import {BlobCache} from './blob-cache.js'
import {openBlobStream} from './blob-stream.js'
import type {RegistryOptions} from './options.js'
import type {FetchedManifest, RegistryClient} from './registry-client.js'

export interface LayerStreamRequest {
  digest: string
  size?: number
  /** "layer 3 (sha256:…)", for errors. */
  what: string
  onBytes?: (received: number) => void
}

export class RegistryBlobStore implements BlobStore {
  private readonly manifests = new Set<string>()
  private readonly fetched = new Map<string, Buffer>()

  constructor(
    private readonly client: RegistryClient,
    private readonly cache: BlobCache | undefined,
    private readonly options: RegistryOptions,
    private readonly input: string,
  ) {}

  /** Fetch the manifest or index a tag/digest points at; remembered so `read(digest)` finds it. */
  async resolveTop(reference: string, maxBytes: number): Promise<FetchedManifest> {
    const cached = reference.startsWith('sha256:') ? await this.cache?.read(reference) : undefined
    const top = cached
      ? {body: cached, digest: reference, mediaType: mediaTypeOf(cached)}
      : await this.client.getManifest(reference, maxBytes)
    if (!cached) await this.cache?.write(top.digest, top.body)
    this.remember(top.digest, top.body)
    return top
  }

  /** Everything a registry lists is there as far as we can tell without a request; a 404 says otherwise later. */
  async has(): Promise<boolean> {
    return true
  }

  async read(digest: string, maxBytes: number): Promise<Buffer> {
    const known = this.fetched.get(digest) ?? (await this.cache?.read(digest))
    if (known) {
      this.remember(digest, known)
      return known
    }
    let body: Buffer
    if (this.manifests.has(digest)) {
      body = (await this.client.getManifest(digest, maxBytes)).body
    } else {
      try {
        body = await this.client.getBlob(digest, maxBytes, `blob ${digest}`)
      } catch (error) {
        // A manifest we did not see listed (say, named by an annotation) is not under /blobs/.
        if (!(error instanceof RegistryError && error.code === 'NOT_FOUND')) throw error
        body = (await this.client.getManifest(digest, maxBytes)).body
      }
    }
    await this.cache?.write(digest, body)
    this.remember(digest, body)
    return body
  }

  async open(digest: string): Promise<Readable> {
    return this.openLayer({digest, what: `blob ${digest}`})
  }

  /** A layer blob from the cache (with cacheLayers) or the network, resumable, optionally teed into the cache. */
  async openLayer(request: LayerStreamRequest): Promise<Readable> {
    if (this.cache && this.options.cacheLayers) {
      const cached = await this.cache.open(request.digest, request.size)
      if (cached) {
        if (!request.onBytes) return cached
        // Count without a 'data' listener, which would start the flow before the reader is ready.
        const onBytes = request.onBytes
        let received = 0
        const counter = new Transform({
          highWaterMark: 1024 * 1024,
          transform(chunk: Buffer, _encoding, callback) {
            onBytes((received += chunk.length))
            callback(null, chunk)
          },
        })
        cached.on('error', (error) => counter.destroy(error))
        counter.on('close', () => cached.destroy())
        return cached.pipe(counter)
      }
    }
    const network = openBlobStream(this.client, {
      digest: request.digest,
      size: request.size,
      what: request.what,
      input: this.input,
      retry: this.options.retry,
      onBytes: request.onBytes,
    })
    if (!(this.cache && this.options.cacheLayers)) return network
    const tee = await this.cache.tee(request.digest)
    if (!tee) return network
    network.on('error', (error) => tee.destroy(error))
    tee.on('close', () => network.destroy())
    return network.pipe(tee)
  }

  /** Manifests seen here route their index entries to /manifests/; keep small documents for re-reads. */
  private remember(digest: string, body: Buffer): void {
    this.fetched.set(digest, body)
    let parsed: unknown
    try {
      parsed = JSON.parse(body.toString('utf8'))
    } catch {
      return
    }
    const doc = parsed as {mediaType?: string; manifests?: {digest?: unknown}[]}
    if (Array.isArray(doc.manifests) && (doc.mediaType === undefined || isIndexType(doc.mediaType))) {
      for (const entry of doc.manifests) if (typeof entry.digest === 'string') this.manifests.add(entry.digest)
    }
  }
}

/** A cached top document has no Content-Type; its own mediaType field (or its shape) says what it is. */
function mediaTypeOf(body: Buffer): string {
  try {
    const doc = JSON.parse(body.toString('utf8')) as {mediaType?: string; manifests?: unknown}
    if (doc.mediaType) return doc.mediaType
    return Array.isArray(doc.manifests) ? 'application/vnd.oci.image.index.v1+json' : 'application/vnd.oci.image.manifest.v1+json'
  } catch {
    return ''
  }
}
