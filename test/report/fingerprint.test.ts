import {describe, expect, it} from 'vitest'
import {fingerprintOf, withFingerprints} from '../../src/report/fingerprint.js'
import type {Finding} from '../../src/rules/types.js'

const base: Finding = {rule: 'missing-file', severity: 'error', path: '/opt/extensions/x', message: 'x is missing', layer: 2, source: 'a.zip'}

describe('fingerprint', () => {
  it('is a sha256 hex digest, pinned so it never changes by accident', () => {
    expect(fingerprintOf(base)).toBe(fingerprintOf({rule: 'missing-file', path: '/opt/extensions/x'}))
    expect(fingerprintOf(base)).toMatch(/^[0-9a-f]{64}$/)
    // Changing this value breaks every stored baseline and re-opens every code-scanning alert.
    expect(fingerprintOf({rule: 'missing-file', path: '/opt/extensions/x'})).toBe('790af16977a65a69b1df0e14e3623825fd3b736b1f110f6f5f59280c3a2b1d31')
  })

  it('ignores what changes between runs and rebuilds: message, severity, layer, source, expected/actual, evidence', () => {
    const rebuilt: Finding = {
      ...base,
      message: 'reworded in a new version',
      severity: 'warning',
      layer: 7,
      source: 'arn:aws:lambda:us-east-1:123456789012:layer:x:4',
      actual: {sha256: 'different'},
      evidence: {digest: 'sha256:new'},
    }
    expect(fingerprintOf(rebuilt)).toBe(fingerprintOf(base))
  })

  it('tells apart rules, paths and identities', () => {
    const all = new Set([
      fingerprintOf(base),
      fingerprintOf({...base, rule: 'content-mismatch'}),
      fingerprintOf({...base, path: '/opt/extensions/y'}),
      fingerprintOf({...base, path: undefined}),
      fingerprintOf({...base, identity: 'AWS_SECRET_ACCESS_KEY sha256:1'}),
      fingerprintOf({...base, identity: 'AWS_SECRET_ACCESS_KEY sha256:2'}),
    ])
    expect(all.size).toBe(6)
  })

  it("falls back to the secret's own fingerprint in evidence when a rule sets no identity", () => {
    const a = fingerprintOf({rule: 'secret-in-history', evidence: {fingerprint: 'sha256:aaaa'}})
    const b = fingerprintOf({rule: 'secret-in-history', evidence: {fingerprint: 'sha256:bbbb'}})
    expect(a).not.toBe(b)
    expect(a).toBe(fingerprintOf({rule: 'secret-in-history', identity: 'sha256:aaaa'}))
    expect(fingerprintOf({rule: 'secret-in-history', identity: 'x', evidence: {fingerprint: 'sha256:aaaa'}})).toBe(
      fingerprintOf({rule: 'secret-in-history', identity: 'x'}),
    )
  })

  it('cannot be forged by moving text between fields', () => {
    expect(fingerprintOf({rule: 'a', path: '/b', identity: 'c'})).not.toBe(fingerprintOf({rule: 'a', path: '/b\0c'}))
  })

  it('fills missing fingerprints and keeps the ones rules set', () => {
    const [filled, kept] = withFingerprints([base, {...base, fingerprint: 'custom'}])
    expect(filled.fingerprint).toBe(fingerprintOf(base))
    expect(kept.fingerprint).toBe('custom')
  })
})
