/**
 * A hand-made fleet report for the fleet reporters: a failing image function (the single-report
 * fixture's findings, raw credentials included), a function whose name and findings come from a hostile
 * account (control bytes, Markdown and HTML), a passing one, one that could not be audited, and a zip
 * function with its migration readiness; two regions.
 */
import {summarize} from '../../src/audit/gate.js'
import type {FleetFunctionResult, FleetReport, FleetVerdict} from '../../src/fleet/report.js'
import type {Finding, RuleMeta} from '../../src/rules/types.js'
import {fixtureReport, fixtureRules} from './fixture.js'

export const ACCOUNT = '123456789012'
export const arnOf = (name: string, region = 'us-east-1') => `arn:aws:lambda:${region}:${ACCOUNT}:function:${name}`
const digest = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`
export const imageUriOf = (repository: string, n: number, region = 'us-east-1') => `${ACCOUNT}.dkr.ecr.${region}.amazonaws.com/${repository}@${digest(n)}`

/** What a hostile account can put in a function's name and in the text of its findings. */
export const HOSTILE_NAME = 'evil\u001b]0;owned\u0007<img src=x onerror=alert(1)>|**bold**`tick`\u202e'
export const HOSTILE_MESSAGE = 'file \u001b[31mred\u001b[0m <script>alert(1)</script> | col | [link](http://x) \r\n# heading'

export const unauditableRule: RuleMeta = {
  id: 'function-unauditable',
  title: 'Function could not be audited',
  severity: 'error',
  why: 'Its image could not be read.',
  fix: 'Give the auditing role ecr:BatchGetImage on the repository.',
  scope: 'compare',
}

export const fleetRules: RuleMeta[] = [...fixtureRules, unauditableRule]

const image = fixtureReport().image

export function imageFunction(name: string, findings: Finding[], region = 'us-east-1', n = 1): FleetFunctionResult {
  const summary = summarize(findings)
  return {
    arn: arnOf(name, region),
    name,
    region,
    packageType: 'Image',
    verdict: summary.error > 0 ? 'fail' : 'pass',
    imageUri: imageUriOf(name, n, region),
    image: {...image, reference: imageUriOf(name, n, region), source: 'registry', manifestDigest: digest(n)},
    function: {name, architectures: ['x86_64'], layers: []},
    findings,
    notApplicable: [],
    summary,
  }
}

/** A fleet report over `functions`, its summary, verdicts and stats computed from them. */
export function fleetOf(functions: FleetFunctionResult[], extra: Partial<FleetReport> = {}): FleetReport {
  const summary = summarize(functions.flatMap((fn) => fn.findings))
  const verdicts: Record<FleetVerdict, number> = {pass: 0, fail: 0, error: 0, zip: 0}
  for (const fn of functions) verdicts[fn.verdict]++
  const images = new Set(functions.flatMap((fn) => (fn.imageUri ? [fn.imageUri] : []))).size
  return {
    command: 'fleet',
    regions: [...new Set(functions.map((fn) => fn.region))],
    functions: [...functions].sort((a, b) => (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0)),
    summary,
    verdicts,
    stats: {
      functions: functions.length,
      imageFunctions: functions.filter((fn) => fn.packageType === 'Image').length,
      zipFunctions: functions.filter((fn) => fn.packageType === 'Zip').length,
      fromState: functions.filter((fn) => fn.fromState).length,
      images,
      layersReferenced: 40,
      layersRead: 7,
      bytesReferenced: 8_000_000_000,
      bytesRead: 1_000_000_000,
    },
    ...extra,
  }
}

export function fleetFixture(): FleetReport {
  const orders = imageFunction('orders-api', fixtureReport().findings)
  const hostile = imageFunction(
    HOSTILE_NAME,
    [
      {rule: 'missing-file', severity: 'error', path: '/opt/<b>|x|</b>\u0007', message: HOSTILE_MESSAGE},
      {rule: 'extra-file', severity: 'note', path: '/opt/README.md', message: 'in the image but in no layer'},
    ],
    'eu-west-1',
    2,
  )
  const clean = imageFunction('thumbnailer', [], 'eu-west-1', 3)
  const denied: FleetFunctionResult = {
    ...imageFunction('payments', [
      {
        rule: 'function-unauditable',
        severity: 'error',
        message: 'could not read the function\'s image: AccessDeniedException: not authorized to perform ecr:BatchGetImage',
        identity: 'image',
        evidence: {stage: 'image'},
      },
    ]),
    verdict: 'error',
    image: undefined,
  }
  const zip: FleetFunctionResult = {
    arn: arnOf('legacy-cron'),
    name: 'legacy-cron',
    region: 'us-east-1',
    packageType: 'Zip',
    verdict: 'zip',
    findings: [],
    summary: {error: 0, warning: 0, note: 0, suppressed: 0},
    readiness: {
      runtime: 'python3.12',
      handler: 'app.handler',
      architectures: ['arm64'],
      layers: [{arn: 'arn:aws:lambda:us-east-1:123456789012:layer:shared:4', codeSize: 104857}],
      codeSize: 20480,
      unzippedSize: 512000,
      baseImage: 'public.ecr.aws/lambda/python:3.12',
      plan: 'layer-image: 1 layer onto public.ecr.aws/lambda/python:3.12, CMD app.handler',
    },
  }
  return fleetOf([orders, hostile, clean, denied, zip], {regions: ['us-east-1', 'eu-west-1'], warnings: ['1 function could not be audited']})
}

/** `count` error findings spread over functions of 10 findings each. */
export function manyFindings(count: number): FleetReport {
  const functions: FleetFunctionResult[] = []
  for (let f = 0; f * 10 < count; f++) {
    const findings: Finding[] = Array.from({length: Math.min(10, count - f * 10)}, (_, i) => ({
      rule: 'missing-file',
      severity: 'error',
      path: `/opt/python/lib/module_${i}.py`,
      message: 'missing',
    }))
    functions.push(imageFunction(`fn-${String(f).padStart(3, '0')}`, findings, 'us-east-1', (f % 9) + 1))
  }
  return fleetOf(functions)
}
