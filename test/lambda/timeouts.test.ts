/** A Lambda endpoint that accepts and never answers gives a clear line in bounded time, not a hang. */
import {createServer, type Server} from 'node:net'
import type {AddressInfo} from 'node:net'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {runCli} from '../helpers/cli.js'

let server: Server
let endpoint = ''
const sockets = new Set<import('node:net').Socket>()

beforeAll(async () => {
  // Accepts every connection, reads the request, never writes a byte.
  server = createServer((socket) => {
    sockets.add(socket)
    socket.on('data', () => {})
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  for (const socket of sockets) socket.destroy()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

describe('the Lambda API never answers', () => {
  it('GetFunction gives up after its timeout (3 attempts): one line, exit 2', async () => {
    const started = Date.now()
    const result = await runCli(['tree', '--function', 'my-fn', '--endpoint-url', endpoint, '--region', 'eu-west-1', '--no-cache'], {
      env: {AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', LAYER_AUDIT_AWS_TIMEOUT_MS: '700'},
    })
    expect(result.code).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1)
    expect(result.stderr).toMatch(/my-fn: the Lambda API did not answer within 1 s \(3 attempts\)/)
    expect(Date.now() - started).toBeLessThan(20_000)
  })
})
