/**
 * What Security Hub's BatchImportFindings checks before it takes a finding, checked here on what
 * `--format asff` writes: the required top-level attributes, present and typed, within their limits.
 * It returns the problems (none: the batch is valid); tests run it on every rendered batch.
 */
import {ASFF_BATCH_LIMIT, ASFF_LIMITS, ASFF_SCHEMA_VERSION} from './asff.js'

const SEVERITY_LABELS = ['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL']
const TYPE_NAMESPACES = ['Software and Configuration Checks', 'TTPs', 'Effects', 'Unusual Behaviors', 'Sensitive Data Identifications']
const WORKFLOW_STATUSES = ['NEW', 'NOTIFIED', 'RESOLVED', 'SUPPRESSED']
const RECORD_STATES = ['ACTIVE', 'ARCHIVED']
/** ISO 8601 as Security Hub accepts it: a date, a time, optional fraction, and a zone. */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/
const PRODUCT_ARN = /^arn:aws[a-z-]*:securityhub:[a-z0-9-]+:\d{12}:product\/[^/]+\/[^/]+$/

type Json = Record<string, unknown>

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

/** A string Security Hub takes: present, not blank (`.*\S.*`), at most `max` characters. */
function text(finding: Json, key: string, max: number, problems: string[], at: string): void {
  const value = finding[key]
  if (typeof value !== 'string' || !/\S/.test(value)) problems.push(`${at}.${key}: a non-blank string is required`)
  else if (Array.from(value).length > max) problems.push(`${at}.${key}: longer than ${max} characters`)
}

function validateFinding(finding: unknown, at: string): string[] {
  if (!isObject(finding)) return [`${at}: not an object`]
  const problems: string[] = []
  if (finding.SchemaVersion !== ASFF_SCHEMA_VERSION) problems.push(`${at}.SchemaVersion: must be "${ASFF_SCHEMA_VERSION}"`)
  text(finding, 'Id', ASFF_LIMITS.id, problems, at)
  text(finding, 'GeneratorId', ASFF_LIMITS.id, problems, at)
  text(finding, 'Title', ASFF_LIMITS.title, problems, at)
  text(finding, 'Description', ASFF_LIMITS.description, problems, at)
  if (typeof finding.ProductArn !== 'string' || !PRODUCT_ARN.test(finding.ProductArn)) problems.push(`${at}.ProductArn: not a Security Hub product ARN`)
  if (typeof finding.AwsAccountId !== 'string' || !/^\d{12}$/.test(finding.AwsAccountId)) problems.push(`${at}.AwsAccountId: must be 12 digits`)
  for (const key of ['CreatedAt', 'UpdatedAt']) {
    const value = finding[key]
    if (typeof value !== 'string' || !TIMESTAMP.test(value) || Number.isNaN(Date.parse(value))) problems.push(`${at}.${key}: not an ISO 8601 timestamp`)
  }
  const severity = finding.Severity
  if (!isObject(severity) || !SEVERITY_LABELS.includes(severity.Label as string)) problems.push(`${at}.Severity.Label: one of ${SEVERITY_LABELS.join(', ')} is required`)
  const types = finding.Types
  if (!Array.isArray(types) || types.length === 0 || types.length > 50) problems.push(`${at}.Types: 1 to 50 types are required`)
  else {
    for (const type of types) {
      if (typeof type !== 'string' || !TYPE_NAMESPACES.some((namespace) => type === namespace || type.startsWith(`${namespace}/`))) {
        problems.push(`${at}.Types: ${JSON.stringify(type)} is not namespace/category/classifier of a valid namespace`)
      }
    }
  }
  const resources = finding.Resources
  if (!Array.isArray(resources) || resources.length === 0 || resources.length > 32) problems.push(`${at}.Resources: 1 to 32 resources are required`)
  else {
    resources.forEach((resource, i) => {
      if (!isObject(resource) || typeof resource.Type !== 'string' || !/\S/.test(resource.Type) || typeof resource.Id !== 'string' || !/\S/.test(resource.Id)) {
        problems.push(`${at}.Resources[${i}]: Type and Id are required`)
      }
    })
  }
  problems.push(...validateOptional(finding, at))
  return problems
}

/** The optional attributes layer-audit sets, when set: their shapes and limits. */
function validateOptional(finding: Json, at: string): string[] {
  const problems: string[] = []
  const fields = finding.ProductFields
  if (fields !== undefined) {
    if (!isObject(fields) || Object.keys(fields).length > ASFF_LIMITS.productFields) problems.push(`${at}.ProductFields: at most ${ASFF_LIMITS.productFields} pairs`)
    else {
      for (const [key, value] of Object.entries(fields)) {
        if (Array.from(key).length > ASFF_LIMITS.productFieldKey) problems.push(`${at}.ProductFields: key ${JSON.stringify(key.slice(0, 20))}… is too long`)
        if (typeof value !== 'string' || Array.from(value).length > ASFF_LIMITS.productFieldValue) problems.push(`${at}.ProductFields.${key}: a string of at most ${ASFF_LIMITS.productFieldValue} characters`)
      }
    }
  }
  const recommendation = isObject(finding.Remediation) ? finding.Remediation.Recommendation : undefined
  if (isObject(recommendation) && typeof recommendation.Text === 'string' && Array.from(recommendation.Text).length > ASFF_LIMITS.recommendation) {
    problems.push(`${at}.Remediation.Recommendation.Text: longer than ${ASFF_LIMITS.recommendation} characters`)
  }
  if (finding.Workflow !== undefined && (!isObject(finding.Workflow) || !WORKFLOW_STATUSES.includes(finding.Workflow.Status as string))) problems.push(`${at}.Workflow.Status: not a workflow status`)
  if (finding.RecordState !== undefined && !RECORD_STATES.includes(finding.RecordState as string)) problems.push(`${at}.RecordState: ACTIVE or ARCHIVED`)
  return problems
}

/** The problems of one BatchImportFindings document `{"Findings": […]}` (a parsed object, or its JSON text). */
export function validateAsffBatch(doc: unknown): string[] {
  let batch = doc
  if (typeof doc === 'string') {
    try {
      batch = JSON.parse(doc)
    } catch (error) {
      return [`not JSON: ${(error as Error).message}`]
    }
  }
  if (!isObject(batch) || !Array.isArray(batch.Findings)) return ['a document {"Findings": [...]} is required']
  const {Findings: findings} = batch
  const problems: string[] = []
  if (findings.length === 0) problems.push('Findings: at least 1 finding is required')
  if (findings.length > ASFF_BATCH_LIMIT) problems.push(`Findings: ${findings.length} findings, at most ${ASFF_BATCH_LIMIT} per batch`)
  const ids = new Set<unknown>()
  findings.forEach((finding, i) => {
    problems.push(...validateFinding(finding, `Findings[${i}]`))
    if (isObject(finding) && ids.has(finding.Id)) problems.push(`Findings[${i}].Id: repeated in the batch`)
    if (isObject(finding)) ids.add(finding.Id)
  })
  return problems
}
