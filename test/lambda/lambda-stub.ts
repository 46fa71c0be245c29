/**
 * A loopback HTTP stub shaped like the Lambda REST API (paths from @aws-sdk/client-lambda's serializers:
 * GET /2018-10-31/layers?find=LayerVersion&Arn=… and GET /2015-03-31/functions/{FunctionName}), plus
 * "presigned URLs" with a secret-looking query string serving zips from disk.
 */
import {createHash} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {createServer, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'

export const SECRET_QUERY = 'X-Amz-Security-Token=SECRETTOKENabc123&X-Amz-Signature=f00dfacef00dface'

export interface StubLayer {
  zip: string
  compatibleArchitectures?: string[]
  compatibleRuntimes?: string[]
  /** Report this sha256 (base64) instead of the real one. */
  lieSha256?: string
}

export interface StubFunction {
  configuration: Record<string, unknown>
  codeZip?: string
  imageUri?: string
}

export class LambdaStub {
  readonly layers = new Map<string, StubLayer>()
  readonly functions = new Map<string, StubFunction>()
  /** API requests answered 429 before the next one succeeds. */
  throttle = 0
  /** Presigned downloads answer 403 (expired). */
  expired = false
  apiRequests: string[] = []
  downloads: string[] = []
  private server?: Server
  private port = 0

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`
  }

  presignedUrl(zip: string): string {
    return `${this.endpoint}/bucket/${encodeURIComponent(zip)}?${SECRET_QUERY}`
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => this.handle(req.method ?? 'GET', req.url ?? '/', res))
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve))
    this.port = (this.server!.address() as AddressInfo).port
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()))
  }

  private handle(method: string, rawUrl: string, res: ServerResponse): void {
    const url = new URL(rawUrl, 'http://stub')
    if (url.pathname.startsWith('/bucket/')) return this.download(decodeURIComponent(url.pathname.slice('/bucket/'.length)), res)
    this.apiRequests.push(`${method} ${url.pathname}`)
    if (this.throttle > 0) {
      this.throttle--
      return error(res, 429, 'TooManyRequestsException', 'Rate exceeded')
    }
    if (method === 'GET' && url.pathname === '/2018-10-31/layers' && url.searchParams.get('find') === 'LayerVersion') {
      const arn = url.searchParams.get('Arn') ?? ''
      const layer = this.layers.get(arn)
      if (!layer) return error(res, 404, 'ResourceNotFoundException', 'The resource you requested does not exist.')
      const bytes = readFileSync(layer.zip)
      return json(res, {
        LayerArn: arn.replace(/:\d+$/, ''),
        LayerVersionArn: arn,
        Version: Number(arn.split(':').pop()),
        Content: {Location: this.presignedUrl(layer.zip), CodeSha256: layer.lieSha256 ?? sha256b64(bytes), CodeSize: bytes.length},
        ...(layer.compatibleArchitectures ? {CompatibleArchitectures: layer.compatibleArchitectures} : {}),
        ...(layer.compatibleRuntimes ? {CompatibleRuntimes: layer.compatibleRuntimes} : {}),
      })
    }
    const fn = /^\/2015-03-31\/functions\/([^/]+)$/.exec(url.pathname)
    if (method === 'GET' && fn) {
      const name = decodeURIComponent(fn[1])
      if (name === 'denied') return error(res, 403, 'AccessDeniedException', 'User is not authorized to perform: lambda:GetFunction')
      if (name === 'expired-creds') return error(res, 403, 'ExpiredTokenException', 'The security token included in the request is expired')
      const f = this.functions.get(name)
      if (!f) return error(res, 404, 'ResourceNotFoundException', `Function not found: ${name}`)
      const configuration = {...f.configuration}
      let code: Record<string, unknown> = {}
      if (f.codeZip) {
        const bytes = readFileSync(f.codeZip)
        configuration.CodeSha256 ??= sha256b64(bytes)
        configuration.CodeSize ??= bytes.length
        code = {RepositoryType: 'S3', Location: this.presignedUrl(f.codeZip)}
      } else if (f.imageUri) {
        code = {RepositoryType: 'ECR', ImageUri: f.imageUri, ResolvedImageUri: f.imageUri.replace(/:.*$/, '@sha256:' + '1'.repeat(64))}
      }
      return json(res, {Configuration: configuration, Code: code})
    }
    error(res, 404, 'UnknownOperationException', 'no such route in the stub')
  }

  private download(zip: string, res: ServerResponse): void {
    this.downloads.push(zip)
    if (this.expired) {
      res.writeHead(403, {'content-type': 'application/xml'})
      res.end('<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>')
      return
    }
    const bytes = readFileSync(zip)
    res.writeHead(200, {'content-type': 'application/zip', 'content-length': bytes.length})
    res.end(bytes)
  }
}

export function sha256b64(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('base64')
}

function json(res: ServerResponse, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(200, {'content-type': 'application/json', 'x-amzn-requestid': 'stub-request'})
  res.end(text)
}

function error(res: ServerResponse, status: number, type: string, message: string): void {
  res.writeHead(status, {'content-type': 'application/json', 'x-amzn-errortype': type, 'x-amzn-requestid': 'stub-request'})
  res.end(JSON.stringify({Type: 'User', message}))
}
