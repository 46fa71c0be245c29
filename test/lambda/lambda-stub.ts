/**
 * A loopback HTTP stub shaped like the Lambda REST API (paths from @aws-sdk/client-lambda's operation
 * schemas: GET /2018-10-31/layers?find=LayerVersion&Arn=…, GET /2015-03-31/functions/{FunctionName} and
 * GET /2015-03-31/functions?Marker=…&MaxItems=…), plus "presigned URLs" with a secret-looking query string
 * serving zips from disk. Functions live in the region the request was signed for (SigV4's credential
 * scope): `functions` serves every region without a set of its own in `regions`.
 */
import {createHash} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
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
  /** FunctionName, FunctionArn (in the serving region) and PackageType ('Zip') are filled in when absent. */
  configuration: Record<string, unknown>
  codeZip?: string
  imageUri?: string
  /** Code.ResolvedImageUri; else imageUri with its tag replaced by a fake digest. */
  resolvedImageUri?: string
  /** GetFunction's Tags. */
  tags?: Record<string, string>
}

export type StubOperation = 'ListFunctions' | 'GetFunction' | 'GetLayerVersionByArn'

export const STUB_ACCOUNT = '123456789012'

export class LambdaStub {
  readonly layers = new Map<string, StubLayer>()
  readonly functions = new Map<string, StubFunction>()
  /** Functions by region, for regions that must not see `functions`. */
  readonly regions = new Map<string, Map<string, StubFunction>>()
  /** The region whose functions are `functions`, and that of requests that are not signed. */
  defaultRegion = 'eu-west-1'
  /** API requests answered 429 before the next one succeeds. */
  throttle = 0
  /** The next N requests of an operation are answered 429 TooManyRequestsException. */
  readonly throttleOperations = new Map<StubOperation, number>()
  /**
   * Sent as Retry-After with each 429 when set. The SDK models that header (TooManyRequestsException's
   * retryAfterSeconds); the stub sends it only when a test asks.
   */
  retryAfterSeconds?: number
  /** Every call of these operations is answered 403 AccessDeniedException. */
  readonly deniedOperations = new Set<StubOperation>()
  /** GetFunction of these names is answered 403 AccessDeniedException (as is the name 'denied', always). */
  readonly deniedFunctions = new Set<string>()
  /** Presigned downloads answer 403 (expired). */
  expired = false
  apiRequests: string[] = []
  downloads: string[] = []
  /** When each request of an operation arrived (performance.now()), 429s and denials included. */
  readonly requestTimes = new Map<StubOperation, number[]>()
  private server?: Server
  private port = 0

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`
  }

  presignedUrl(zip: string): string {
    return `${this.endpoint}/bucket/${encodeURIComponent(zip)}?${SECRET_QUERY}`
  }

  /** The functions of a region (the default region's are `functions`). */
  functionsIn(region: string): Map<string, StubFunction> {
    if (region === this.defaultRegion) return this.functions
    const functions = this.regions.get(region) ?? new Map<string, StubFunction>()
    this.regions.set(region, functions)
    return functions
  }

  /** Requests of an operation so far. */
  requests(operation: StubOperation): number {
    return this.requestTimes.get(operation)?.length ?? 0
  }

  /** The most requests of an operation that arrived within any window of `windowMs`. */
  peakRate(operation: StubOperation, windowMs = 1000): number {
    const times = this.requestTimes.get(operation) ?? []
    let peak = 0
    for (let first = 0, last = 0; last < times.length; last++) {
      while (times[last] - times[first] >= windowMs) first++
      peak = Math.max(peak, last - first + 1)
    }
    return peak
  }

  /** Forgets requests, throttling and denials (not the functions or layers). */
  resetTraffic(): void {
    this.throttle = 0
    this.retryAfterSeconds = undefined
    this.throttleOperations.clear()
    this.deniedOperations.clear()
    this.deniedFunctions.clear()
    this.requestTimes.clear()
    this.apiRequests = []
    this.downloads = []
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => this.handle(req, res))
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve))
    this.port = (this.server!.address() as AddressInfo).port
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()))
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const method = req.method ?? 'GET'
    const url = new URL(req.url ?? '/', 'http://stub')
    if (url.pathname.startsWith('/bucket/')) return this.download(decodeURIComponent(url.pathname.slice('/bucket/'.length)), res)
    this.apiRequests.push(`${method} ${url.pathname}`)
    const operation = operationOf(method, url)
    if (operation) {
      const times = this.requestTimes.get(operation) ?? []
      times.push(performance.now())
      this.requestTimes.set(operation, times)
    }
    const throttleOperation = operation ? (this.throttleOperations.get(operation) ?? 0) : 0
    if (this.throttle > 0 || throttleOperation > 0) {
      if (this.throttle > 0) this.throttle--
      else this.throttleOperations.set(operation!, throttleOperation - 1)
      const retryAfter: Record<string, string> = this.retryAfterSeconds === undefined ? {} : {'retry-after': String(this.retryAfterSeconds)}
      return error(res, 429, 'TooManyRequestsException', 'Rate exceeded', retryAfter)
    }
    if (operation && this.deniedOperations.has(operation)) {
      return error(res, 403, 'AccessDeniedException', `User is not authorized to perform: lambda:${operation}`)
    }
    const region = signedRegion(req) ?? this.defaultRegion
    const functions = this.regions.get(region) ?? this.functions
    if (operation === 'ListFunctions') return this.listFunctions(functions, region, url, res)
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
    if (operation === 'GetFunction') {
      const name = functionName(decodeURIComponent(url.pathname.slice('/2015-03-31/functions/'.length)))
      if (name === 'denied' || this.deniedFunctions.has(name)) {
        return error(res, 403, 'AccessDeniedException', 'User is not authorized to perform: lambda:GetFunction')
      }
      if (name === 'expired-creds') return error(res, 403, 'ExpiredTokenException', 'The security token included in the request is expired')
      const f = functions.get(name)
      if (!f) return error(res, 404, 'ResourceNotFoundException', `Function not found: ${name}`)
      const configuration = listedConfiguration(name, f, region)
      let code: Record<string, unknown> = {}
      if (f.codeZip) {
        const bytes = readFileSync(f.codeZip)
        configuration.CodeSha256 ??= sha256b64(bytes)
        configuration.CodeSize ??= bytes.length
        code = {RepositoryType: 'S3', Location: this.presignedUrl(f.codeZip)}
      } else if (f.imageUri) {
        const resolved = f.resolvedImageUri ?? f.imageUri.replace(/:.*$/, '@sha256:' + '1'.repeat(64))
        code = {RepositoryType: 'ECR', ImageUri: f.imageUri, ResolvedImageUri: resolved}
      }
      return json(res, {Configuration: configuration, Code: code, ...(f.tags ? {Tags: f.tags} : {})})
    }
    error(res, 404, 'UnknownOperationException', 'no such route in the stub')
  }

  /** Pages of at most MaxItems (Lambda caps it at 50); NextMarker is opaque and absent on the last page. */
  private listFunctions(functions: Map<string, StubFunction>, region: string, url: URL, res: ServerResponse): void {
    const marker = url.searchParams.get('Marker')
    const start = marker === null ? 0 : Number(Buffer.from(marker, 'base64url').toString().replace(/^offset:/, ''))
    if (!Number.isInteger(start) || start < 0) return error(res, 400, 'InvalidParameterValueException', 'Invalid marker')
    const size = Math.min(Number(url.searchParams.get('MaxItems') ?? 50) || 50, 50)
    const page = [...functions].slice(start, start + size).map(([name, f]) => listedConfiguration(name, f, region))
    const next = start + size < functions.size ? {NextMarker: Buffer.from(`offset:${start + size}`).toString('base64url')} : {}
    return json(res, {Functions: page, ...next})
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

function error(res: ServerResponse, status: number, type: string, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {'content-type': 'application/json', 'x-amzn-errortype': type, 'x-amzn-requestid': 'stub-request', ...headers})
  res.end(JSON.stringify({Type: 'User', message}))
}

function operationOf(method: string, url: URL): StubOperation | undefined {
  if (method !== 'GET') return undefined
  if (url.pathname === '/2015-03-31/functions' || url.pathname === '/2015-03-31/functions/') return 'ListFunctions'
  if (/^\/2015-03-31\/functions\/[^/]+$/.test(url.pathname)) return 'GetFunction'
  if (url.pathname === '/2018-10-31/layers' && url.searchParams.get('find') === 'LayerVersion') return 'GetLayerVersionByArn'
  return undefined
}

/** SigV4: `Authorization: AWS4-HMAC-SHA256 Credential=AKID/DATE/REGION/lambda/aws4_request, …`. */
function signedRegion(req: IncomingMessage): string | undefined {
  return /Credential=[^/]+\/[^/]+\/([^/]+)\//.exec(req.headers.authorization ?? '')?.[1]
}

/** GetFunction takes a name or a (possibly qualified) ARN. */
function functionName(nameOrArn: string): string {
  return /^arn:[^:]+:lambda:[^:]*:[^:]*:function:([^:]+)/.exec(nameOrArn)?.[1] ?? nameOrArn
}

/** The configuration as ListFunctions and GetFunction give it. */
function listedConfiguration(name: string, f: StubFunction, region: string): Record<string, unknown> {
  return {
    FunctionName: name,
    FunctionArn: `arn:aws:lambda:${region}:${STUB_ACCOUNT}:function:${name}`,
    PackageType: 'Zip',
    ...f.configuration,
  }
}

const AWS_ENV_KEYS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE',
  'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_LAMBDA', 'AWS_EC2_METADATA_DISABLED']

/**
 * Static fake credentials in this process's environment, and no profile, config file or instance role
 * the SDK could find instead. Returns what puts the environment back.
 */
export function useFakeAwsEnvironment(region = 'eu-west-1'): () => void {
  const saved = Object.fromEntries(AWS_ENV_KEYS.map((key) => [key, process.env[key]]))
  for (const key of AWS_ENV_KEYS) delete process.env[key]
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AWS_REGION: region,
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
    AWS_EC2_METADATA_DISABLED: 'true',
  })
  return () => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key]
      else process.env[key] = value
    }
  }
}
