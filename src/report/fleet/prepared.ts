/**
 * What every fleet reporter starts from, as prepared.ts is for one report: the fleet report redacted and
 * fingerprinted, each function's findings sorted and split, its verdict under the --fail-on threshold,
 * and the rule list rendered against.
 */
import {atOrAbove, failsGate, type FailOn} from '../../audit/gate.js'
import type {FleetFunctionResult, FleetReport, FleetVerdict} from '../../fleet/report.js'
import {rules as registryRules} from '../../rules/registry.js'
import type {Finding, RuleMeta} from '../../rules/types.js'
import {withFingerprints} from '../fingerprint.js'
import {compareFindings, withRuleStubs} from '../prepared.js'
import {redactValue} from '../redaction.js'
import type {RenderOptions} from '../reporter.js'

export interface PreparedFunction {
  fn: FleetFunctionResult
  /** pass/fail decided again under the threshold rendered with (a merged report may be gated differently); error and zip as given. */
  verdict: FleetVerdict
  /** Unsuppressed findings, most severe first, then by rule and path. */
  active: Finding[]
  suppressed: Finding[]
  /** The active findings at or above --fail-on: what fails the gate. */
  failing: Finding[]
}

export interface PreparedFleet {
  report: FleetReport
  functions: PreparedFunction[]
  /** Functions by verdict, as rendered (see PreparedFunction.verdict). */
  verdicts: Record<FleetVerdict, number>
  rules: RuleMeta[]
  ruleById: Map<string, RuleMeta>
  failOn: FailOn
  failed: boolean
}

export const VERDICTS: readonly FleetVerdict[] = ['fail', 'error', 'pass', 'zip']

function renderedVerdict(fn: FleetFunctionResult, failOn: FailOn): FleetVerdict {
  if (fn.verdict === 'error' || fn.verdict === 'zip') return fn.verdict
  return failsGate(fn.summary, failOn) ? 'fail' : 'pass'
}

export function prepareFleet(input: FleetReport, options: RenderOptions = {}): PreparedFleet {
  const redacted = redactValue(input)
  const report: FleetReport = {...redacted, functions: redacted.functions.map((fn) => ({...fn, findings: withFingerprints(fn.findings)}))}
  const failOn = options.failOn ?? 'error'
  const all = report.functions.flatMap((fn) => fn.findings)
  const {rules, ruleById} = withRuleStubs(options.rules ?? registryRules, all, report.functions.flatMap((fn) => fn.notApplicable ?? []), 'compare')
  const verdicts: Record<FleetVerdict, number> = {pass: 0, fail: 0, error: 0, zip: 0}
  const functions = report.functions.map((fn): PreparedFunction => {
    const sorted = [...fn.findings].sort(compareFindings)
    const active = sorted.filter((finding) => !finding.suppressed)
    const verdict = renderedVerdict(fn, failOn)
    verdicts[verdict]++
    return {fn, verdict, active, suppressed: sorted.filter((finding) => finding.suppressed), failing: active.filter((finding) => atOrAbove(finding.severity, failOn))}
  })
  return {report, functions, verdicts, rules, ruleById, failOn, failed: failsGate(report.summary, failOn)}
}

/** Functions that fail or could not be audited first (what a reader looks for), each group in ARN order as given. */
export function byVerdict(functions: readonly PreparedFunction[]): PreparedFunction[] {
  return VERDICTS.flatMap((verdict) => functions.filter((prepared) => prepared.verdict === verdict))
}

/** A function whose findings are listed: it fails the gate, or it could not be audited. */
export function needsAttention(prepared: PreparedFunction): boolean {
  return prepared.verdict === 'fail' || prepared.verdict === 'error'
}
