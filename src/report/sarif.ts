/**
 * SARIF 2.1.0 for code-scanning UIs. Every rule of the command is in tool.driver.rules (with why, fix and
 * a docs link), every result has `ruleIndex`, `level` and a stable `partialFingerprints` entry, so alerts
 * stay the same alert across runs and rebuilds. Locations are `image:///<path>`; a finding without a path
 * points at the image itself (`image:<reference>`); with --dockerfile, a finding placed on an instruction
 * is located on its lines in the Dockerfile. Suppressed findings are results with `suppressions`.
 *
 * Rules that did not apply are not results: GitHub code scanning turns every result into an alert whatever
 * its `kind` (microsoft/PSRule#955, complytime/complyctl#868), so a result with kind "notApplicable" would be one.
 * They are notifications of the run's invocation instead (§3.20.21 toolExecutionNotifications), each
 * naming its rule in `associatedRule`.
 */
import type {Report} from '../audit/report.js'
import {BASELINE_REASON} from '../audit/baseline.js'
import type {Finding, RuleMeta, Severity} from '../rules/types.js'
import {FINGERPRINT_VERSION, fingerprintOf} from './fingerprint.js'
import {messageText, prepare} from './prepared.js'
import type {RenderOptions, Reporter} from './reporter.js'
import {TOOL_NAME, packageInfo, ruleDocsPath, ruleDocsUri} from './tool-info.js'

export const SARIF_SCHEMA_URI = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json'

/** GitHub code scanning ranks security alerts by this (0-10) when a rule is tagged "security". */
const SECURITY_SEVERITY: Record<Severity, string> = {error: '8.0', warning: '5.0', note: '2.0'}

/** Percent-encodes what a URI cannot hold, keeping "/" and ":" readable. */
function uriSafe(text: string): string {
  return encodeURI(text).replace(/[#?]/g, (char) => (char === '#' ? '%23' : '%3F'))
}

export function locationUri(finding: Pick<Finding, 'path'>, imageReference: string): string {
  return finding.path ? `image://${uriSafe(finding.path.startsWith('/') ? finding.path : `/${finding.path}`)}` : `image:${uriSafe(imageReference)}`
}

/**
 * A placed finding (--dockerfile) is on its instruction's lines in the Dockerfile, a file of the
 * repository that code scanning can annotate; the path inside the image stays as a logical location.
 * Any other finding is located in the image (`image:///path`), which is no file of the repository: code
 * scanning lists its alert without a line.
 */
function resultLocation(finding: Finding, reference: string): Record<string, unknown> {
  const inImage = locationUri(finding, reference)
  const about = finding.path ? {} : {message: {text: `image ${reference}`}}
  const instruction = finding.instruction
  if (!instruction) return {physicalLocation: {artifactLocation: {uri: inImage}}, ...about}
  return {
    physicalLocation: {
      artifactLocation: {uri: dockerfileUri(instruction.file)},
      region: {startLine: instruction.line, endLine: Math.max(instruction.line, instruction.endLine)},
    },
    logicalLocations: [{fullyQualifiedName: inImage, kind: 'resource'}],
    ...about,
  }
}

/** Relative to where the audit ran, as the repository's files are named; an absolute path as a file: URI. */
export function dockerfileUri(file: string): string {
  const path = file.replace(/\\/g, '/')
  if (path.startsWith('/')) return `file://${uriSafe(path)}`
  if (/^[A-Za-z]:\//.test(path)) return `file:///${uriSafe(path)}`
  return uriSafe(path.replace(/^(?:\.\/)+/, ''))
}

function pascalName(id: string): string {
  return id.replace(/(^|-)([a-z0-9])/g, (_, _dash: string, char: string) => char.toUpperCase())
}

/** Without a home page there is no helpUri: the help text names the rule's page in the package instead. */
function ruleDescriptor(rule: RuleMeta, homepage: string | undefined): Record<string, unknown> {
  const helpUri = ruleDocsUri(rule.id, homepage)
  const docsPath = ruleDocsPath(rule.id)
  const descriptor: Record<string, unknown> = {
    id: rule.id,
    name: pascalName(rule.id),
    shortDescription: {text: rule.title},
    fullDescription: {text: rule.why || rule.title},
    defaultConfiguration: {level: rule.severity},
    ...(helpUri ? {helpUri} : {}),
    properties: {
      tags: rule.scope === 'scan' ? [rule.scope, 'security'] : [rule.scope],
      ...(rule.scope === 'scan' ? {'security-severity': SECURITY_SEVERITY[rule.severity]} : {}),
    },
  }
  if (rule.why || rule.fix) {
    descriptor.help = {
      text: [rule.why, rule.fix && `Fix: ${rule.fix}`, `Docs: ${helpUri ?? `${docsPath} in the ${TOOL_NAME} package`}`].filter(Boolean).join('\n\n'),
      markdown: [
        rule.why,
        rule.fix && `**Fix:** ${rule.fix}`,
        helpUri ? `[Rule documentation](${helpUri})` : `Rule documentation: \`${docsPath}\` in the ${TOOL_NAME} package`,
      ]
        .filter(Boolean)
        .join('\n\n'),
    }
  }
  return descriptor
}

function resultProperties(finding: Finding): Record<string, unknown> | undefined {
  const properties: Record<string, unknown> = {}
  if (finding.layer !== undefined) properties.layer = finding.layer
  if (finding.source !== undefined) properties.source = finding.source
  if (finding.expected !== undefined) properties.expected = finding.expected
  if (finding.actual !== undefined) properties.actual = finding.actual
  if (finding.evidence !== undefined) properties.evidence = finding.evidence
  // The rules that fired on the same path for the same cause, reported as this one (docs/reports.md).
  if (finding.alsoRules?.length) properties.alsoRules = finding.alsoRules
  return Object.keys(properties).length > 0 ? properties : undefined
}

/** tool.driver: who made the run, and a descriptor for each of `rules` (results point at them by index). */
export function sarifDriver(rules: readonly RuleMeta[], options: RenderOptions): Record<string, unknown> {
  const {version, homepage: defaultHomepage} = packageInfo()
  const homepage = options.informationUri ?? defaultHomepage
  return {
    name: TOOL_NAME,
    version: options.toolVersion ?? version,
    ...(homepage ? {informationUri: homepage} : {}),
    rules: rules.map((rule) => ruleDescriptor(rule, homepage)),
  }
}

/**
 * One finding as a result: rule, level, message, its location in the image (`reference` names the image
 * for a finding without a path), the stable fingerprint, and `suppressions` when it is suppressed.
 */
export function sarifResult(finding: Finding, ruleIndex: ReadonlyMap<string, number>, reference: string): Record<string, unknown> {
  const result: Record<string, unknown> = {
    ruleId: finding.rule,
    ruleIndex: ruleIndex.get(finding.rule),
    level: finding.severity,
    message: {text: messageText(finding)},
    locations: [resultLocation(finding, reference)],
    partialFingerprints: {[FINGERPRINT_VERSION]: finding.fingerprint ?? fingerprintOf(finding)},
  }
  if (finding.suppressed) {
    result.suppressions = [{kind: 'external', status: 'accepted', justification: finding.suppressed.reason}]
    if (finding.suppressed.reason === BASELINE_REASON) result.baselineState = 'unchanged'
  }
  const properties = resultProperties(finding)
  if (properties) result.properties = properties
  return result
}

export function toSarif(report: Report, options: RenderOptions = {}): Record<string, unknown> {
  const prepared = prepare(report, options)
  const ruleIndex = new Map(prepared.rules.map((rule, index) => [rule.id, index]))
  const reference = prepared.report.image.reference

  const results = [...prepared.active, ...prepared.suppressed].map((finding) => sarifResult(finding, ruleIndex, reference))

  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {driver: sarifDriver(prepared.rules, options)},
        automationDetails: {id: `${TOOL_NAME}/${prepared.report.command}/`},
        invocations: [
          {
            executionSuccessful: true,
            toolExecutionNotifications: [
              ...prepared.notApplicable.map(({rule, reason}) => ({
                level: 'note',
                message: {text: `${rule} not applicable: ${reason}`},
                associatedRule: {id: rule, index: ruleIndex.get(rule)},
                properties: {notApplicable: true},
              })),
              // What the user must know about the audit itself (an expired ignore, a --dockerfile that does not match).
              ...(prepared.report.warnings ?? []).map((text) => ({level: 'warning', message: {text}})),
            ],
          },
        ],
        results,
        properties: {
          command: prepared.report.command,
          image: prepared.report.image,
          ...(prepared.report.function ? {function: prepared.report.function} : {}),
          summary: prepared.report.summary,
          ...(prepared.report.stats ? {stats: prepared.report.stats} : {}),
        },
      },
    ],
  }
}

export function renderSarif(report: Report, options: RenderOptions = {}): string {
  return `${JSON.stringify(toSarif(report, options), null, 2)}\n`
}

export const sarifReporter: Reporter = {format: 'sarif', render: renderSarif}
