import {describe, expect, it} from 'vitest'
import {maskKnownSecrets, redactReport} from '../../src/report/redaction.js'
import {REPORT_FORMATS, renderReport} from '../../src/report/index.js'
import {fixtureReport, fixtureRules, RAW_SECRETS} from './fixture.js'

describe('no reporter prints a raw secret', () => {
  it.each(REPORT_FORMATS)('%s', (format) => {
    for (const verbose of [false, true]) {
      const out = renderReport(fixtureReport(), format, {rules: fixtureRules, verbose, color: true})
      for (const secret of Object.values(RAW_SECRETS)) expect(out).not.toContain(secret)
      // Not even the longer halves that would narrow a brute-force search.
      expect(out).not.toContain(RAW_SECRETS.secretAccessKey.slice(0, 20))
      expect(out).not.toContain(RAW_SECRETS.accessKeyId.slice(4, 16))
    }
  })
})

describe('redaction', () => {
  it('masks values under secret-like keys unless already redacted or a fingerprint', () => {
    const report = fixtureReport()
    report.findings[0].evidence = {
      password: 'hunter2-but-longer-than-twelve',
      apiToken: 'abcdefghijklmnopqrstuvwxyz',
      secret: 'AKIA…86',
      secretSha256: 'sha256:0123456789abcdef',
      tokenName: 'NPM_TOKEN',
      nested: {credentials: ['first-credential-value', 'second-credential-value']},
      mode: '0755',
    }
    const evidence = redactReport(report).findings[0].evidence!
    expect(evidence.password).toBe('hunt…ve')
    expect(evidence.apiToken).toBe('abcd…yz')
    expect(evidence.secret).toBe('AKIA…86')
    expect(evidence.secretSha256).toBe('sha256:0123456789abcdef')
    expect(evidence.tokenName).toBe('NPM_TOKEN')
    expect(evidence.nested).toEqual({credentials: ['firs…ue', 'seco…ue']})
    expect(evidence.mode).toBe('0755')
  })

  it('does not change the report it is given', () => {
    const report = fixtureReport()
    const before = JSON.stringify(report)
    redactReport(report)
    expect(JSON.stringify(report)).toBe(before)
  })

  it('masks well-known credential shapes in free text', () => {
    expect(maskKnownSecrets(`key ${RAW_SECRETS.accessKeyId} here`)).toBe('key AKIA…ST here')
    expect(maskKnownSecrets(`aws_secret_access_key = ${RAW_SECRETS.secretAccessKey}`)).toBe('aws_secret_access_key = q9Zr…Wt')
    expect(maskKnownSecrets(`token ${RAW_SECRETS.githubToken}`)).not.toContain(RAW_SECRETS.githubToken)
    expect(maskKnownSecrets('glpat-abcdefghijklmnopqrstu and xoxb-1234567890-abcdef')).not.toMatch(/glpat-abcdefghij|xoxb-1234567890-abcdef/)
    const pem = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----'
    expect(maskKnownSecrets(`x ${pem} y`)).toBe('x -----BEGIN OPENSSH PRIVATE KEY----- (redacted) y')
    const url = 'https://bucket.s3.amazonaws.com/layer.zip?X-Amz-Algorithm=AWS4&X-Amz-Credential=ASIA%2F&X-Amz-Signature=abc123'
    expect(maskKnownSecrets(`download ${url} failed`)).toBe('download https://bucket.s3.amazonaws.com/layer.zip?… (signed query removed) failed')
  })

  it('leaves ordinary text alone', () => {
    const text = 'mode 0644 in the image, 0755 in the layer; sha256 9b1a7c5d3e1f9a7b5c3d1e9f7a5b3c1d9e7f5a3b'
    expect(maskKnownSecrets(text)).toBe(text)
  })
})
