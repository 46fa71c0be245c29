/** One FleetReport from function results: what `fleet` ends with and what `merge` makes of shard reports. */
import {failsGate, summarize, type FailOn} from '../audit/gate.js'
import type {Finding} from '../rules/types.js'
import type {FleetFunctionResult, FleetReport, FleetStats, FleetVerdict} from './report.js'

export interface CombineMeta {
  regions: string[]
  shard?: FleetReport['shard']
  mergedShards?: number[]
  shardCount?: number
  config?: string
  warnings?: string[]
  /** Counters the results cannot tell (cache and state figures); the function counts are computed here. */
  stats: Omit<FleetStats, 'functions' | 'imageFunctions' | 'zipFunctions'>
}

/** pass or fail by the gate's threshold over the function's own findings; error and zip stay what they are. */
export function verdictOf(result: Pick<FleetFunctionResult, 'verdict' | 'summary'>, failOn: FailOn): FleetVerdict {
  if (result.verdict === 'error' || result.verdict === 'zip') return result.verdict
  return failsGate(result.summary, failOn) ? 'fail' : 'pass'
}

export function combineFleet(results: readonly FleetFunctionResult[], meta: CombineMeta): FleetReport {
  const functions = [...results].sort((a, b) => (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0))
  const verdicts: Record<FleetVerdict, number> = {pass: 0, fail: 0, error: 0, zip: 0}
  for (const result of functions) verdicts[result.verdict]++
  const all: Finding[] = []
  for (const result of functions) for (const finding of result.findings) all.push(finding)
  return {
    command: 'fleet',
    regions: meta.regions,
    ...(meta.shard ? {shard: meta.shard} : {}),
    ...(meta.mergedShards ? {mergedShards: meta.mergedShards} : {}),
    ...(meta.shardCount ? {shardCount: meta.shardCount} : {}),
    ...(meta.config ? {config: meta.config} : {}),
    ...(meta.warnings?.length ? {warnings: meta.warnings} : {}),
    functions,
    summary: summarize(all),
    verdicts,
    stats: {
      functions: functions.length,
      imageFunctions: functions.filter((f) => f.packageType === 'Image').length,
      zipFunctions: functions.filter((f) => f.packageType === 'Zip').length,
      ...meta.stats,
    },
  }
}
