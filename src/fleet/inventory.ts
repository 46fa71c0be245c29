/**
 * The fleet's inventory: every function of the account in the regions asked (ListFunctions, every page),
 * narrowed by --function globs and the shard, then read one by one (GetFunction: configuration, code,
 * tags) and narrowed by --tag. Calls stay under Lambda's quotas (GetFunction 100 rps, control plane
 * 15 rps) by token buckets, and throttling is retried here rather than by the SDK. Listing must succeed
 * (without it the run cannot know the fleet); reading one function may fail for that function alone.
 */
import {GetFunctionCommand, LambdaClient, ListFunctionsCommand, type FunctionConfiguration} from '@aws-sdk/client-lambda'
import {globToRegExp} from '../audit/path-glob.js'
import {AwsError, UsageError} from '../errors.js'
import {awsError, FUNCTION_ARN, makeClient, type AwsOptions} from '../lambda/aws.js'
import {parseFunctionConfig, type FunctionConfig} from '../lambda/function-config.js'
import {DEFAULT_RETRY, withRetry, type RetryPolicy} from './api-retry.js'
import {TokenBucket} from './token-bucket.js'

export interface FleetFunction {
  /** Unqualified function ARN. */
  arn: string
  name: string
  region: string
  packageType: 'Image' | 'Zip'
  /** From GetFunction: code.resolvedImageUri, imageConfig, environment, layers, architectures… */
  config?: FunctionConfig
  tags: Record<string, string>
  /** GetFunction failed for this function only (AccessDenied, deleted meanwhile…): one line, never fatal to the run. */
  error?: string
}

export interface InventoryOptions extends AwsOptions {
  /** At least one; each listed in turn. */
  regions: string[]
  /** --function: `*` and `?` against the name, or against the ARN for a glob starting with `arn:`; any may match. */
  functionGlobs?: string[]
  /** --tag K=V: all must match GetFunction's Tags. */
  tags?: {key: string; value: string}[]
  /** The shard filter: applied after the globs, before GetFunction. */
  select?: (arn: string) => boolean
  /** GetFunction calls a second (default 50: Lambda allows 100 per region and account). */
  getFunctionRate?: number
  /** ListFunctions calls a second (default 10: Lambda allows 15 control-plane calls). */
  controlPlaneRate?: number
  /** GetFunction calls in flight (default 8). */
  concurrency?: number
  onThrottle?: (operation: string, attempt: number, delayMs: number) => void
  /** Backoff of throttled calls (default 8 attempts, 100 ms base, 10 s cap). */
  retry?: Partial<RetryPolicy>
}

export interface InventoryStats {
  /** ListFunctions requests sent, retries included. */
  listCalls: number
  /** GetFunction requests sent, retries included. */
  getCalls: number
  /** Answers that were throttling (each retried, or the last of its function's attempts). */
  throttled: number
}

export interface Fleet {
  /** Sorted by ARN, each function once. */
  functions: FleetFunction[]
  stats: InventoryStats
}

/** ListFunctions' largest page. */
const PAGE_SIZE = 50

export async function listFleet(options: InventoryOptions): Promise<Fleet> {
  const regions = [...new Set(options.regions)]
  if (regions.length === 0) throw new UsageError('the fleet needs at least one region')
  const api = new FleetApi(options)
  try {
    const listed = new Map<string, FleetFunction>()
    for (const region of regions) {
      for (const fn of await api.listFunctions(region)) if (!listed.has(fn.arn)) listed.set(fn.arn, fn)
    }
    const matches = globMatcher(options.functionGlobs)
    const selected = [...listed.values()]
      .filter((fn) => matches(fn) && (options.select?.(fn.arn) ?? true))
      .sort((a, b) => (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0))
    await eachConcurrently(selected, Math.max(1, Math.floor(options.concurrency ?? 8) || 1), (fn) => api.readFunction(fn))
    return {functions: selected.filter((fn) => tagsMatch(fn, options.tags ?? [])), stats: api.stats}
  } finally {
    api.destroy()
  }
}

/** The Lambda calls of one run: a client per region, a bucket per quota, our own retries. */
class FleetApi {
  readonly stats: InventoryStats = {listCalls: 0, getCalls: 0, throttled: 0}
  readonly #options: InventoryOptions
  readonly #clients = new Map<string, LambdaClient>()
  readonly #listBucket: TokenBucket
  readonly #getBucket: TokenBucket
  readonly #policy: RetryPolicy

  constructor(options: InventoryOptions) {
    this.#options = options
    this.#listBucket = new TokenBucket(options.controlPlaneRate ?? 10)
    this.#getBucket = new TokenBucket(options.getFunctionRate ?? 50)
    this.#policy = {...DEFAULT_RETRY, ...options.retry}
  }

  async listFunctions(region: string): Promise<FleetFunction[]> {
    const what = `ListFunctions in ${region}`
    const functions: FleetFunction[] = []
    let marker: string | undefined
    do {
      const request = {MaxItems: PAGE_SIZE, ...(marker ? {Marker: marker} : {})}
      const page = await this.#call(region, 'ListFunctions', (client) => client.send(new ListFunctionsCommand(request))).catch((error: unknown) => {
        throw awsError(error, what, this.#options)
      })
      for (const configuration of page.Functions ?? []) functions.push(listedFunction(configuration, region, what))
      marker = page.NextMarker || undefined
    } while (marker)
    return functions
  }

  /** Fills in config and tags, or error: never throws. */
  async readFunction(fn: FleetFunction): Promise<void> {
    try {
      const out = await this.#call(fn.region, 'GetFunction', (client) => client.send(new GetFunctionCommand({FunctionName: fn.arn})))
      fn.config = parseFunctionConfig({Configuration: out.Configuration ?? {}, Code: out.Code ?? {}}, fn.arn)
      fn.tags = {...out.Tags}
      // Without lambda:ListTags, GetFunction answers the rest and says why the tags are missing.
      if (out.TagsError && this.#options.tags?.length) fn.error = `GetFunction: tags not readable (${out.TagsError.ErrorCode ?? 'TagsError'}): --tag cannot tell`
    } catch (error) {
      fn.error = `GetFunction: ${awsError(error, fn.arn, this.#options).message}`
    }
  }

  destroy(): void {
    for (const client of this.#clients.values()) client.destroy()
  }

  #call<T>(region: string, operation: 'ListFunctions' | 'GetFunction', send: (client: LambdaClient) => Promise<T>): Promise<T> {
    const client = this.#clients.get(region) ?? makeClient(this.#options, region, 1)
    this.#clients.set(region, client)
    const listing = operation === 'ListFunctions'
    return withRetry(
      {
        operation,
        bucket: listing ? this.#listBucket : this.#getBucket,
        policy: this.#policy,
        sent: () => void (listing ? this.stats.listCalls++ : this.stats.getCalls++),
        throttled: () => void this.stats.throttled++,
        onThrottle: this.#options.onThrottle,
      },
      () => send(client),
    )
  }
}

function listedFunction(configuration: FunctionConfiguration, region: string, what: string): FleetFunction {
  const {FunctionArn: arn, FunctionName: name, PackageType: packageType} = configuration
  if (!arn || !name) throw new AwsError('AWS', 'ListFunctions returned a function without FunctionArn or FunctionName', {input: what})
  // The ARN keys the shard, the state and GetFunction: one that is not a function of this region is not used.
  const match = FUNCTION_ARN.exec(arn)
  if (!match || match[2] !== region) throw new AwsError('AWS', 'ListFunctions returned a FunctionArn that is not a function ARN of this region', {input: what})
  // Without its :VERSION or :ALIAS.
  return {arn: match[5] ? arn.slice(0, -match[5].length) : arn, name, region, packageType: packageType === 'Image' ? 'Image' : 'Zip', tags: {}}
}

function globMatcher(globs: string[] = []): (fn: FleetFunction) => boolean {
  if (globs.length === 0) return () => true
  const tests = globs.map((glob) => {
    const regexp = globToRegExp(glob)
    return glob.startsWith('arn:') ? (fn: FleetFunction) => regexp.test(fn.arn) : (fn: FleetFunction) => regexp.test(fn.name)
  })
  return (fn) => tests.some((test) => test(fn))
}

/** A function whose tags could not be read stays, with its error: dropping it would hide it from the audit. */
function tagsMatch(fn: FleetFunction, tags: {key: string; value: string}[]): boolean {
  return fn.error !== undefined || tags.every(({key, value}) => fn.tags[key] === value)
}

async function eachConcurrently<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const lane = async () => {
    while (next < items.length) await work(items[next++])
  }
  await Promise.all(Array.from({length: Math.min(concurrency, items.length)}, lane))
}
