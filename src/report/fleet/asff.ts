/**
 * AWS Security Hub findings (ASFF, the BatchImportFindings request shape): one finding per layer-audit
 * finding of every function, in documents `{"Findings": […]}` of at most 100 (the API's limit per call).
 *
 * - Every finding is sent, suppressed ones too, with `Workflow.Status` SUPPRESSED (else NEW): Security Hub
 *   then shows what was accepted rather than nothing (it takes the status of a new finding only; later
 *   changes are Security Hub's own). Zip functions have no findings (their readiness is in the other formats).
 * - `Id` = "<function ARN>/<finding fingerprint>": stable across runs and rebuilds, so re-importing
 *   updates the same finding instead of adding one.
 * - `ProductArn` is the account's default product (a custom integration): partition, region and account
 *   come from the function's ARN.
 * - Texts are cut to Security Hub's limits with "…": Title 256, Description 1024, Recommendation 512,
 *   ProductFields values 2048.
 */
import type {FleetFunctionResult, FleetReport} from '../../fleet/report.js'
import type {Finding, RuleMeta, Severity} from '../../rules/types.js'
import {messageText} from '../prepared.js'
import type {RenderOptions} from '../reporter.js'
import {TOOL_NAME, packageInfo, ruleDocsUri} from '../tool-info.js'
import {prepareFleet, type PreparedFunction} from './prepared.js'

export const ASFF_SCHEMA_VERSION = '2018-10-08'
export const ASFF_BATCH_LIMIT = 100
export const ASFF_LIMITS = {id: 512, title: 256, description: 1024, recommendation: 512, productFieldKey: 128, productFieldValue: 2048, productFields: 50} as const

const SEVERITY_LABELS: Record<Severity, 'HIGH' | 'MEDIUM' | 'LOW'> = {error: 'HIGH', warning: 'MEDIUM', note: 'LOW'}
const BEST_PRACTICES = 'Software and Configuration Checks/AWS Security Best Practices'
const CREDENTIALS = 'Sensitive Data Identifications/Security/Credentials'

export type AsffFinding = Record<string, unknown>

/** "arn:aws:lambda:us-east-1:123456789012:function:name" → its partition, region and account. */
export function parseFunctionArn(arn: string): {partition: string; region: string; account: string} | undefined {
  const match = /^arn:([a-z0-9-]+):lambda:([a-z0-9-]+):(\d{12}):function:/.exec(arn)
  return match ? {partition: match[1]!, region: match[2]!, account: match[3]!} : undefined
}

/** At most `max` characters (code points: a cut never splits a pair), the last one "…" when cut. */
export function cut(text: string, max: number): string {
  if (text.length <= max) return text
  const chars = Array.from(text)
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`
}

/** Security Hub rejects a text field that is empty or only spaces. */
function nonBlank(text: string, fallback: string): string {
  return /\S/.test(text) ? text : fallback
}

/** An ECR image URI "<registry>.dkr.ecr.<region>.amazonaws.com/<repository>@sha256:…" as Security Hub's ECR image resource. */
function imageResource(uri: string, partition: string, region: string, architectures: readonly string[]): Record<string, unknown> {
  const ecr = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([^@:]+)(?::[^@]+)?(?:@(sha256:[0-9a-f]{64}))?$/.exec(uri)
  if (!ecr) return {Type: 'Container', Id: uri, Partition: partition, Region: region, Details: {Container: {ImageName: uri}}}
  const [, registryId, imageRegion, repositoryName, imageDigest] = ecr
  return {
    Type: 'AwsEcrContainerImage',
    Id: uri,
    Partition: partition,
    Region: imageRegion,
    Details: {
      AwsEcrContainerImage: {
        RegistryId: registryId,
        RepositoryName: repositoryName,
        ...(imageDigest ? {ImageDigest: imageDigest} : {}),
        ...(architectures.length === 1 ? {Architecture: architectures[0]} : {}),
      },
    },
  }
}

function resources(fn: FleetFunctionResult, partition: string, region: string): Record<string, unknown>[] {
  const architectures = fn.function?.architectures ?? fn.readiness?.architectures ?? []
  const lambda = {
    Type: 'AwsLambdaFunction',
    Id: fn.arn,
    Partition: partition,
    Region: region,
    Details: {AwsLambdaFunction: {FunctionName: fn.name, PackageType: fn.packageType, ...(architectures.length > 0 ? {Architectures: architectures} : {})}},
  }
  return fn.imageUri ? [lambda, imageResource(fn.imageUri, partition, region, architectures)] : [lambda]
}

function productFields(fn: FleetFunctionResult, finding: Finding, fingerprint: string): Record<string, string> {
  const fields: Record<string, string | undefined> = {
    ProviderName: TOOL_NAME,
    ProviderVersion: packageInfo().version,
    'layer-audit/rule': finding.rule,
    'layer-audit/severity': finding.severity,
    'layer-audit/fingerprint': fingerprint,
    'layer-audit/function': fn.name,
    'layer-audit/path': finding.path,
    'layer-audit/source': finding.source,
    'layer-audit/layer': finding.layer === undefined ? undefined : String(finding.layer),
    'layer-audit/alsoRules': finding.alsoRules?.join(', '),
    'layer-audit/suppressed': finding.suppressed?.reason,
  }
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(fields)) if (value !== undefined && value !== '') out[key] = cut(value, ASFF_LIMITS.productFieldValue)
  return out
}

function asffFinding(prepared: PreparedFunction, finding: Finding, rule: RuleMeta | undefined, generatedAt: string): AsffFinding | undefined {
  const {fn} = prepared
  const arn = parseFunctionArn(fn.arn)
  // Without an account and region there is no ProductArn Security Hub would accept: such a function is not sent.
  if (!arn) return undefined
  // prepareFleet fingerprinted every finding.
  const fingerprint = finding.fingerprint!
  const title = nonBlank(rule?.title ?? finding.rule, finding.rule)
  const docs = ruleDocsUri(finding.rule)
  return {
    SchemaVersion: ASFF_SCHEMA_VERSION,
    Id: `${fn.arn}/${fingerprint}`,
    ProductArn: `arn:${arn.partition}:securityhub:${arn.region}:${arn.account}:product/${arn.account}/default`,
    GeneratorId: `${TOOL_NAME}/${finding.rule}`,
    AwsAccountId: arn.account,
    Types: [rule?.scope === 'scan' ? CREDENTIALS : BEST_PRACTICES],
    CreatedAt: generatedAt,
    UpdatedAt: generatedAt,
    Severity: {Label: SEVERITY_LABELS[finding.severity], Original: finding.severity},
    Title: cut(title, ASFF_LIMITS.title),
    Description: cut(nonBlank(messageText(finding), title), ASFF_LIMITS.description),
    ...(rule?.fix ? {Remediation: {Recommendation: {Text: cut(rule.fix, ASFF_LIMITS.recommendation), ...(docs ? {Url: docs} : {})}}} : {}),
    ProductFields: productFields(fn, finding, fingerprint),
    Resources: resources(fn, arn.partition, arn.region),
    RecordState: 'ACTIVE',
    Workflow: {Status: finding.suppressed ? 'SUPPRESSED' : 'NEW'},
  }
}

/** Every finding of the fleet as ASFF, functions in report order, each function's findings most severe first. */
export function toAsffFindings(report: FleetReport, options: RenderOptions = {}): AsffFinding[] {
  const prepared = prepareFleet(report, options)
  const generatedAt = options.generatedAt ?? new Date().toISOString()
  const findings: AsffFinding[] = []
  const seen = new Map<unknown, number>()
  for (const fn of prepared.functions) {
    for (const finding of [...fn.active, ...fn.suppressed]) {
      const asff = asffFinding(fn, finding, prepared.ruleById.get(finding.rule), generatedAt)
      if (!asff) continue
      // Two findings of one function with one fingerprint (a rule that sets no identity): numbered, so neither overwrites the other.
      const count = (seen.get(asff.Id) ?? 0) + 1
      seen.set(asff.Id, count)
      findings.push(count === 1 ? asff : {...asff, Id: `${asff.Id}/${count}`})
    }
  }
  return findings
}

/** The BatchImportFindings documents, at most 100 findings each, one JSON document per string (none when nothing was found). */
export function renderFleetAsffBatches(report: FleetReport, options: RenderOptions = {}): string[] {
  const findings = toAsffFindings(report, options)
  const batches: string[] = []
  for (let i = 0; i < findings.length; i += ASFF_BATCH_LIMIT) batches.push(JSON.stringify({Findings: findings.slice(i, i + ASFF_BATCH_LIMIT)}))
  return batches
}

/** All batches, one document per line (JSON Lines): `--format asff` on stdout or in one file. */
export function renderFleetAsff(report: FleetReport, options: RenderOptions = {}): string {
  return renderFleetAsffBatches(report, options)
    .map((batch) => `${batch}\n`)
    .join('')
}
