/** The fleet report's summary lines, worded once for the table and Markdown. Plain text: callers escape it. */
import type {FleetFunctionResult, FleetReport, FleetStats} from '../../fleet/report.js'
import {humanBytes} from '../views/units.js'
import {countsText, plural} from '../prepared.js'
import {VERDICTS, type PreparedFleet} from './prepared.js'

/** "FAIL: 3 of 40 functions fail — 12 errors, 3 warnings (2 suppressed)" */
export function fleetVerdictText(prepared: PreparedFleet): string {
  const {report, verdicts, failed, failOn} = prepared
  const counts = countsText(report.summary)
  const status = failed ? 'FAIL' : failOn === 'never' && counts !== 'no findings' ? 'REPORT (--fail-on never)' : 'PASS'
  const failing = verdicts.fail + verdicts.error
  const functions = failing > 0 ? `${failing} of ${plural(report.functions.length, 'function')} fail` : plural(report.functions.length, 'function')
  const suppressed = report.summary.suppressed > 0 ? ` (${report.summary.suppressed} suppressed)` : ''
  return `${status}: ${functions} — ${counts}${suppressed}`
}

/** "regions us-east-1, eu-west-1 · shard 2/4" */
export function scopeText(report: FleetReport): string {
  const parts = [`${report.regions.length === 1 ? 'region' : 'regions'} ${report.regions.join(', ') || '—'}`]
  if (report.shard) parts.push(`shard ${report.shard.index}/${report.shard.count}`)
  if (report.mergedShards?.length) parts.push(`merged from shards ${report.mergedShards.join(', ')}`)
  return parts.join(' · ')
}

/** "functions: 30 pass, 3 fail, 1 error, 6 zip · 12 images · 5 unchanged since --state" */
export function functionsText(prepared: PreparedFleet): string {
  const {verdicts, report} = prepared
  const byVerdict = VERDICTS.filter((verdict) => verdicts[verdict] > 0).map((verdict) => `${verdicts[verdict]} ${verdict}`)
  const parts = [`functions: ${byVerdict.join(', ') || 'none'}`, plural(report.stats.images, 'image')]
  if (report.stats.fromState > 0) parts.push(`${report.stats.fromState} unchanged since --state`)
  return parts.join(' · ')
}

/** "layers read 14 of 230 referenced, bytes read 1.2 GB of 9.8 GB (12%)": what the layer cache saved. */
export function readText(stats: FleetStats): string {
  const percent = stats.bytesReferenced > 0 ? ` (${Math.round((100 * stats.bytesRead) / stats.bytesReferenced)}%)` : ''
  return `layers read ${stats.layersRead} of ${stats.layersReferenced} referenced, bytes read ${humanBytes(stats.bytesRead)} of ${humanBytes(stats.bytesReferenced)}${percent}`
}

/** The digest's algorithm and first 12 digits: enough to tell images apart in a table (JSON has it whole). */
function shortDigest(digest: string): string {
  const [algorithm, hex] = digest.split(':')
  return hex ? `${algorithm}:${hex.slice(0, 12)}` : digest
}

/** An image function's image as "repo@sha256:0123456789ab"; a zip function's migration plan. */
export function imageOrPlanText(fn: FleetFunctionResult): string {
  if (fn.packageType === 'Zip') return fn.readiness?.plan ?? 'zip function'
  const uri = fn.imageUri ?? ''
  const at = uri.lastIndexOf('@')
  const repository = uri.slice(uri.indexOf('/') + 1, at < 0 ? undefined : at)
  const digest = at >= 0 ? uri.slice(at + 1) : fn.image?.manifestDigest
  if (digest) return repository ? `${repository}@${shortDigest(digest)}` : shortDigest(digest)
  return uri || '—'
}
