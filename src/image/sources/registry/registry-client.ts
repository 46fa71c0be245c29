/**
 * The distribution API for one repository: ping, authenticate (anonymous or credentialed bearer
 * token from the `WWW-Authenticate` challenge, or basic auth), fetch manifests and blobs, retry
 * 429/5xx/resets with backoff. Errors name the reference and an HTTP status or registry error code,
 * never a token or a (presigned) URL.
 */
import {createHash} from 'node:crypto'
import type {IncomingMessage} from 'node:http'

import {AwsError, DigestMismatchError, RegistryError} from '../../../errors.js'
import {parseChallenge, type Challenge} from './challenge.js'
import {quoteInput} from '../../../io/input-text.js'
import {discard, readBody, redirectedHost, sendFollowingRedirects, TransportError, type HttpRequest} from './http-transport.js'
import {hasCredential, type Credential, type Keychain} from './keychain.js'
import type {RetryPolicy} from './options.js'
import {apiHost, isLoopbackHost} from './reference.js'
import {backoffDelay, isRetriableStatus, isStall, isTransientCode, MAX_STALLS, retryAfterMs, sleep} from './retry.js'

export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ')

const MAX_ERROR_BODY = 64 * 1024
const MAX_TOKEN_BODY = 1024 * 1024

export interface RegistryClientOptions {
  keychain: Keychain
  /** Host is in insecureRegistries: plain HTTP and unverified TLS allowed. */
  insecure: boolean
  retry: RetryPolicy
  timeoutMs: number
  /** The reference as the user typed it: names the input in every error. */
  input: string
  /** Token actions asked for this repository: `pull` (reading, the default) or `pull,push`. */
  actions?: 'pull' | 'pull,push'
  /** Other repositories of the registry to ask `pull` on too (the source of a cross-repository mount). */
  pullFrom?: string[]
}

/** A request body: small ones whole, blobs streamed from disk (reopened on a retry). */
export interface RequestBody {
  body?: Buffer
  openBody?: () => NodeJS.ReadableStream
}

export interface FetchedManifest {
  body: Buffer
  mediaType: string
  digest: string
}

interface Endpoint {
  base: string
  challenge?: Challenge
}

export class RegistryClient {
  private endpoint?: Promise<Endpoint>
  private authorization?: string
  private authorizing?: Promise<void>
  private credential?: Credential
  private readonly host: string

  constructor(
    readonly registry: string,
    readonly repository: string,
    private readonly options: RegistryClientOptions,
  ) {
    this.host = apiHost({registry})
  }

  /** Plain HTTP is for loopback registries and those the user named insecure. */
  private allowHttp = (url: URL): boolean => this.options.insecure || isLoopbackHost(url.host)

  async getManifest(reference: string, maxBytes: number): Promise<FetchedManifest> {
    const what = reference.startsWith('sha256:') ? `manifest ${reference}` : `tag ${reference}`
    const res = await this.exchange('GET', `/v2/${this.repository}/manifests/${reference}`, {Accept: MANIFEST_ACCEPT}, what)
    if (res.statusCode !== 200) throw await this.failure(res, what)
    const body = await this.read(res, maxBytes, what)
    const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`
    const expected = reference.startsWith('sha256:') ? reference : headerValue(res.headers['docker-content-digest'])
    // A registry may name a digest in another algorithm; only sha256 can be compared.
    if (expected?.startsWith('sha256:') && expected !== digest) {
      throw new DigestMismatchError(what, expected, digest, {input: this.options.input})
    }
    const mediaType = (headerValue(res.headers['content-type']) ?? '').split(';')[0].trim()
    return {body, mediaType, digest}
  }

  /** A small blob whole, verified against its digest. */
  async getBlob(digest: string, maxBytes: number, what: string): Promise<Buffer> {
    const res = await this.openBlob(digest, 0, what)
    const body = await this.read(res, maxBytes, what)
    const actual = `sha256:${createHash('sha256').update(body).digest('hex')}`
    if (actual !== digest) throw new DigestMismatchError(what, digest, actual, {input: this.options.input})
    return body
  }

  /**
   * The blob's response, from `offset` when > 0 (status 206 when the server honoured the Range,
   * 200 when it sent the whole blob again). Other statuses become errors.
   */
  async openBlob(digest: string, offset: number, what: string): Promise<IncomingMessage> {
    const headers: Record<string, string> = offset > 0 ? {Range: `bytes=${offset}-`} : {}
    const res = await this.exchange('GET', `/v2/${this.repository}/blobs/${digest}`, headers, what)
    if (res.statusCode === 200 || (offset > 0 && res.statusCode === 206)) return res
    throw await this.failure(res, what)
  }

  private async read(res: IncomingMessage, maxBytes: number, what: string): Promise<Buffer> {
    try {
      return await readBody(res, maxBytes)
    } catch (error) {
      const code = (error as TransportError).code
      throw new RegistryError(code === 'ETOOLARGE' ? 'TOO_LARGE' : 'NETWORK', `${what}: ${(error as Error).message}`, {input: this.options.input})
    }
  }

  /** The registry's API base (`https://HOST` or `http://HOST`), for resolving upload Locations. */
  async baseUrl(): Promise<string> {
    return (await this.ping()).base
  }

  /** Find the scheme and the auth challenge once per client (`GET /v2/`). */
  private ping(): Promise<Endpoint> {
    return (this.endpoint ??= this.probe())
  }

  private async probe(): Promise<Endpoint> {
    const plainAllowed = this.options.insecure || isLoopbackHost(this.host)
    const schemes = plainAllowed ? ['https', 'http'] : ['https']
    let lastError: TransportError | undefined
    for (const scheme of schemes) {
      const base = `${scheme}://${this.host}`
      let stalls = 0
      for (let attempt = 1; ; attempt++) {
        try {
          const res = await sendFollowingRedirects(this.request(new URL(`${base}/v2/`), 'GET', {}), this.allowHttp)
          discard(res)
          const status = res.statusCode ?? 0
          if (isRetriableStatus(status) && attempt < this.options.retry.attempts) {
            await sleep(backoffDelay(this.options.retry, attempt, retryAfterMs(res.headers)))
            continue
          }
          return {base, challenge: status === 401 ? parseChallenge(res.headers['www-authenticate']) : undefined}
        } catch (error) {
          lastError = error as TransportError
          if (isStall(lastError.code)) stalls++
          // A plain-HTTP server answers a TLS hello with garbage: go straight to http.
          if (isTransientCode(lastError.code) && attempt < this.options.retry.attempts && stalls < MAX_STALLS && !(plainAllowed && scheme === 'https')) {
            await sleep(backoffDelay(this.options.retry, attempt))
            continue
          }
          break
        }
      }
    }
    throw new RegistryError('NETWORK', `cannot reach registry ${this.registry}: ${lastError?.message ?? 'unknown error'}`, {
      input: this.options.input,
    })
  }

  private request(url: URL, method: string, headers: Record<string, string>): HttpRequest {
    return {url, method, headers, insecureTls: this.options.insecure, timeoutMs: this.options.timeoutMs}
  }

  /**
   * Send with auth and retries. Resolves with any final response (the caller judges the status);
   * 401 triggers one fresh authentication, 429/5xx and resets a backoff.
   */
  async exchange(method: string, path: string | URL, headers: Record<string, string>, what: string, body: RequestBody = {}): Promise<IncomingMessage> {
    const endpoint = await this.ping()
    const url = typeof path === 'string' ? new URL(`${endpoint.base}${path}`) : path
    // An upload URL (a Location header) may name another host: our Authorization stays on the registry.
    const onRegistry = url.origin === new URL(endpoint.base).origin
    if (this.authorization === undefined && endpoint.challenge) await this.authorize(endpoint.challenge, false)
    const policy = this.options.retry
    let reauthenticated = false
    let stalls = 0
    for (let attempt = 1; ; attempt++) {
      const sent = this.authorization && onRegistry ? {...headers, Authorization: this.authorization} : headers
      let res: IncomingMessage
      try {
        res = await sendFollowingRedirects({...this.request(url, method, sent), ...body}, this.allowHttp)
      } catch (error) {
        const transportError = error as TransportError
        if (isStall(transportError.code)) stalls++
        if (isTransientCode(transportError.code) && attempt < policy.attempts && stalls < MAX_STALLS) {
          await sleep(backoffDelay(policy, attempt))
          continue
        }
        throw new RegistryError('NETWORK', `${what}: ${transportError.message} (after ${attempt} attempt${attempt > 1 ? 's' : ''})`, {
          input: this.options.input,
        })
      }
      const status = res.statusCode ?? 0
      if (status === 401 && !reauthenticated) {
        const challenge = parseChallenge(res.headers['www-authenticate']) ?? endpoint.challenge
        if (challenge) {
          discard(res)
          reauthenticated = true
          await this.authorize(challenge, true)
          attempt--
          continue
        }
      }
      if (isRetriableStatus(status) && attempt < policy.attempts) {
        discard(res)
        await sleep(backoffDelay(policy, attempt, retryAfterMs(res.headers)))
        continue
      }
      return res
    }
  }

  /** One authentication at a time; parallel layer requests wait for it and share the result. */
  private async authorize(challenge: Challenge, fresh: boolean): Promise<void> {
    if (this.authorizing && !fresh) return this.authorizing
    this.authorizing = this.obtainAuthorization(challenge, fresh)
    try {
      await this.authorizing
    } finally {
      this.authorizing = undefined
    }
  }

  private async obtainAuthorization(challenge: Challenge, fresh: boolean): Promise<void> {
    if (this.credential === undefined || fresh) {
      const keychain = this.options.keychain as Keychain & {invalidate?: () => void}
      if (fresh && this.authorization !== undefined) keychain.invalidate?.()
      try {
        this.credential = (await keychain.resolve(this.registry)) ?? {}
      } catch (error) {
        // Keychains name the registry host; the user knows the input by the reference they typed.
        if (error instanceof AwsError) throw new AwsError(error.code, error.message, {input: this.options.input})
        if (error instanceof RegistryError) throw new RegistryError(error.code, error.message, {input: this.options.input})
        throw error
      }
    }
    const credential = this.credential
    if (challenge.scheme === 'basic') {
      this.authorization =
        credential.password !== undefined
          ? `Basic ${Buffer.from(`${credential.username ?? ''}:${credential.password}`).toString('base64')}`
          : undefined
      return
    }
    if (credential.registryToken) {
      this.authorization = `Bearer ${credential.registryToken}`
      return
    }
    this.authorization = `Bearer ${await this.fetchToken(challenge, credential)}`
  }

  /** The token endpoint of the distribution auth spec: GET with basic auth, or the OAuth2 refresh-token POST. */
  private async fetchToken(challenge: Challenge, credential: Credential): Promise<string> {
    const what = `token for ${this.repository}`
    let realm: URL
    try {
      realm = new URL(challenge.realm ?? '')
    } catch {
      throw new RegistryError('NETWORK', `registry ${this.registry} sent an unusable auth challenge`, {input: this.options.input})
    }
    if (realm.protocol !== 'https:' && !(realm.protocol === 'http:' && this.allowHttp(realm))) {
      throw new RegistryError('NETWORK', `registry ${this.registry} asks for credentials over plain HTTP; refused`, {input: this.options.input})
    }
    const scopes = [`repository:${this.repository}:${this.options.actions ?? 'pull'}`, ...(this.options.pullFrom ?? []).map((r) => `repository:${r}:pull`)]
    const scope = scopes.join(' ')
    let request: HttpRequest
    if (credential.identityToken) {
      const form = new URLSearchParams({grant_type: 'refresh_token', refresh_token: credential.identityToken, client_id: 'layer-audit', scope})
      if (challenge.service) form.set('service', challenge.service)
      request = this.request(realm, 'POST', {'Content-Type': 'application/x-www-form-urlencoded'})
      request.body = form.toString()
    } else {
      if (challenge.service) realm.searchParams.set('service', challenge.service)
      for (const each of scopes) realm.searchParams.append('scope', each)
      const headers: Record<string, string> = {}
      if (hasCredential(credential) && credential.password !== undefined) {
        headers.Authorization = `Basic ${Buffer.from(`${credential.username ?? ''}:${credential.password}`).toString('base64')}`
      }
      request = this.request(realm, 'GET', headers)
    }
    for (let attempt = 1; ; attempt++) {
      let res: IncomingMessage
      try {
        // The realm is named by the registry, so credentials go there, but never on to a redirect target.
        res = await sendFollowingRedirects(request, this.allowHttp)
      } catch (error) {
        if (isTransientCode((error as TransportError).code) && attempt < this.options.retry.attempts) {
          await sleep(backoffDelay(this.options.retry, attempt))
          continue
        }
        throw new RegistryError('NETWORK', `${what}: ${(error as Error).message}`, {input: this.options.input})
      }
      const status = res.statusCode ?? 0
      if (isRetriableStatus(status) && attempt < this.options.retry.attempts) {
        discard(res)
        await sleep(backoffDelay(this.options.retry, attempt, retryAfterMs(res.headers)))
        continue
      }
      if (status !== 200) {
        discard(res)
        const rejected = status === 401 || status === 403
        throw new RegistryError(
          'NETWORK',
          rejected
            ? `${this.registry} refused a token for ${this.repository} (${status}); ${hasCredential(credential) ? 'check the credentials' : 'log in (docker login) or check the name'}`
            : `${what}: token endpoint answered ${status}`,
          {input: this.options.input},
        )
      }
      const body = await this.read(res, MAX_TOKEN_BODY, what)
      let token: unknown
      try {
        const parsed = JSON.parse(body.toString('utf8')) as {token?: unknown; access_token?: unknown}
        token = parsed.token ?? parsed.access_token
      } catch {
        token = undefined
      }
      if (typeof token !== 'string' || token === '') {
        throw new RegistryError('NETWORK', `${what}: the token endpoint gave no token`, {input: this.options.input})
      }
      return token
    }
  }

  /**
   * True when the registry says the repository itself does not exist: its tag list answers 404 with the
   * spec's NAME_UNKNOWN (a registry without the tag list, or one that hides it, says nothing). Never throws.
   */
  private async repositoryMissing(): Promise<boolean> {
    try {
      const res = await this.exchange('GET', `/v2/${this.repository}/tags/list`, {}, `tags of ${this.repository}`)
      if (res.statusCode !== 404) {
        discard(res)
        return false
      }
      const body = await readBody(res, MAX_ERROR_BODY)
      const parsed = JSON.parse(body.toString('utf8')) as {errors?: {code?: unknown}[]}
      return Array.isArray(parsed.errors) && parsed.errors.some((e) => e?.code === 'NAME_UNKNOWN')
    } catch {
      return false
    }
  }

  /** Turn a final non-success response into a one-line error by status and registry error code. */
  async failure(res: IncomingMessage, what: string): Promise<RegistryError> {
    const status = res.statusCode ?? 0
    let codes: string[] = []
    let expired = false
    try {
      const body = await readBody(res, MAX_ERROR_BODY)
      const parsed = JSON.parse(body.toString('utf8')) as {errors?: {code?: string; message?: string}[]}
      codes = (parsed.errors ?? []).map((e) => String(e.code ?? '')).filter((c) => /^[A-Z_]+$/.test(c))
      expired = (parsed.errors ?? []).some((e) => /expired/i.test(String(e.message ?? '')))
    } catch {
      res.destroy()
    }
    const input = {input: this.options.input}
    const code = codes[0]
    const tag = code ? ` ${code}` : ''
    if (status === 404 || code === 'NAME_UNKNOWN' || code === 'MANIFEST_UNKNOWN' || code === 'BLOB_UNKNOWN') {
      const repositoryMissing = () => new RegistryError('NOT_FOUND', `repository ${this.repository} not found on ${this.registry}`, input)
      if (code === 'NAME_UNKNOWN') return repositoryMissing()
      if (what.startsWith('tag ') || what.startsWith('manifest ')) {
        // Registries answer a missing repository's tag as a missing manifest (Distribution: MANIFEST_UNKNOWN):
        // the tag list says which one it is.
        if (await this.repositoryMissing()) return repositoryMissing()
        return new RegistryError('NOT_FOUND', `image not found: no ${what} in ${this.registry}/${this.repository}`, input)
      }
      return new RegistryError('NOT_FOUND', `${what} not found in ${this.registry}/${this.repository}`, input)
    }
    const storage = redirectedHost.get(res)
    if ((status === 401 || status === 403) && storage !== undefined) {
      // The registry let us in and sent us elsewhere (S3, a CDN): that storage refused its signed URL.
      return new RegistryError(
        'NETWORK',
        `${what}: the storage the registry redirected to (${quoteInput(storage)}) refused the download (${status}); its signed URL may have expired: run again`,
        input,
      )
    }
    if (status === 401 || status === 403) {
      if (expired) return new RegistryError('NETWORK', `the registry authorization token has expired (${status}${tag}); retry to fetch a new one`, input)
      const hasCreds = hasCredential(this.credential)
      const hint = hasCreds ? 'credentials were rejected' : 'authentication required: no credentials found (docker login, or AWS credentials for ECR)'
      return new RegistryError(
        'NETWORK',
        status === 403 ? `access denied to ${this.registry}/${this.repository} (${status}${tag})` : `${what}: ${hint} (${status}${tag})`,
        input,
      )
    }
    if (status === 429) return new RegistryError('NETWORK', `${what}: rate limited by ${this.registry} (429) after ${this.options.retry.attempts} attempts`, input)
    return new RegistryError('NETWORK', `${what}: ${this.registry} answered ${status}${tag}`, input)
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}
