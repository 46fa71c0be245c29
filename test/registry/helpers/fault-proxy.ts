/**
 * A loopback HTTP proxy in front of the test registry that misbehaves on cue: answers a status
 * instead of forwarding, cuts the connection after N body bytes, stalls, or drops the Range header.
 */
import http, {type IncomingMessage, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'

export type Fault =
  | {kind: 'pass'}
  | {kind: 'status'; status: number; retryAfter?: string; body?: unknown}
  | {kind: 'cut'; afterBytes: number}
  | {kind: 'stall'; afterBytes: number}
  | {kind: 'ignore-range'}

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
  stop(): Promise<void>
}

export async function startFaultProxy(
  targetPort: number,
  decide: (req: SeenRequest, seen: SeenRequest[]) => Fault,
  options: {upstreamAuthorization?: string} = {},
): Promise<FaultProxy> {
  const requests: SeenRequest[] = []
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
      res.end(JSON.stringify(fault.body ?? {errors: [{code: fault.status === 429 ? 'TOOMANYREQUESTS' : 'UNAVAILABLE', message: 'test fault'}]}))
      return
    }
    const headers = {...req.headers}
    // Stands in for a presigned URL: the proxy itself is authorised upstream.
    if (options.upstreamAuthorization) headers.authorization = options.upstreamAuthorization
    if (fault.kind === 'ignore-range') delete headers.range
    const upstream = http.request({host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers}, (up) => {
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
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}
