/**
 * One HTTP exchange with node:http/https, following redirects. Blob downloads are usually redirected
 * to a presigned object-store URL on another host: our Authorization must not travel there (the URL
 * carries its own signature), and neither the URL nor any header value may appear in an error.
 */
import http, {type IncomingMessage} from 'node:http'
import https from 'node:https'

export interface HttpRequest {
  url: URL
  method?: string
  headers?: Record<string, string>
  body?: string | Buffer
  /** A body streamed from disk (a blob upload); opened again for each attempt, so a retry sends it whole. */
  openBody?: () => NodeJS.ReadableStream
  /** Accept any TLS certificate (an `insecureRegistries` host). */
  insecureTls?: boolean
  timeoutMs: number
}

/** A transport failure that never carries a URL or header: only what went wrong, by code. */
export class TransportError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message)
    this.name = 'TransportError'
  }
}

const agentOptions = {keepAlive: true, maxSockets: 32, scheduling: 'lifo' as const}
const httpAgent = new http.Agent(agentOptions)
const httpsAgent = new https.Agent(agentOptions)
const insecureHttpsAgent = new https.Agent({...agentOptions, rejectUnauthorized: false})

const MAX_REDIRECTS = 5

/** Send one request; resolves with the response once headers arrive (the body is left unread). */
export function send(request: HttpRequest): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const isHttps = request.url.protocol === 'https:'
    const agent = isHttps ? (request.insecureTls ? insecureHttpsAgent : httpsAgent) : httpAgent
    const req = (isHttps ? https : http).request(request.url, {
      method: request.method ?? 'GET',
      headers: {'User-Agent': 'layer-audit', ...request.headers},
      agent,
    })
    // Socket idle timeout: covers connect, waiting for headers and stalls in the body. A stall in the body
    // fails the response with this error too (destroying only the request would surface as ECONNRESET).
    let response: IncomingMessage | undefined
    req.setTimeout(request.timeoutMs, () => {
      const span = request.timeoutMs >= 1000 ? `${Math.round(request.timeoutMs / 1000)} s` : `${request.timeoutMs} ms`
      const stalled = new TransportError(`no data for ${span}`, 'ETIMEDOUT')
      response?.destroy(stalled)
      req.destroy(stalled)
    })
    req.on('response', (res: IncomingMessage) => {
      response = res
      resolve(res)
    })
    req.on('error', (error: NodeJS.ErrnoException) => reject(sanitize(error)))
    if (request.openBody) {
      const body = request.openBody()
      body.on('error', (error: NodeJS.ErrnoException) => req.destroy(error))
      body.pipe(req)
    } else {
      req.end(request.body)
    }
  })
}

/** Node's network errors can quote the host, never the path or query; keep only code and a short reason. */
export function sanitize(error: NodeJS.ErrnoException): TransportError {
  if (error instanceof TransportError) return error
  const code = error.code ?? 'ECONNRESET'
  const reason =
    code === 'ECONNREFUSED'
      ? 'connection refused'
      : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
        ? 'host not found'
        : code === 'ECONNRESET' || error.message === 'socket hang up'
          ? 'connection reset'
          : code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL') || /certificate|ssl|tls/i.test(error.message)
            ? `TLS failure (${code})`
            : `network error (${code})`
  return new TransportError(reason, code)
}

function origin(url: URL): string {
  return `${url.protocol}//${url.host}`
}

/** The host a response came from when a redirect took the request off the registry (blob storage, a CDN). */
export const redirectedHost = new WeakMap<IncomingMessage, string>()

/**
 * Send and follow redirects. Authorization is kept only while the target stays on the origin it
 * was meant for; an https → http downgrade is refused unless `allowHttp(url)` says the new host may
 * use plain HTTP.
 */
export async function sendFollowingRedirects(
  request: HttpRequest,
  allowHttp: (url: URL) => boolean,
): Promise<IncomingMessage> {
  const firstOrigin = origin(request.url)
  let current = request
  for (let hop = 0; ; hop++) {
    const res = await send(current)
    const status = res.statusCode ?? 0
    const location = res.headers.location
    if (![301, 302, 303, 307, 308].includes(status) || !location) {
      if (origin(current.url) !== firstOrigin) redirectedHost.set(res, current.url.host)
      return res
    }
    discard(res)
    if (hop >= MAX_REDIRECTS) throw new TransportError('too many redirects', 'EREDIRECT')
    let next: URL
    try {
      next = new URL(location, current.url)
    } catch {
      throw new TransportError('malformed redirect', 'EREDIRECT')
    }
    if (next.protocol !== 'https:' && next.protocol !== 'http:') throw new TransportError('redirect to an unsupported scheme', 'EREDIRECT')
    if (next.protocol === 'http:' && !allowHttp(next)) throw new TransportError('redirect to plain HTTP refused', 'EREDIRECT')
    const headers = {...current.headers}
    if (origin(next) !== firstOrigin) delete headers.Authorization
    const method = status === 303 ? 'GET' : (current.method ?? 'GET')
    current = {...current, url: next, headers, method, body: status === 303 ? undefined : current.body}
  }
}

/** Read a small body whole, refusing more than `max` bytes. */
/**
 * Drops a response whose body is not wanted (a ping, a redirect, an answer about to be retried). The
 * connection is closed, not drained: a body without end would otherwise be read for ever in the
 * background and keep the process alive after its work is done.
 */
export function discard(res: IncomingMessage): void {
  res.destroy()
}

export async function readBody(res: IncomingMessage, max: number): Promise<Buffer> {
  const declared = Number(res.headers['content-length'])
  if (Number.isFinite(declared) && declared > max) {
    res.destroy()
    throw new TransportError(`response of ${declared} bytes is over the ${max}-byte cap`, 'ETOOLARGE')
  }
  const chunks: Buffer[] = []
  let length = 0
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      length += chunk.length
      if (length > max) {
        res.destroy()
        throw new TransportError(`response over the ${max}-byte cap`, 'ETOOLARGE')
      }
      chunks.push(chunk)
    }
  } catch (error) {
    throw sanitize(error as NodeJS.ErrnoException)
  }
  return Buffer.concat(chunks, length)
}
