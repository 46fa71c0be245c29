/**
 * Fleet reports made by hand (what `fleet --shard I/N --format json` writes), for merge's tests: real
 * Finding shapes, summaries and verdicts computed as `fleet` computes them, written as JSON files.
 */
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {summarize} from '../../../src/audit/gate.js'
import {combineFleet} from '../../../src/fleet/combine.js'
import type {FleetFunctionResult, FleetReport} from '../../../src/fleet/report.js'
import {verdictOf} from '../../../src/fleet/combine.js'
import {shardOf} from '../../../src/fleet/shard.js'
import {toJsonFleetReport} from '../../../src/report/fleet/index.js'
import type {Finding} from '../../../src/rules/types.js'

export const ACCOUNT = '123456789012'
export const arnOf = (name: string, region = 'eu-west-1') => `arn:aws:lambda:${region}:${ACCOUNT}:function:${name}`

export const WRAPPER_MISSING: Finding = {
  rule: 'wrapper-missing',
  severity: 'error',
  message: 'AWS_LAMBDA_EXEC_WRAPPER names /opt/otel-handler, which the image lacks',
  path: '/opt/otel-handler',
  identity: 'AWS_LAMBDA_EXEC_WRAPPER',
}
export const ARCHITECTURE_WARNING: Finding = {
  rule: 'architecture-mismatch',
  severity: 'warning',
  message: 'the function runs on arm64, the image is built for amd64',
  expected: {architecture: 'arm64'},
  actual: {architecture: 'amd64'},
}

/** An audited image function with these findings (verdict by the default gate, --fail-on error). */
export function imageResult(name: string, shared: Finding[] = []): FleetFunctionResult {
  // Copies: a test that spoils one function's finding must not spoil the constants.
  const findings = shared.map((finding) => structuredClone(finding))
  const result: FleetFunctionResult = {
    arn: arnOf(name),
    name,
    region: 'eu-west-1',
    packageType: 'Image',
    verdict: 'pass',
    imageUri: `${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/${name}@sha256:${'c'.repeat(64)}`,
    findings,
    notApplicable: [],
    summary: summarize(findings),
  }
  return {...result, verdict: verdictOf(result, 'error')}
}

/** The report of shard `index`/`count` holding those of `results` whose ARN hashes to it. */
export function shardReport(results: readonly FleetFunctionResult[], index: number, count: number): FleetReport {
  const mine = results.filter((result) => shardOf(result.arn, count) === index)
  return combineFleet(mine, {
    regions: ['eu-west-1'],
    shard: {index, count},
    stats: {fromState: 0, images: mine.length, layersReferenced: 2 * mine.length, layersRead: 2, bytesReferenced: 2000 * mine.length, bytesRead: 2000},
  })
}

/** Writes the report as `--format json` does; returns the file's path. */
export function writeReport(dir: string, name: string, report: FleetReport): string {
  const file = join(dir, name)
  writeFileSync(file, JSON.stringify(toJsonFleetReport(report), null, 2))
  return file
}
