import {describe, expect, it} from 'vitest'

import {ASFF_LIMITS, parseFunctionArn, toAsffFindings} from '../../src/report/fleet/asff.js'
import {validateAsffBatch} from '../../src/report/fleet/asff-validate.js'
import {renderFleetAsffBatches, renderFleetReport} from '../../src/report/fleet/index.js'
import {RAW_SECRETS} from './fixture.js'
import {ACCOUNT, arnOf, fleetFixture, fleetOf, fleetRules, imageFunction, manyFindings} from './fleet-fixture.js'

const options = {rules: fleetRules, generatedAt: '2026-12-03T05:00:00Z'}
type Json = Record<string, any>

describe('ASFF batches', () => {
  it('hold at most 100 findings each, every batch valid: 250 findings are 3 batches', () => {
    const batches = renderFleetAsffBatches(manyFindings(250), options)
    expect(batches.map((batch) => JSON.parse(batch).Findings.length)).toEqual([100, 100, 50])
    for (const batch of batches) expect(validateAsffBatch(batch)).toEqual([])
    const ids = batches.flatMap((batch) => JSON.parse(batch).Findings.map((finding: Json) => finding.Id))
    expect(new Set(ids).size).toBe(250)
  })

  it('are one document per line in --format asff, and none when nothing was found', () => {
    const text = renderFleetReport(manyFindings(150), 'asff', options)
    expect(text.split('\n')).toHaveLength(3)
    expect(text.endsWith('\n')).toBe(true)
    expect(text.trimEnd().split('\n')).toEqual(renderFleetAsffBatches(manyFindings(150), options))
    expect(renderFleetAsffBatches(fleetOf([imageFunction('clean', [])]), options)).toEqual([])
  })

  it('are valid for the fixture fleet, suppressed findings included, and hold no raw secret', () => {
    const batches = renderFleetAsffBatches(fleetFixture(), options)
    expect(batches).toHaveLength(1)
    expect(validateAsffBatch(JSON.parse(batches[0]!))).toEqual([])
    for (const secret of Object.values(RAW_SECRETS)) expect(batches[0]!.includes(secret), secret.slice(0, 4)).toBe(false)
    const findings = JSON.parse(batches[0]!).Findings as Json[]
    expect(findings).toHaveLength(fleetFixture().functions.reduce((n, fn) => n + fn.findings.length, 0))
    expect(findings.filter((finding) => finding.Workflow.Status === 'SUPPRESSED')).toHaveLength(2)
  })

  it('are the same on every run (fixed time, stable ids)', () => {
    expect(renderFleetAsffBatches(fleetFixture(), options)).toEqual(renderFleetAsffBatches(fleetFixture(), options))
  })
})

describe('an ASFF finding', () => {
  const findings = toAsffFindings(fleetFixture(), options) as Json[]
  const of = (rule: string, arn = arnOf('orders-api')) => findings.find((finding) => finding.GeneratorId === `layer-audit/${rule}` && finding.Resources[0].Id === arn)!

  it('names the function, its account, partition and region, and its image', () => {
    const finding = of('missing-file')
    expect(finding.Id).toMatch(new RegExp(`^${arnOf('orders-api')}/[0-9a-f]{64}$`))
    expect(finding.ProductArn).toBe(`arn:aws:securityhub:us-east-1:${ACCOUNT}:product/${ACCOUNT}/default`)
    expect(finding.AwsAccountId).toBe(ACCOUNT)
    expect(finding.CreatedAt).toBe('2026-12-03T05:00:00Z')
    expect(finding.UpdatedAt).toBe('2026-12-03T05:00:00Z')
    const [lambda, image] = finding.Resources
    expect(lambda).toEqual({
      Type: 'AwsLambdaFunction',
      Id: arnOf('orders-api'),
      Partition: 'aws',
      Region: 'us-east-1',
      Details: {AwsLambdaFunction: {FunctionName: 'orders-api', PackageType: 'Image', Architectures: ['x86_64']}},
    })
    expect(image.Type).toBe('AwsEcrContainerImage')
    expect(image.Details.AwsEcrContainerImage).toMatchObject({RegistryId: ACCOUNT, RepositoryName: 'orders-api', ImageDigest: `sha256:${'1'.repeat(64)}`})
  })

  it('maps severity, title, fix and the rule, path and fingerprint into its fields', () => {
    const finding = of('missing-file')
    expect(finding.Severity).toEqual({Label: 'HIGH', Original: 'error'})
    expect(of('image-too-large').Severity).toEqual({Label: 'MEDIUM', Original: 'warning'})
    expect(of('extra-file').Severity).toEqual({Label: 'LOW', Original: 'note'})
    expect(finding.Title).toBe('File from the zip function is missing from the image')
    expect(finding.Remediation.Recommendation.Text).toMatch(/^COPY the layer contents/)
    expect(finding.ProductFields['layer-audit/rule']).toBe('missing-file')
    expect(finding.ProductFields['layer-audit/path']).toMatch(/^\/opt\//)
    expect(finding.Id.endsWith(`/${finding.ProductFields['layer-audit/fingerprint']}`)).toBe(true)
    for (const value of Object.values(finding.ProductFields)) expect(typeof value).toBe('string')
    expect(finding.RecordState).toBe('ACTIVE')
    expect(finding.Workflow).toEqual({Status: 'NEW'})
  })

  it('types a secret rule as sensitive data, any other as a configuration check', () => {
    expect(of('secret-in-history').Types).toEqual(['Sensitive Data Identifications/Security/Credentials'])
    expect(of('missing-file').Types).toEqual(['Software and Configuration Checks/AWS Security Best Practices'])
  })

  it('cuts a long message to 1024 characters (code points: never half a pair) with "…", and never sends a blank one', () => {
    const long = {rule: 'missing-file', severity: 'error' as const, path: '/opt/x', message: `${'😀'.repeat(1500)}`}
    const blank = {rule: 'missing-file', severity: 'error' as const, path: '/opt/y', message: '   '}
    const [cut, filled] = toAsffFindings(fleetOf([imageFunction('long', [long, blank])]), options) as Json[]
    expect(Array.from(cut!.Description as string)).toHaveLength(ASFF_LIMITS.description)
    expect(cut!.Description.endsWith('😀…')).toBe(true)
    expect((cut!.Description as string).isWellFormed()).toBe(true)
    expect(filled!.Description).toBe(filled!.Title)
  })

  it('numbers findings of one function that share a fingerprint, so neither overwrites the other', () => {
    const twin = {rule: 'missing-file', severity: 'error' as const, path: '/opt/same', message: 'missing'}
    const ids = (toAsffFindings(fleetOf([imageFunction('twins', [twin, {...twin}])]), options) as Json[]).map((finding) => finding.Id)
    expect(ids[1]).toBe(`${ids[0]}/2`)
  })

  it('takes partition and region from the ARN (GovCloud, China)', () => {
    expect(parseFunctionArn('arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:f')).toEqual({partition: 'aws-us-gov', region: 'us-gov-west-1', account: '123456789012'})
    expect(parseFunctionArn('arn:aws-cn:lambda:cn-north-1:123456789012:function:f')?.partition).toBe('aws-cn')
    expect(parseFunctionArn('not-an-arn')).toBeUndefined()
  })
})

describe('validateAsffBatch', () => {
  const good = () => JSON.parse(renderFleetAsffBatches(fleetFixture(), options)[0]!) as {Findings: Json[]}

  const broken: [what: string, change: (batch: {Findings: Json[]}) => void][] = [
    ['an account id that is not 12 digits', (b) => (b.Findings[0]!.AwsAccountId = '1234')],
    ['no CreatedAt', (b) => delete b.Findings[0]!.CreatedAt],
    ['an UpdatedAt that is not ISO 8601', (b) => (b.Findings[0]!.UpdatedAt = 'yesterday')],
    ['a blank Description', (b) => (b.Findings[0]!.Description = ' ')],
    ['a Title over 256 characters', (b) => (b.Findings[0]!.Title = 'x'.repeat(257))],
    ['no GeneratorId', (b) => delete b.Findings[0]!.GeneratorId],
    ['no Id', (b) => delete b.Findings[0]!.Id],
    ['a ProductArn of another service', (b) => (b.Findings[0]!.ProductArn = 'arn:aws:lambda:us-east-1:123456789012:function:f')],
    ['no Resources', (b) => (b.Findings[0]!.Resources = [])],
    ['a resource without an Id', (b) => delete b.Findings[0]!.Resources[0].Id],
    ['another SchemaVersion', (b) => (b.Findings[0]!.SchemaVersion = '2020-01-01')],
    ['a severity label "SEVERE"', (b) => (b.Findings[0]!.Severity.Label = 'SEVERE')],
    ['no Types', (b) => (b.Findings[0]!.Types = [])],
    ['a type of an unknown namespace', (b) => (b.Findings[0]!.Types = ['Layer Checks/Lambda'])],
    ['a ProductFields value that is not a string', (b) => (b.Findings[0]!.ProductFields['layer-audit/layer'] = 3)],
    ['a Recommendation over 512 characters', (b) => (b.Findings[0]!.Remediation = {Recommendation: {Text: 'x'.repeat(513)}})],
    ['the same Id twice', (b) => (b.Findings[1]!.Id = b.Findings[0]!.Id)],
    ['101 findings', (b) => (b.Findings = Array.from({length: 101}, (_, i) => ({...b.Findings[0], Id: `id-${i}`})))],
    ['no findings', (b) => (b.Findings = [])],
  ]

  it.each(broken)('finds %s', (_what, change) => {
    const batch = good()
    expect(validateAsffBatch(batch)).toEqual([])
    change(batch)
    expect(validateAsffBatch(batch)).not.toEqual([])
  })

  it('finds a document that is not a batch', () => {
    expect(validateAsffBatch('{')).toEqual([expect.stringMatching(/^not JSON/)])
    expect(validateAsffBatch({findings: []})).toEqual(['a document {"Findings": [...]} is required'])
  })
})
