/**
 * Pushing an image to a distribution registry (OCI distribution spec, "Pushing blobs" and "Pushing
 * manifests") over the read side's RegistryClient: same keychain, token challenges, retries and timeouts.
 * Each blob: HEAD (present → skipped), else a cross-repository mount when told where it is, else an
 * upload session: one PUT for small blobs, PATCH chunks and a closing PUT for big ones. Blobs stream
 * from disk. Upload URLs (Location headers) can carry signed state: they never reach a message.
 */
import {createHash} from 'node:crypto'
import {createReadStream} from 'node:fs'
import type {IncomingMessage} from 'node:http'

import {RegistryError} from '../../../errors.js'
import {OCI_MANIFEST} from '../../media-types.js'
import {discard, readBody} from './http-transport.js'
import type {RegistryClient} from './registry-client.js'

/** Blobs up to this size go up in one PUT; bigger ones in PATCH chunks of this size. */
export const DEFAULT_CHUNK_SIZE = 16 * 1024 * 1024

export interface BlobOnDisk {
  digest: string
  size: number
  path: string
}

export type BlobOutcome = 'present' | 'mounted' | 'uploaded' | 'uploaded in chunks'

export interface PushOptions {
  chunkSize: number
  /** A repository of the same registry that holds the blobs already: they are mounted from it. */
  mountFrom?: string
  /** The reference as the user typed it: names the input in every error. */
  input: string
}

export class RegistryPusher {
  constructor(
    private readonly client: RegistryClient,
    private readonly options: PushOptions,
  ) {}

  private get target(): string {
    return `${this.client.registry}/${this.client.repository}`
  }

  /** Pushes one blob unless the registry has it; `sent` hears the bytes of it the registry holds so far. */
  async pushBlob(blob: BlobOnDisk, sent: (bytes: number) => void = () => {}): Promise<BlobOutcome> {
    const what = `blob ${blob.digest}`
    const repo = this.client.repository
    const head = await this.client.exchange('HEAD', `/v2/${repo}/blobs/${blob.digest}`, {}, what)
    if (head.statusCode === 200) {
      discard(head)
      sent(blob.size)
      return 'present'
    }
    if (head.statusCode !== 404) throw await this.refusal(head, what)
    discard(head)

    const start = this.options.mountFrom
      ? `/v2/${repo}/blobs/uploads/?mount=${encodeURIComponent(blob.digest)}&from=${encodeURIComponent(this.options.mountFrom)}`
      : `/v2/${repo}/blobs/uploads/`
    const started = await this.client.exchange('POST', start, {'Content-Length': '0'}, `upload of ${what}`)
    // 201: mounted from the other repository. 202: a session (the registry could not mount it).
    if (started.statusCode === 201 && this.options.mountFrom) {
      discard(started)
      sent(blob.size)
      return 'mounted'
    }
    let session = await this.sessionUrl(started, 202, `upload of ${what}`)

    if (blob.size <= this.options.chunkSize) {
      await this.close(session, blob, {
        'Content-Type': 'application/octet-stream',
        'Content-Length': String(blob.size),
      }, () => createReadStream(blob.path))
      sent(blob.size)
      return 'uploaded'
    }
    for (let offset = 0; offset < blob.size; offset += this.options.chunkSize) {
      const end = Math.min(blob.size, offset + this.options.chunkSize) - 1
      const res = await this.client.exchange(
        'PATCH',
        session,
        {'Content-Type': 'application/octet-stream', 'Content-Length': String(end - offset + 1), 'Content-Range': `${offset}-${end}`},
        `upload of ${what}`,
        {openBody: () => createReadStream(blob.path, {start: offset, end})},
      )
      session = await this.sessionUrl(res, 202, `chunk ${offset}-${end} of ${what}`)
      sent(end + 1)
    }
    await this.close(session, blob, {'Content-Length': '0'})
    return 'uploaded in chunks'
  }

  /** PUT the manifest by tag; returns its digest (checked against what the registry says it stored). */
  async pushManifest(manifest: Buffer, tag: string): Promise<string> {
    const digest = `sha256:${createHash('sha256').update(manifest).digest('hex')}`
    const what = `manifest ${digest}`
    const res = await this.client.exchange(
      'PUT',
      `/v2/${this.client.repository}/manifests/${tag}`,
      {'Content-Type': OCI_MANIFEST, 'Content-Length': String(manifest.length)},
      what,
      {body: manifest},
    )
    if (res.statusCode === 201 || res.statusCode === 200) {
      const stored = res.headers['docker-content-digest']
      discard(res)
      if (typeof stored === 'string' && stored.startsWith('sha256:') && stored !== digest) {
        throw new RegistryError('NETWORK', `${what}: ${this.client.registry} stored it as ${stored}`, {input: this.options.input})
      }
      return digest
    }
    if (res.statusCode === 415 || res.statusCode === 400) {
      const codes = await errorCodes(res)
      throw new RegistryError(
        'UNSUPPORTED',
        `${this.target} rejected the manifest (${res.statusCode}${codes ? ` ${codes}` : ''}): the registry may not accept ${OCI_MANIFEST}`,
        {input: this.options.input},
      )
    }
    throw await this.refusal(res, what)
  }

  /** The final PUT of a session, `?digest=` added to its URL. */
  private async close(session: URL, blob: BlobOnDisk, headers: Record<string, string>, openBody?: () => NodeJS.ReadableStream): Promise<void> {
    const url = new URL(session)
    url.searchParams.set('digest', blob.digest)
    const res = await this.client.exchange('PUT', url, headers, `upload of blob ${blob.digest}`, openBody ? {openBody} : {})
    if (res.statusCode !== 201) throw await this.refusal(res, `upload of blob ${blob.digest}`)
    discard(res)
  }

  /** The session's next URL from a response's Location, resolved against the registry. */
  private async sessionUrl(res: IncomingMessage, expected: number, what: string): Promise<URL> {
    if (res.statusCode !== expected) throw await this.refusal(res, what)
    const location = res.headers.location
    discard(res)
    if (!location) throw new RegistryError('NETWORK', `${what}: ${this.client.registry} gave no upload location`, {input: this.options.input})
    try {
      return new URL(location, await this.client.baseUrl())
    } catch {
      throw new RegistryError('NETWORK', `${what}: ${this.client.registry} gave an unusable upload location`, {input: this.options.input})
    }
  }

  /** 401/403 name the registry and repository pushed to; other statuses as the read side words them. */
  private async refusal(res: IncomingMessage, what: string): Promise<RegistryError> {
    const status = res.statusCode ?? 0
    return this.client.failure(res, status === 401 || status === 403 ? `push to ${this.target}` : what)
  }
}

async function errorCodes(res: IncomingMessage): Promise<string> {
  try {
    const parsed = JSON.parse((await readBody(res, 64 * 1024)).toString('utf8')) as {errors?: {code?: unknown}[]}
    return (parsed.errors ?? []).map((e) => String(e.code ?? '')).filter((c) => /^[A-Z_]+$/.test(c)).join(', ')
  } catch {
    res.destroy()
    return ''
  }
}
