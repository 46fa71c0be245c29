import {describe, expect, it} from 'vitest'
import {formatPlatform, parsePlatform, platformMatches} from '../../src/image/index.js'
import {LayerAuditError} from '../../src/errors.js'

describe('platform strings', () => {
  it('parses os/arch[/variant] and normalises architecture aliases', () => {
    expect(parsePlatform('linux/amd64')).toEqual({os: 'linux', architecture: 'amd64'})
    expect(parsePlatform('linux/arm64/v8')).toEqual({os: 'linux', architecture: 'arm64', variant: 'v8'})
    expect(parsePlatform('linux/x86_64')).toEqual({os: 'linux', architecture: 'amd64'})
    expect(parsePlatform('arm64')).toEqual({os: 'linux', architecture: 'arm64'})
    expect(formatPlatform({os: 'linux', architecture: 'arm', variant: 'v7'})).toBe('linux/arm/v7')
  })
  it('rejects malformed platforms with a usage error', () => {
    for (const bad of ['linux/', '/amd64', 'a/b/c/d']) {
      expect(() => parsePlatform(bad)).toThrow(LayerAuditError)
    }
  })
  it('lets a missing variant match any variant, but never two different ones', () => {
    expect(platformMatches({os: 'linux', architecture: 'arm64', variant: 'v8'}, parsePlatform('linux/arm64'))).toBe(true)
    expect(platformMatches({os: 'linux', architecture: 'arm', variant: 'v6'}, parsePlatform('linux/arm/v7'))).toBe(false)
    expect(platformMatches({os: 'linux', architecture: 'amd64'}, parsePlatform('linux/arm64'))).toBe(false)
  })
})
