/** Every pattern's own true and false positives (gitleaks style), plus the value helpers. */
import {describe, expect, it} from 'vitest'
import {characterClasses, shannonEntropy} from '../../src/secrets/entropy.js'
import {findSecrets} from '../../src/secrets/match.js'
import {SECRET_PATTERNS} from '../../src/secrets/patterns.js'
import {isPlaceholder} from '../../src/secrets/placeholder.js'
import {clip, fingerprint, redact, redactKnown} from '../../src/secrets/redact.js'
import {isSecretName} from '../../src/secrets/secret-names.js'

describe.each(SECRET_PATTERNS.map((p) => [p.id, p] as const))('pattern %s', (_id, pattern) => {
  it('has lower-case keywords that its true positives contain', () => {
    expect(pattern.keywords.length).toBeGreaterThan(0)
    for (const keyword of pattern.keywords) expect(keyword).toBe(keyword.toLowerCase())
    for (const sample of pattern.truePositives) {
      expect(pattern.keywords.some((k) => sample.toLowerCase().includes(k)), sample).toBe(true)
    }
  })

  it.each(pattern.truePositives.map((s) => [s]))('finds %s', (sample) => {
    const found = findSecrets(sample, [pattern])
    expect(found, sample).toHaveLength(1)
    expect(found[0].severity).toBe(pattern.severity)
    expect(found[0].secret.length).toBeGreaterThanOrEqual(8)
  })

  it.each(pattern.falsePositives.map((s) => [s]))('ignores %s', (sample) => {
    expect(findSecrets(sample, [pattern])).toEqual([])
  })
})

describe('pattern data', () => {
  it('has unique ids and at least two examples of each kind', () => {
    const ids = SECRET_PATTERNS.map((p) => p.id)
    expect(new Set(ids).size).toBe(ids.length)
    for (const p of SECRET_PATTERNS) {
      expect(p.truePositives.length, p.id).toBeGreaterThanOrEqual(1)
      expect(p.falsePositives.length, p.id).toBeGreaterThanOrEqual(2)
    }
  })

  it('reports AWS documentation keys as notes, never drops them', () => {
    const found = findSecrets('AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n')
    expect(found.map((m) => [m.pattern.id, m.severity, m.example])).toEqual([
      ['aws-access-key-id', 'note', true],
      ['aws-secret-access-key', 'note', true],
    ])
  })

  it('keeps one secret found by two patterns once (the more specific one)', () => {
    const found = findSecrets('GITHUB_TOKEN=ghp_GzHTEqj1QD0XxObFg97I7cG85aaHYFpYvBJn')
    expect(found.map((m) => m.pattern.id)).toEqual(['github-token'])
  })
})

describe('redaction', () => {
  it('shows at most 6 characters of a secret and masks short ones', () => {
    expect(redact('AKIA3RXLOOTHEM5S6DSZ')).toBe('AKIA…SZ')
    expect(redact('mft807tamsI5BR1lESjyXl1PUqZ+QlZA2/zFT2a0')).toBe('mft8…a0')
    expect(redact('hunter2hunter')).toBe('hu…r')
    expect(redact('hunter2')).toBe('••••')
    for (const s of ['a', 'abcdefghijk', 'abcdefghijklmnopqrs', 'abcdefghijklmnopqrstuvwxyz']) {
      expect(redact(s).replace(/[…•]/g, '').length).toBeLessThanOrEqual(6)
    }
  })

  it('fingerprints are stable sha256 prefixes', () => {
    expect(fingerprint('x')).toBe('sha256:2d711642b726b044')
    expect(fingerprint('AKIA3RXLOOTHEM5S6DSZ')).toMatch(/^sha256:[0-9a-f]{16}$/)
  })

  it('redacts every known occurrence inside a line, longest first, before clipping', () => {
    const line = '|2 A=AKIA3RXLOOTHEM5S6DSZ B=mft807tamsI5BR1lESjyXl1PUqZ+QlZA2/zFT2a0 /bin/sh -c echo AKIA3RXLOOTHEM5S6DSZ'
    const out = redactKnown(line, ['AKIA3RXLOOTHEM5S6DSZ', 'mft807tamsI5BR1lESjyXl1PUqZ+QlZA2/zFT2a0'])
    expect(out).toBe('|2 A=AKIA…SZ B=mft8…a0 /bin/sh -c echo AKIA…SZ')
    expect(clip(out, 10)).toBe('|2 A=AKIA…')
  })
})

describe('value helpers', () => {
  it('tells placeholders from values', () => {
    for (const p of ['', '${TOKEN}', '$TOKEN', '${TOKEN:-x}', '{{ .Values.token }}', '<token>', 'changeme', 'xxxxxxxx', '********', 'your_token_here', 'true', 'password', '%(pw)s']) {
      expect(isPlaceholder(p), p).toBe(true)
    }
    for (const v of ['AWM4tS^EmTWxRedU', 'hunter2hunter', 'MySecretPassw0rd!', 'ghp_GzHTEqj1QD0XxObFg97I7cG85aaHYFpYvBJn']) {
      expect(isPlaceholder(v), v).toBe(false)
    }
  })

  it('knows secret names by segment', () => {
    for (const n of ['AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_ACCESS_KEY_ID', 'GITHUB_TOKEN', 'DB_PASSWORD', 'NPM_TOKEN', 'STRIPE_API_KEY', 'JWT_PRIVATE_KEY', 'MYSQL_PASSWD', 'client_secret', 'SECRET']) {
      expect(isSecretName(n), n).toBe(true)
    }
    for (const n of ['TOKENIZERS_PARALLELISM', 'DB_PASSWORD_FILE', 'SECRET_ARN', 'PATH', 'LAYER_ARN', 'AWS_DEFAULT_REGION', 'TARGETPLATFORM', 'PASSWORD_MIN_LENGTH']) {
      expect(isSecretName(n), n).toBe(false)
    }
  })

  it('measures entropy and character classes', () => {
    expect(shannonEntropy('aaaa')).toBe(0)
    expect(shannonEntropy('abcd')).toBe(2)
    expect(characterClasses('abC1')).toBe(3)
  })
})
