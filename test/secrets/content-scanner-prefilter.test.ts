/**
 * The content scan sieves bytes before it decodes them (window-matcher.ts): keywords and starts must be
 * found however chunks and windows cut them, in any case, at a file's very edges; and the scan must
 * report exactly what scanning every window's latin1 text with findSecrets reports.
 */
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {ContentScanner} from '../../src/secrets/content-scanner.js'
import {findSecrets} from '../../src/secrets/match.js'
import {feed} from './helpers.js'

const WINDOW = 256 * 1024
const OVERLAP = 8 * 1024
const GH = 'ghp_GzHTEqj1QD0XxObFg97I7cG85aaHYFpYvBJn'
const KEY_ID = 'AKIA3RXLOOTHEM5S6DSZ'
const SECRET_KEY = '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'

const hits = (scanner: ContentScanner) => scanner.result().secrets.map((h) => [h.pattern, h.line, h.occurrences, h.name])

/** The scan as documented, on strings: windows of WINDOW bytes overlapping by OVERLAP, a match reported by the window whose report zone holds it. */
function referenceHits(text: string, chunk: number): (string | number | undefined)[][] {
  const bytes = Buffer.from(text, 'latin1')
  const found = new Map<string, (string | number | undefined)[]>()
  let carry = ''
  let newlinesBefore = 0
  const flush = (part: Buffer, final: boolean) => {
    const window = carry + part.toString('latin1')
    const reportEnd = final ? window.length : Math.max(0, window.length - OVERLAP)
    for (const m of findSecrets(window)) {
      if (m.index >= reportEnd) continue
      const line = newlinesBefore + window.slice(0, m.index).split('\n').length
      const key = m.normalized // as the scanner: one hit per fingerprint
      const seen = found.get(key)
      if (seen) (seen[2] as number)++
      else found.set(key, [m.pattern.id, line, 1, m.name])
    }
    newlinesBefore += window.slice(0, reportEnd).split('\n').length - 1
    carry = window.slice(reportEnd)
  }
  let pending: Buffer[] = []
  let pendingBytes = 0
  for (let i = 0; i < bytes.length; i += chunk) {
    pending.push(bytes.subarray(i, i + chunk))
    pendingBytes += Math.min(chunk, bytes.length - i)
    if (pendingBytes >= WINDOW) {
      flush(Buffer.concat(pending), false)
      pending = []
      pendingBytes = 0
    }
  }
  flush(Buffer.concat(pending), true)
  return [...found.values()]
}

describe('ContentScanner prefilter', () => {
  it.each([1, 2, 3, 5, 7])('finds keywords cut by chunks of %i bytes, in upper and mixed case', (chunk) => {
    const text = `A=1\nDB_PassWord=AWM4tS^EmTWxRedU\nexport SERVICE_TOKEN=ZBQRZ8NiyDfJhI5M1qN0\nAWS_SECRET_ACCESS_KEY="${SECRET_KEY}"\n`
    const scanner = new ContentScanner()
    feed(scanner, '/app/.env', text, {chunk})
    expect(hits(scanner)).toEqual([
      ['generic-secret', 2, 1, 'DB_PassWord'],
      ['generic-secret', 3, 1, 'SERVICE_TOKEN'],
      ['aws-secret-access-key', 4, 1, undefined],
    ])
  })

  it('finds a keyword cut by the window boundary and by the report zone boundary, once, on its line', () => {
    for (const edge of [WINDOW, WINDOW - OVERLAP]) {
      // PASSWORD starts at edge + offset: the boundary falls inside it, at its first byte, or just before it.
      for (const offset of [-7, -4, -1, 0, 1]) {
        const head = `${'x'.repeat(edge + offset - 1)}\n`
        const text = `${head}PASSWORD=AWM4tS^EmTWxRedU\n${'y'.repeat(20_000)}\n`
        const scanner = new ContentScanner()
        feed(scanner, '/big.env', text, {chunk: 4096})
        expect(hits(scanner), `edge ${edge} offset ${offset}`).toEqual([['generic-secret', 2, 1, 'PASSWORD']])
      }
    }
  })

  it('finds secrets at the very start and the very end of a file', () => {
    const scanner = new ContentScanner()
    feed(scanner, '/start', `${KEY_ID} is the key`)
    feed(scanner, '/quoted-start', `'AWS_secret_KEY'="${SECRET_KEY}"\n`)
    feed(scanner, '/end', `# config\npassword=ZBQRZ8NiyDfJhI5M1qN0`)
    expect(scanner.result().secrets.map((h) => [h.path, h.pattern, h.line])).toEqual([
      ['/start', 'aws-access-key-id', 1],
      ['/quoted-start', 'aws-secret-access-key', 1],
      ['/end', 'generic-secret', 2],
    ])
  })

  it('finds a file that is only a secret, and nothing in a file that is only a keyword', () => {
    const scanner = new ContentScanner()
    for (const keyword of ['TOKEN', 'token', 'aws', 'AKIA', 'Password', '-----BEGIN', 'ghp_']) feed(scanner, `/kw-${keyword}`, keyword, {chunk: 1})
    feed(scanner, '/only-gh', GH)
    feed(scanner, '/only-key', KEY_ID, {chunk: 3})
    const {secrets, stats} = scanner.result()
    expect(secrets.map((h) => [h.path, h.pattern, h.line])).toEqual([
      ['/only-gh', 'github-token', 1],
      ['/only-key', 'aws-access-key-id', 1],
    ])
    expect(stats.filesScanned).toBe(9)
  })

  it('reports what the documented window algorithm on strings reports, for texts crossing windows in random chunks', () => {
    const pieces = [
      `DB_PASSWORD=AWM4tS^EmTWxRedU\n`, `api_key = 'ZBQRZ8NiyDfJhI5M1qN0'\n`, `${GH}\n`, `${KEY_ID} ${SECRET_KEY}\n`, `"AWS_SECRET_KEY": "${SECRET_KEY}"\n`,
      `Token: ZBQRZ8NiyDfJhI5M1qN0\n`, 'token ', 'PASSWORD', 'aws', '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIKn3gq0xYb7mW2pL9sT4vQ8uZ1cR5dE6fH2jK7lN0oP3oAoGCCqGSM49\n-----END EC PRIVATE KEY-----\n',
      'ÀÿÞ', '\r\n', ' = ', '"',
    ]
    const filler = (n: number) => `${'lorem ipsum dolor '.repeat(Math.ceil(n / 18)).slice(0, n - 1)}\n`
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(...pieces), fc.integer({min: 0, max: 120_000})), {minLength: 1, maxLength: 8}),
        fc.constantFrom(1000, 4096, 65536, 100_000),
        (parts, chunk) => {
          const text = parts.map(([piece, gap]) => (gap > 1 ? filler(gap) : '') + piece).join('')
          const scanner = new ContentScanner()
          feed(scanner, '/f', Buffer.from(text, 'latin1'), {chunk})
          expect(hits(scanner)).toEqual(referenceHits(text, chunk))
        },
      ),
      {numRuns: 40},
    )
  })
})
