/**
 * The window matcher (trigram filter, exact check of each candidate, regex tried at starts only, keyword
 * gate looked up after a match) must find exactly what findSecrets finds on the window decoded as latin1.
 */
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {compile, findSecrets, type SecretMatch} from '../../src/secrets/match.js'
import {SECRET_PATTERNS, type SecretPattern} from '../../src/secrets/patterns.js'
import {WindowMatcher} from '../../src/secrets/window-matcher.js'

const view = (ms: SecretMatch[]) => ms.map((m) => ({id: m.pattern.id, index: m.index, secret: m.secret, name: m.name, severity: m.severity}))

const matchers = {wasm: new WindowMatcher(), js: new WindowMatcher(undefined, {wasm: false})}

function findInWindow(matcher: WindowMatcher, text: string): SecretMatch[] {
  const bytes = Buffer.from(text, 'latin1')
  // In uneven parts, as a window of chunks is loaded.
  const parts = [bytes.subarray(0, bytes.length >> 2), bytes.subarray(bytes.length >> 2, bytes.length >> 1), bytes.subarray(bytes.length >> 1)]
  matcher.load(parts, bytes.length)
  return matcher.find()
}

/** Some characters upper-, some lower-cased; a latin1 character whose other case is not latin1 (ÿ, µ) is kept. */
const randomCase = (s: string, flips: boolean[]) =>
  [...s].map((ch, i) => (flips[i % flips.length] ? ch.toUpperCase() : ch.toLowerCase())).map((ch, i) => (ch.charCodeAt(0) > 0xff ? s[i] : ch)).join('')

describe('WindowMatcher', () => {
  it('every default pattern says where its matches start (else its regex scans every window whole)', () => {
    for (const pattern of SECRET_PATTERNS) expect(pattern.startsWithKeyword || (pattern.starts?.length ?? 0) > 0, pattern.id).toBe(true)
  })

  it('finds what findSecrets finds on every example of every pattern, alone, mixed and upper-cased', () => {
    const examples = SECRET_PATTERNS.flatMap((p) => [...p.truePositives, ...p.falsePositives])
    const texts = [...examples, examples.join('\n'), examples.join(' '), examples.map((e) => e.toUpperCase()).join('\n'), examples.reverse().join('\nTOKEN=')]
    for (const [mode, matcher] of Object.entries(matchers)) {
      for (const text of texts) expect(view(findInWindow(matcher, text)), `${mode}: ${text}`).toEqual(view(findSecrets(text)))
    }
  })

  it('finds what findSecrets finds on random mixes of keywords, starts, names, values and latin1 bytes', () => {
    const pieces = [
      ...new Set(SECRET_PATTERNS.flatMap((p) => [...p.keywords, ...(p.starts ?? [])])),
      'aws_security_token', 'AWS_SECURITYTOKEN', 'aws_session_token', 'SessionToken', 'IQoJb3JpZ2luX2Vj', 'FwoGZXIvYXdzE', '-----BEGIN RSA PRIVATE KEY-----\n',
      '_', '-', '=', ': ', ' = ', ':=', '=>', '\t=\t', '"', "'", '`', '\n', ' ', '\t', 'export ', 'Name', '9', 'ZBQRZ8NiyDfJhI5M1qN0', 'AKIA3RXLOOTHEM5S6DSZ', 'mft807tamsI5BR1lESjyXl1PUqZ+QlZA2/zFT2a0',
      'IQoJb3JpZ2luX2Vj9bmSLLjWjXs5Q7Hnq8zvbQuiJBYWSULDcM2EIK3NDdDPcmtPz4ihvm/bLPugAe+ORzdCqWK70k28axm0svE6bcinAphf15bHJHlt37u0UVPTm4P2IX5FpbjH',
      'MIIEowIBAAKCAQEAu/Nua0/1y08gkbnBfKd6VDHia8Na0ATgMQqZ4YEbi/t73g84\n', 'AWM4tS^EmTWxRedU', 'x'.repeat(36), 'À', 'ÿ', '\u00b5', '\r\n',
    ]
    const piece = fc.tuple(fc.constantFrom(...pieces), fc.array(fc.boolean(), {minLength: 1, maxLength: 5}), fc.boolean()).map(([p, flips, keep]) => (keep ? p : randomCase(p, flips)))
    fc.assert(
      fc.property(fc.array(piece, {maxLength: 50}), (parts) => {
        const text = parts.join('')
        const expected = view(findSecrets(text))
        expect(view(findInWindow(matchers.wasm, text))).toEqual(expected)
        expect(view(findInWindow(matchers.js, text))).toEqual(expected)
      }),
      {numRuns: 1500},
    )
  })

  it('finds the same after long text with no try in it (not decoded), on many lines or one', () => {
    const keys = [
      'AKIA3RXLOOTHEM5S6DSZ mft807tamsI5BR1lESjyXl1PUqZ+QlZA2/zFT2a0', "  const api_key = 'ZBQRZ8NiyDfJhI5M1qN0'",
      'export AWS_SECRET_ACCESS_KEY=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', 'my_db_password: "ZBQRZ8NiyDfJhI5M1qN0"',
    ]
    const filler = fc.tuple(fc.constantFrom('lorem ipsum dolor sit amet ', 'x', 'the laws of\n', '\n', 'a=b; '), fc.integer({min: 0, max: 4000})).map(([f, n]) => f.repeat(n))
    fc.assert(
      fc.property(filler, fc.constantFrom(...keys), filler, fc.constantFrom('\n', ' ', '\n\n'), (before, key, after, join) => {
        const text = before + join + key + join + after
        const expected = view(findSecrets(text))
        expect(expected.length).toBeGreaterThan(0)
        expect(view(findInWindow(matchers.wasm, text))).toEqual(expected)
        expect(view(findInWindow(matchers.js, text))).toEqual(expected)
      }),
      {numRuns: 200},
    )
  })

  it('reads the keyword gate in the whole window, the text before the first try too (a custom pattern)', () => {
    const pattern: SecretPattern = {
      id: 'zebra', description: 'zebra', keywords: ['zebra'], regex: /qq-[0-9]{6}/, starts: ['qq-'], severity: 'note', truePositives: [], falsePositives: [],
    }
    const matcher = new WindowMatcher(compile([pattern]))
    const tail = `${'filler line\n'.repeat(500)}value qq-123456\n`
    expect(findInWindow(matcher, `zebra\n${tail}`).map((m) => [m.secret, m.index])).toEqual([['qq-123456', 6 + 12 * 500 + 6]])
    expect(view(findInWindow(matcher, `zebra\n${tail}`))).toEqual(view(findSecrets(`zebra\n${tail}`, [pattern])))
    expect(findInWindow(matcher, `zebu\n${tail}`)).toEqual([])
  })

  it('keeps every shape of assignment after a generic name (quotes, blanks, :=, =>), and finds what findSecrets finds', () => {
    const value = 'ZBQRZ8NiyDfJhI5M1qN0'
    const texts = [
      `{'password': '${value}'}`, `{"Api_Key"\t:\t"${value}"}`, `api_key'= "${value}"`, `TOKEN\t:= ${value}`, `secret => "${value}"`,
      `db_Password-2="${value}"`, `auth-key:'${value}'`, `credentials = "${value}"`,
    ]
    for (const text of texts) {
      const found = findInWindow(matchers.wasm, text)
      expect(found.map((m) => m.pattern.id), text).toEqual(['generic-secret'])
      expect(view(found), text).toEqual(view(findSecrets(text)))
    }
  })

  it('finds the same where a pattern\'s starts are dense (its regex then scans the window whole), and in the next window', () => {
    const key = 'AKIA3RXLOOTHEM5S6DSZ mft807tamsI5BR1lESjyXl1PUqZ+QlZA2/zFT2a0'
    const dense = `${'aws_AKIA'.repeat(5000)}\n${key}\naws_secret_access_key = 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\n${'AkIa '.repeat(3000)}`
    for (const [mode, matcher] of Object.entries(matchers)) {
      const found = findInWindow(matcher, dense)
      expect(found.map((m) => m.pattern.id), mode).toEqual(['aws-access-key-id', 'aws-secret-access-key-pair', 'aws-secret-access-key'])
      expect(view(found), mode).toEqual(view(findSecrets(dense)))
      // The next, sparse window is checked afresh (anchors saturated in the dense one are not skipped here).
      expect(findInWindow(matcher, `x ${key}\n`).map((m) => m.pattern.id), mode).toEqual(['aws-access-key-id', 'aws-secret-access-key-pair'])
    }
  })

  it('finds a private key after a run of dashes (its start is sieved by a trigram past the dashes)', () => {
    const pem = '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIKn3gq0xYb7mW2pL9sT4vQ8uZ1cR5dE6fH2jK7lN0oP3oAoGCCqGSM49\n-----END EC PRIVATE KEY-----\n'
    for (const text of [`${'-'.repeat(5000)}${pem}`, `---${pem}`, pem, `--${pem.toLowerCase()}`]) {
      expect(view(findInWindow(matchers.wasm, text)), text.slice(0, 40)).toEqual(view(findSecrets(text)))
    }
    expect(findInWindow(matchers.wasm, `${'-'.repeat(5000)}${pem}`).map((m) => [m.pattern.id, m.index])).toEqual([['private-key', 5000]])
  })

  it('tries starts in order when one start\'s trigram sits inside another\'s literal (custom patterns)', () => {
    // Both literals are sieved by "--b" at one place: "--beg" is found first but starts 3 bytes after "-----begin".
    const pattern: SecretPattern = {
      id: 'marker', description: 'marker', keywords: ['begin'], regex: /-----BEGIN|--BEG/, severity: 'note',
      starts: ['--beg', '-----begin'], truePositives: [], falsePositives: [],
    }
    const matcher = new WindowMatcher(compile([pattern]))
    const text = 'x -----BEGIN y'
    expect(findInWindow(matcher, text).map((m) => [m.index, m.secret])).toEqual([[2, '-----BEGIN']])
    expect(view(findInWindow(matcher, text))).toEqual(view(findSecrets(text, [pattern])))
  })

  it('reports a match whose keyword only occurs elsewhere in the window, and not without it', () => {
    // aws_securitytoken is no keyword of aws-session-token (security_token, session_token are): the regex
    // matches, the keyword gate decides, looked up in the whole window, here at its very end.
    const token = 'IQoJb3JpZ2luX2Vj9bmSLLjWjXs5Q7Hnq8zvbQuiJBYWSULDcM2EIK3NDdDPcmtPz4ihvm/bLPugAe+ORzdCqWK70k28axm0svE6bcinAphf15bHJHlt37u0UVPTm4P2IX5FpbjH'
    // Longer than generic-secret's 200 characters, so only aws-session-token can take it.
    const line = `AWS_SECURITYTOKEN=${token.replace('IQoJb3JpZ2luX2Vj', 'Zm9vYmFyYmF6cXV4').repeat(2)}\n`
    const ids = (text: string) => findInWindow(matchers.wasm, text).map((m) => m.pattern.id)
    expect(ids(line)).toEqual([])
    expect(ids(`${line}# SECURITY_TOKEN`)).toEqual(['aws-session-token'])
    expect(view(findInWindow(matchers.wasm, `${line}# SECURITY_TOKEN`))).toEqual(view(findSecrets(`${line}# SECURITY_TOKEN`)))
  })

  it('finds a quoted key whose match starts one character before its "aws" start, at the window start', () => {
    const text = `'AWS_secret_KEY'="fNXrxYVbvPdb83IE7yVplKe1vnUsxlYrXyLJ2uOT"`
    const found = findInWindow(matchers.wasm, text)
    expect(found.map((m) => [m.pattern.id, m.index])).toEqual([['aws-secret-access-key', 0]])
  })
})
