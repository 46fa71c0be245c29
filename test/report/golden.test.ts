/**
 * Golden files: each format rendered from the hand-made fixture. Regenerate with
 *   UPDATE_GOLDEN=1 npx vitest run --config test/vitest.config.ts test/report/golden.test.ts
 * and read the diff before committing it.
 */
import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {renderReport, type RenderOptions, type ReportFormat} from '../../src/report/index.js'
import {fixtureReport, fixtureRules, passingReport} from './fixture.js'

const goldenDir = join(import.meta.dirname, 'golden')
const update = process.env.UPDATE_GOLDEN === '1'
// informationUri '' is "no home page", as package.json has none: rule ids are not links (whatever package.json says later).
const base: RenderOptions = {rules: fixtureRules, toolVersion: '0.0.0-test', informationUri: ''}

const cases: [file: string, format: ReportFormat, report: () => ReturnType<typeof fixtureReport>, options: RenderOptions][] = [
  ['compare.table.txt', 'table', fixtureReport, {...base, limit: 10}],
  ['compare.json', 'json', fixtureReport, base],
  ['compare.sarif', 'sarif', fixtureReport, base],
  ['compare.junit.xml', 'junit', fixtureReport, base],
  ['compare.md', 'markdown', fixtureReport, base],
  ['compare-fail-on-warning.table.txt', 'table', fixtureReport, {...base, failOn: 'warning', limit: 1}],
  // A terminal's width: every table fits 120 columns; at 80 the paths do not leave room, so findings are listed.
  ['compare-120.table.txt', 'table', fixtureReport, {...base, width: 120}],
  ['compare-80.table.txt', 'table', fixtureReport, {...base, width: 80}],
  ['scan-pass.table.txt', 'table', passingReport, {...base, rules: fixtureRules.filter((r) => r.scope === 'scan')}],
  ['scan-pass.md', 'markdown', passingReport, {...base, rules: fixtureRules.filter((r) => r.scope === 'scan')}],
  ['scan-pass.junit.xml', 'junit', passingReport, {...base, rules: fixtureRules.filter((r) => r.scope === 'scan')}],
]

describe('golden files', () => {
  it.each(cases)('%s', (file, format, report, options) => {
    const actual = renderReport(report(), format, options)
    const path = join(goldenDir, file)
    if (update || !existsSync(path)) {
      mkdirSync(goldenDir, {recursive: true})
      writeFileSync(path, actual)
      if (!update) throw new Error(`${file} was missing and has been written: review it, then run again`)
    }
    expect(actual).toBe(readFileSync(path, 'utf8'))
  })
})
