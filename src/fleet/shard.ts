/**
 * `--shard I/N`: a deterministic slice of the fleet. A function belongs to the shard its ARN hashes to,
 * so every shard of every machine agrees without talking, the slices are disjoint and cover the fleet,
 * and a function keeps its shard while others come and go (a CI matrix re-run audits the same ones).
 */
import {createHash} from 'node:crypto'
import {UsageError} from '../errors.js'

export interface Shard {
  /** 1-based. */
  index: number
  count: number
}

/** Hard upper bound: more shards than this is a typo, not a plan (Batch array jobs stop at 10,000). */
export const MAX_SHARDS = 10_000

/**
 * Parses "I/N" (1 ≤ I ≤ N); AWS Batch's 0-based AWS_BATCH_JOB_ARRAY_INDEX is given as `$((AWS_BATCH_JOB_ARRAY_INDEX+1))/N`.
 * `source` is what the error names: the flag, or the variable that set it (LAYER_AUDIT_SHARD).
 */
export function parseShard(value: string, source = '--shard'): Shard {
  const match = /^\s*(\d{1,5})\s*\/\s*(\d{1,5})\s*$/.exec(value)
  const index = match ? Number(match[1]) : NaN
  const count = match ? Number(match[2]) : NaN
  if (!match || count < 1 || count > MAX_SHARDS || index < 1 || index > count) {
    throw new UsageError(`${source} ${JSON.stringify(value.slice(0, 40))}: expected I/N with 1 ≤ I ≤ N ≤ ${MAX_SHARDS}, e.g. 2/4`)
  }
  return {index, count}
}

/** The 1-based shard an ARN belongs to among `count`. */
export function shardOf(arn: string, count: number): number {
  // sha256, not a string hash of our own: the slice must not change between Node versions or releases.
  const head = createHash('sha256').update(arn).digest().readUInt32BE(0)
  return (head % count) + 1
}

export function inShard(arn: string, shard: Shard | undefined): boolean {
  return !shard || shardOf(arn, shard.count) === shard.index
}
