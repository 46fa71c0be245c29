/**
 * Cross-check against trivy's secret test files (realdata/trivy/secrets, asserted in trivy's
 * pkg/fanal/secret/scanner_test.go). Deliberate differences, both documented in docs/secrets.md:
 * - aws-secrets.txt line 4 holds AKIAIOSFODNN7EXAMPLE: trivy's "examples" allow rule drops it; we report
 *   it as a note (documentation example key), so we have 4 hits where trivy has 3.
 * - jwt-secret.txt: we have no JWT pattern (a JWT is a signed, usually short-lived assertion, and the
 *   file's token is jwt.io's public sample); trivy reports jwt-token MEDIUM.
 */
import {readFileSync} from 'node:fs'
import {expect, it} from 'vitest'
import {ContentScanner} from '../../src/secrets/content-scanner.js'
import {REALDATA_MISSING, realdata} from '../helpers/realdata.js'
import {describeUnless} from '../helpers/skip-reason.js'
import {feed} from './helpers.js'

function scan(file: string) {
  const scanner = new ContentScanner()
  feed(scanner, `/${file}`, readFileSync(realdata('trivy/secrets', file)), {chunk: 17})
  return scanner.result().secrets.map((h) => [h.pattern, h.line, h.severity])
}

describeUnless(REALDATA_MISSING, 'trivy secret test files', () => {
  it('aws-secrets.txt: trivy\'s 3 findings (lines 2, 5, 1) plus the documentation key as a note', () => {
    expect(scan('aws-secrets.txt')).toEqual([
      ['aws-secret-access-key', 1, 'error'],
      ['aws-access-key-id', 2, 'error'],
      ['aws-access-key-id', 4, 'note'],
      ['aws-secret-access-key', 5, 'error'],
    ])
  })

  it('invalid-aws-secrets.txt: none', () => {
    expect(scan('invalid-aws-secrets.txt')).toEqual([])
  })

  it('github-token.txt: one fine-grained PAT on line 1', () => {
    expect(scan('github-token.txt')).toEqual([['github-fine-grained-pat', 1, 'error']])
  })

  it('asymmetric-private-key.txt: the full RSA block and the minimum-length key, not the empty pair', () => {
    expect(scan('asymmetric-private-key.txt')).toEqual([
      ['private-key', 1, 'error'],
      ['private-key', 9, 'error'],
    ])
  })

  it('jwt-secret.txt: no JWT pattern (deliberate)', () => {
    expect(scan('jwt-secret.txt')).toEqual([])
  })
})
