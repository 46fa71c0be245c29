/**
 * A loopback HTTP proxy in front of the test registry that misbehaves on cue: answers a status
 * instead of forwarding, cuts the connection after N body bytes, stalls, drops the Range header,
 * completes a response after N body bytes (a blob shorter than its descriptor), or appends bytes to
 * the body (a longer blob), without end if asked.
 */
import http, {type IncomingMessage, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'

export type Fault =
  | {kind: 'pass'}
  | {kind: 'status'; status: number; retryAfter?: string; body?: unknown; /** Sent as it is, instead of `body` as JSON. */ rawBody?: string}
  | {kind: 'cut'; afterBytes: number}
  | {kind: 'stall'; afterBytes: number}
  | {kind: 'ignore-range'}
  /** A complete response (Content-Length: N) of the body's first N bytes. */
  | {kind: 'short'; bytes: number}
  /** The whole body, then `bytes` more (chunked, no Content-Length); 'endless' until the client hangs up. */
  | {kind: 'append'; bytes: number | 'endless'}
  /** The upstream status and headers, with the body replaced by what `body` makes of it (Content-Length fixed). */
  | {kind: 'mutate'; body: (original: Buffer) => Buffer}

export interface SeenRequest {
  method: string
  path: string
  range?: string
  authorization?: string
  at: number
}

export interface FaultProxy {
  host: string
  requests: SeenRequest[]
  /** Bytes an 'append' fault has written past the real body so far. */
  appended(): number
  stop(): Promise<void>
}

export async function startFaultProxy(
  targetPort: number,
  decide: (req: SeenRequest, seen: SeenRequest[]) => Fault,
  options: {upstreamAuthorization?: string} = {},
): Promise<FaultProxy> {
  const requests: SeenRequest[] = []
  let appended = 0
  const sockets = new Set<import('node:net').Socket>()
  const server = http.createServer((req: IncomingMessage, res: ServerResponse) => {
    const seen: SeenRequest = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      range: req.headers.range,
      authorization: req.headers.authorization,
      at: Date.now(),
    }
    requests.push(seen)
    const fault = decide(seen, requests)
    if (fault.kind === 'status') {
      res.writeHead(fault.status, {'Content-Type': 'application/json', ...(fault.retryAfter ? {'Retry-After': fault.retryAfter} : {})})
      res.end(fault.rawBody ?? JSON.stringify(fault.body ?? {errors: [{code: fault.status === 429 ? 'TOOMANYREQUESTS' : 'UNAVAILABLE', message: 'test fault'}]}))
      return
    }
    const headers = {...req.headers}
    // Stands in for a presigned URL: the proxy itself is authorised upstream.
    if (options.upstreamAuthorization) headers.authorization = options.upstreamAuthorization
    if (fault.kind === 'ignore-range') delete headers.range
    const upstream = http.request({host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers}, (up) => {
      if (fault.kind === 'short' || fault.kind === 'mutate') {
        const body: Buffer[] = []
        up.on('data', (chunk: Buffer) => body.push(chunk))
        up.on('end', () => {
          const whole = Buffer.concat(body)
          const part = fault.kind === 'short' ? whole.subarray(0, fault.bytes) : fault.body(whole)
          res.writeHead(up.statusCode ?? 502, {...up.headers, 'content-length': String(part.length)})
          res.end(part)
        })
        return
      }
      if (fault.kind === 'append') {
        const {'content-length': _length, ...rest} = up.headers
        res.writeHead(up.statusCode ?? 502, rest)
        up.pipe(res, {end: false})
        up.on('end', () => void appendTo(res, fault.bytes, (n) => (appended += n)))
        return
      }
      res.writeHead(up.statusCode ?? 502, up.headers)
      if (fault.kind !== 'cut' && fault.kind !== 'stall') {
        up.pipe(res)
        return
      }
      let sent = 0
      up.on('data', (chunk: Buffer) => {
        if (sent >= fault.afterBytes) return
        const part = chunk.subarray(0, fault.afterBytes - sent)
        sent += part.length
        res.write(part)
        if (sent >= fault.afterBytes) {
          up.destroy()
          // Cut: the client sees a reset mid-body. Stall: it sees silence until its timeout.
          if (fault.kind === 'cut') setTimeout(() => req.socket.destroy(), 20)
        }
      })
    })
    upstream.on('error', () => res.destroy())
    req.pipe(upstream)
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  return {
    host: `127.0.0.1:${port}`,
    requests,
    appended: () => appended,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}

/** Writes `bytes` (or without end) pseudo-random bytes, honouring backpressure, until done or the client leaves. */
async function appendTo(res: ServerResponse, bytes: number | 'endless', count: (n: number) => void): Promise<void> {
  const block = Buffer.alloc(64 * 1024)
  for (let i = 0; i < block.length; i++) block[i] = (i * 7919) & 0xff
  let left = bytes === 'endless' ? Number.POSITIVE_INFINITY : bytes
  while (left > 0 && !res.destroyed) {
    const part = block.subarray(0, Math.min(block.length, left))
    left -= part.length
    count(part.length)
    if (!res.write(part)) {
      await new Promise<void>((resolve) => {
        const go = () => {
          res.off('drain', go)
          res.off('close', go)
          resolve()
        }
        res.on('drain', go)
        res.on('close', go)
      })
    }
  }
  if (!res.destroyed) res.end()
}
