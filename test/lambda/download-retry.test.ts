/** Zip downloads (Code.Location, layer ARNs) are tried again after a cut connection or a 5xx; a 403 is final. */
import {createHash} from 'node:crypto'
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {downloadZip} from '../../src/lambda/download.js'
import {PresignedUrl} from '../../src/lambda/function-config.js'
import {FIXTURES} from '../helpers/cli.js'

const zip = readFileSync(join(FIXTURES, 'zips', 'layer-log-shipper.zip'))
const expected = {codeSha256: createHash('sha256').update(zip).digest('base64'), codeSize: zip.length}
/** What the next requests get, in order: 'cut' (half the body, then the socket closes), a status, or 'ok'. */
let script: Array<'cut' | number | 'ok'> = []
let requests = 0
let server: Server
let base = ''

beforeAll(async () => {
  server = createServer((req, res) => {
    requests++
    const step = script.shift() ?? 'ok'
    if (step === 'ok') return res.writeHead(200, {'content-length': zip.length}).end(zip)
    if (step === 'cut') {
      res.writeHead(200, {'content-length': zip.length})
      res.write(zip.subarray(0, zip.length >> 1), () => res.socket?.destroy())
      return
    }
    res.writeHead(step).end('no')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/bucket/layer.zip?X-Amz-Signature=secret`
})

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

const fetch = () => downloadZip(new PresignedUrl(base), expected, 'arn:aws:lambda:eu-west-1:123456789012:layer:x:1', {noCache: true})

describe('zip downloads retry what a network does', () => {
  it('a cut connection and a 503 are tried again; the third attempt gets the zip', async () => {
    script = ['cut', 503]
    requests = 0
    const got = await fetch()
    expect(requests).toBe(3)
    expect(readFileSync(got.path).equals(zip)).toBe(true)
    await got.cleanup()
  })

  it('three failures give one line naming the attempts, never the URL', async () => {
    script = [502, 'cut', 500]
    requests = 0
    const error = await fetch().then(() => undefined, (e: Error) => e)
    expect(requests).toBe(3)
    expect(error?.message).toMatch(/download of the zip failed with HTTP 500 \(3 attempts\)/)
    expect(error?.message).not.toContain('secret')
  })

  it('an expired URL (403) is final: no retry', async () => {
    script = [403]
    requests = 0
    await expect(fetch()).rejects.toThrow(/expired download URL/)
    expect(requests).toBe(1)
  })
})
