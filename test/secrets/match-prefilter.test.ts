/**
 * findSecrets' keyword prefilter (one search for every pattern's keywords, dropping each keyword once
 * found) must find exactly what the plain algorithm finds: each pattern whose keyword occurs anywhere
 * in the text runs its regex over the whole text.
 */
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {findSecrets, judge, type SecretMatch} from '../../src/secrets/match.js'
import {SECRET_PATTERNS} from '../../src/secrets/patterns.js'

/** The reference: the algorithm before the fast paths. */
function plainFindSecrets(text: string): SecretMatch[] {
  const found: SecretMatch[] = []
  const seen = new Set<string>()
  for (const pattern of SECRET_PATTERNS) {
    if (!pattern.keywords.some((k) => text.toLowerCase().includes(k.toLowerCase()))) continue
    const regex = new RegExp(pattern.regex.source, pattern.regex.flags.replace('g', '') + 'g')
    let m: RegExpExecArray | null
    while ((m = regex.exec(text)) !== null) {
      if (m[0].length === 0) {
        regex.lastIndex++
        continue
      }
      const secret = m.groups?.secret ?? m.groups?.secret2 ?? m[0]
      let name = m.groups?.name
      let start = m.index
      if (pattern.extendName) {
        while (start > 0 && m.index - start < 40 && /[A-Za-z0-9_.-]/.test(text[start - 1])) start--
        name = text.slice(start, m.index) + (name ?? '')
      }
      const lineStart = text.lastIndexOf('\n', start - 1) + 1
      const match = judge(pattern, secret, name, start, {quoted: m.groups?.secret !== undefined, linePrefix: text.slice(lineStart, start)})
      const at = `${m.index + Math.max(0, m[0].indexOf(secret))}\0${match?.normalized}`
      if (!match || seen.has(at)) continue
      seen.add(at)
      found.push(match)
    }
  }
  return found.sort((a, b) => a.index - b.index)
}

const view = (ms: SecretMatch[]) => ms.map((m) => ({id: m.pattern.id, index: m.index, secret: m.secret, name: m.name, severity: m.severity}))

describe('findSecrets keyword prefilter', () => {
  it('finds what the plain algorithm finds on every example of every pattern, alone and mixed', () => {
    const examples = SECRET_PATTERNS.flatMap((p) => [...p.truePositives, ...p.falsePositives])
    for (const text of [...examples, examples.join('\n'), examples.join(' '), examples.reverse().join('\nTOKEN=')]) {
      expect(view(findSecrets(text)), text).toEqual(view(plainFindSecrets(text)))
    }
  })

  it('finds what the plain algorithm finds on random mixes of keywords, names and values', () => {
    const pieces = [
      ...new Set(SECRET_PATTERNS.flatMap((p) => [...p.keywords, ...p.keywords.map((k) => k.toUpperCase())])),
      'session_token', 'SecretToken', 'api-key', 'auth-key', 'authkey', 'private-key', 'credentials', 'PASSWORD', '_', '=', ': ', ' = ', '"', "'", '\n', ' ',
      'ZBQRZ8NiyDfJhI5M1qN0', 'AKIA3RXLOOTHEM5S6DSZ', 'mft807tamsI5BR1lESjyXl1PUqZ+QlZA2/zFT2a0', 'AWM4tS^EmTWxRedU', 'export ', 'ghp_', 'x'.repeat(36),
    ]
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), {maxLength: 60}), (parts) => {
        const text = parts.join('')
        expect(view(findSecrets(text))).toEqual(view(plainFindSecrets(text)))
      }),
      {numRuns: 2000},
    )
  })
})
