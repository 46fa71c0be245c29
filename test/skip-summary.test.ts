/**
 * The skip summary at the end of `npm test` (test/skip-summary-reporter.ts): a nested vitest run over a
 * throwaway suite, so tagging (test/helpers/skip-reason.ts), vitest's own summary, the order of the
 * closing lines and the exit code are all the real thing.
 */
import {spawnSync} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {REPO} from './helpers/cli.js'

const vitest = join(REPO, 'node_modules', 'vitest', 'vitest.mjs')
const reporter = join(REPO, 'test', 'skip-summary-reporter.ts')
const skipReason = join(REPO, 'test', 'helpers', 'skip-reason.ts')

/** Runs vitest with the default reporter and the skip summary over one test file holding `body`. */
function runSuite(body: string, args: string[] = []): {status: number | null; lines: string[]} {
  const dir = mkdtempSync(join(tmpdir(), 'layer-audit-skips-'))
  writeFileSync(join(dir, 'vitest.config.mjs'), `export default {test: {include: ['*.test.ts'], reporters: ['default', ${JSON.stringify(reporter)}]}}\n`)
  writeFileSync(join(dir, 'suite.test.ts'), `import {describe, it, expect} from 'vitest'\nimport {describeUnless, itUnless} from ${JSON.stringify(skipReason)}\n${body}`)
  const result = spawnSync(process.execPath, [vitest, 'run', '--config', join(dir, 'vitest.config.mjs'), '--root', dir, ...args], {
    encoding: 'utf8',
    env: {...process.env, NO_COLOR: '1', CI: '1'},
  })
  return {status: result.status, lines: result.stdout.trimEnd().split('\n')}
}

describe('the skip summary after a run', () => {
  it('counts the skipped tests by reason, after vitest\'s summary, and leaves the exit code alone', () => {
    const {status, lines} = runSuite(`
describeUnless('corpus not found at /x (set CORPUS)', 'corpus', () => {
  it('one', () => {})
  describe('nested', () => it('two', () => {}))
})
describeUnless(undefined, 'runs', () => it('three', () => {}))
itUnless('no Go', 'conformance', () => {})
it('at run time', (ctx) => ctx.skip('no network'))
it.skip('bare', () => {})
it('fails', () => expect(1).toBe(2))
`)
    expect(status).toBe(1)
    const summary = lines.findIndex((line) => /^\s*Tests\s+1 failed \| 1 passed \| 5 skipped \(7\)/.test(line))
    expect(summary, lines.join('\n')).toBeGreaterThan(-1)
    expect(lines.slice(summary + 1).filter((line) => line.trim() !== '' && !/^\s*(Start at|Duration)/.test(line))).toEqual([
      'skipped: 5 tests',
      '  2 tests — corpus not found at /x (set CORPUS)',
      '  1 test — no Go',
      '  1 test — no network',
      '  1 test — no reason recorded (suite.test.ts)',
    ])
  })

  it('says one reason on one line, and "none" when nothing was skipped', () => {
    const one = runSuite(`describeUnless('corpus not found at /x', 'corpus', () => { it('a', () => {}); it('b', () => {}) })\nit('c', () => {})\n`)
    expect(one.status).toBe(0)
    expect(one.lines.at(-1)).toBe('skipped: 2 tests — corpus not found at /x')
    const none = runSuite(`describeUnless(undefined, 'corpus', () => it('a', () => {}))\n`)
    expect(none.status).toBe(0)
    expect(none.lines.at(-1)).toBe('skipped: none')
  })

  it('names -t as the reason for the tests it leaves out', () => {
    const {lines} = runSuite(`it('wanted', () => {})\nit('other', () => {})\n`, ['-t', 'wanted'])
    expect(lines.at(-1)).toBe('skipped: 1 test — left out by -t wanted')
  })
})
