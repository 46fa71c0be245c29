/**
 * `layer-audit merge REPORT…`: the JSON reports of `fleet --shard I/N` runs combined into the report one
 * unsharded run would have written (same functions, same findings, same gate). Shard reports are inputs
 * like any other: each is checked before anything is combined, and a report that is not a fleet report,
 * two shards holding the same function or a shard given twice is an error naming the file.
 */
import {LayerAuditError} from '../errors.js'
import {FileTooLargeError, readFileCapped} from '../io/capped-read.js'
import {jsonErrorPlace} from '../io/json-syntax.js'
import {SEVERITIES} from '../rules/types.js'
import type {FailOn} from '../audit/gate.js'
import {combineFleet, verdictOf} from './combine.js'
import type {FleetFunctionResult, FleetReport, FleetStats} from './report.js'

const MAX_REPORT_BYTES = 512 * 1024 * 1024
const VERDICTS = new Set(['pass', 'fail', 'error', 'zip'])
const MISSING_SHARDS = /^shards? [\d/, ]+ missing: this report covers \d+ of \d+ shards$/

export class MergeError extends LayerAuditError {}

export async function readFleetReport(file: string): Promise<FleetReport> {
  let text: string
  try {
    text = (await readFileCapped(file, MAX_REPORT_BYTES)).toString('utf8')
  } catch (error) {
    if (error instanceof FileTooLargeError) throw new MergeError('TOO_LARGE', 'report over 512 MiB', {input: file})
    const code = (error as NodeJS.ErrnoException).code
    throw new MergeError('NOT_FOUND', code === 'ENOENT' ? 'report not found' : `cannot read the report (${code ?? 'error'})`, {input: file, cause: error})
  }
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch {
    // Never V8's message: it quotes the file.
    throw new MergeError('CORRUPT', `not valid JSON (${jsonErrorPlace(text)}): merge reads the JSON reports of fleet (--format json)`, {input: file})
  }
  const problem = fleetReportProblem(data)
  if (problem) throw new MergeError('CORRUPT', `not a fleet JSON report: ${problem}`, {input: file})
  return data as FleetReport
}

export async function mergeFleetReports(files: readonly string[], failOn: FailOn = 'error'): Promise<FleetReport> {
  if (files.length === 0) throw new MergeError('USAGE', 'give the shard reports to merge (fleet --shard I/N --format json -o FILE)')
  const reports: {file: string; report: FleetReport}[] = []
  for (const file of files) reports.push({file, report: await readFleetReport(file)})

  // A partial merge (shards 1-3 of 4) says its count too: it merges with the rest like a shard.
  const counts = new Set(reports.map(({report}) => report.shard?.count ?? report.shardCount ?? 1))
  if (counts.size > 1) throw new MergeError('USAGE', `the reports come from different shardings (${[...counts].map((n) => `/${n}`).join(', ')}): merge one run's shards`)
  const seenShards = new Map<number, string>()
  const owner = new Map<string, string>()
  const results: FleetFunctionResult[] = []
  const warnings = new Set<string>()
  const regions: string[] = []
  const stats: Omit<FleetStats, 'functions' | 'imageFunctions' | 'zipFunctions'> = {fromState: 0, images: 0, layersReferenced: 0, layersRead: 0, bytesReferenced: 0, bytesRead: 0}
  for (const {file, report} of reports) {
    for (const index of report.shard ? [report.shard.index] : (report.mergedShards ?? [])) {
      const earlier = seenShards.get(index)
      if (earlier !== undefined) throw new MergeError('USAGE', `shard ${index} is also in ${earlier}: give each shard once`, {input: file})
      seenShards.set(index, file)
    }
    for (const result of report.functions) {
      const earlier = owner.get(result.arn)
      if (earlier !== undefined) throw new MergeError('USAGE', `${result.arn} is also in ${earlier}: the reports overlap`, {input: file})
      owner.set(result.arn, file)
      results.push({...result, verdict: verdictOf(result, failOn)})
    }
    for (const region of report.regions) if (!regions.includes(region)) regions.push(region)
    // A partial merge's "shard N missing" is said again below if it still is.
    for (const warning of report.warnings ?? []) if (!MISSING_SHARDS.test(warning)) warnings.add(warning)
    for (const key of Object.keys(stats) as (keyof typeof stats)[]) stats[key] += Number(report.stats?.[key]) || 0
  }
  const count = [...counts][0]
  const shards = [...seenShards.keys()].sort((a, b) => a - b)
  if (count > 1 && shards.length < count) {
    const missing = Array.from({length: count}, (_, i) => i + 1).filter((i) => !seenShards.has(i))
    warnings.add(`shard${missing.length === 1 ? '' : 's'} ${missing.map((i) => `${i}/${count}`).join(', ')} missing: this report covers ${shards.length} of ${count} shards`)
  }
  const configs = new Set(reports.map(({report}) => report.config).filter((c): c is string => c !== undefined))
  return combineFleet(results, {
    regions,
    ...(count > 1 ? {mergedShards: shards, shardCount: count} : {}),
    ...(configs.size === 1 ? {config: [...configs][0]} : {}),
    warnings: [...warnings],
    stats,
  })
}

/** Why `data` is not a fleet report the renderers can trust, or undefined. */
function fleetReportProblem(data: unknown): string | undefined {
  if (!isRecord(data)) return 'not a JSON object'
  if (data.command !== 'fleet') return `its command is ${JSON.stringify(String(data.command)).slice(0, 40)}, not fleet`
  if (data.schemaVersion !== undefined && data.schemaVersion !== 1) return `schemaVersion ${String(data.schemaVersion).slice(0, 10)} (this version reads 1)`
  if (!Array.isArray(data.functions)) return 'no functions list'
  if (!Array.isArray(data.regions) || !data.regions.every((r) => typeof r === 'string')) return 'no regions list'
  if (data.shard !== undefined && !(isRecord(data.shard) && isCount(data.shard.index) && isCount(data.shard.count) && data.shard.index <= data.shard.count)) return 'a malformed shard'
  if (data.mergedShards !== undefined && !(Array.isArray(data.mergedShards) && data.mergedShards.every(isCount))) return 'a malformed mergedShards'
  if (data.shardCount !== undefined && !(isCount(data.shardCount) && (data.mergedShards ?? []).every((i: number) => i <= data.shardCount))) return 'a malformed shardCount'
  const reportProblem = shapeProblem(data, {warnings: 'strings', config: 'string'})
  if (reportProblem) return reportProblem
  for (const [i, fn] of data.functions.entries()) {
    const problem = functionProblem(fn)
    if (problem) return `functions[${i}]: ${problem}`
  }
  return undefined
}

/** Why `fn` is not a function result the renderers can trust, or undefined (also --state's check). */
export function functionProblem(fn: unknown): string | undefined {
  if (!isRecord(fn)) return 'not an object'
  for (const key of ['arn', 'name', 'region'] as const) if (typeof fn[key] !== 'string') return `no ${key}`
  if (fn.packageType !== 'Image' && fn.packageType !== 'Zip') return 'packageType is neither Image nor Zip'
  if (!VERDICTS.has(fn.verdict as string)) return 'an unknown verdict'
  if (!isRecord(fn.summary) || !['error', 'warning', 'note', 'suppressed'].every((k) => isCount(fn.summary[k]) || fn.summary[k] === 0)) return 'a malformed summary'
  if (!Array.isArray(fn.findings)) return 'no findings list'
  for (const finding of fn.findings) {
    if (!isRecord(finding) || typeof finding.rule !== 'string' || typeof finding.message !== 'string') return 'a finding without rule or message'
    if (!(SEVERITIES as readonly unknown[]).includes(finding.severity)) return 'a finding with an unknown severity'
    const problem = shapeProblem(finding, FINDING_SHAPE, 'a finding')
    if (problem) return problem
  }
  const readiness = fn.readiness
  if (readiness !== undefined && !(isRecord(readiness) && Array.isArray(readiness.layers) && Array.isArray(readiness.architectures) && typeof readiness.plan === 'string')) return 'a readiness without plan, layers or architectures'
  return shapeProblem(fn, FUNCTION_SHAPE)
}

const LEAVES = {
  string: {test: (value: unknown) => typeof value === 'string', said: 'a string'},
  number: {test: (value: unknown) => typeof value === 'number', said: 'a number'},
  strings: {test: (value: unknown) => Array.isArray(value) && value.every((v) => typeof v === 'string'), said: 'a list of strings'},
  object: {test: isRecord, said: 'an object'},
}
type Shape = {[key: string]: keyof typeof LEAVES | Shape | [Shape]}

// The optional fields the renderers read as text, numbers or lists: a wrong type is the report's fault,
// said as such, not an internal error of whichever renderer trips on it first.
const FINDING_SHAPE: Shape = {path: 'string', source: 'string', fingerprint: 'string', identity: 'string', layer: 'number', alsoRules: 'strings', suppressed: {reason: 'string'}, expected: 'object', actual: 'object', evidence: 'object'}
const FUNCTION_SHAPE: Shape = {
  imageUri: 'string',
  notApplicable: [{rule: 'string', reason: 'string'}],
  image: {manifestDigest: 'string'},
  function: {architectures: 'strings'},
  readiness: {plan: 'string', runtime: 'string', handler: 'string', baseImage: 'string', architectures: 'strings', notes: 'strings', codeSize: 'number', unzippedSize: 'number', layers: [{arn: 'string'}]},
  stats: 'object',
}

/** The first field of `record` that is present with another type than `shape` says (absent fields are fine). */
function shapeProblem(record: Record<string, any>, shape: Shape, at = ''): string | undefined {
  for (const [key, want] of Object.entries(shape)) {
    const value = record[key]
    if (value === undefined) continue
    const name = at ? `${at}'s ${key}` : key
    if (Array.isArray(want)) {
      if (!Array.isArray(value)) return `${name} is not a list`
      for (const item of value) {
        const problem = isRecord(item) ? shapeProblem(item, want[0], name) : `${name} holds a non-object`
        if (problem) return problem
      }
    } else if (typeof want === 'object') {
      if (!isRecord(value)) return `${name} is not an object`
      const problem = shapeProblem(value, want, name)
      if (problem) return problem
    } else if (!LEAVES[want].test(value)) {
      return `${name} is not ${LEAVES[want].said}`
    }
  }
  return undefined
}

function isRecord(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1
}
