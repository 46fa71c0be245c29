/**
 * The table at a terminal's width: every line fits, and no value a fix asks the user to copy (a path, a
 * digest, an ARN) is cut or split across lines — whatever the width, with or without colour.
 */
import {describe, expect, it} from 'vitest'
import {summarize} from '../../src/audit/gate.js'
import type {Report} from '../../src/audit/report.js'
import {renderDiffTable} from '../../src/report/diff/table.js'
import {renderTable} from '../../src/report/table.js'
import {cutAtWord, displayWidth, hangingWrap, wrapWords} from '../../src/report/text-wrap.js'
import {diffReport} from './diff-fixture.js'
import {fixtureReport, fixtureRules} from './fixture.js'

const ANSI = /\x1b\[[0-9;]*m/g
const plain = (text: string) => text.replace(ANSI, '')
const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`
const ARN = 'arn:aws:lambda:eu-west-1:123456789012:layer:datadog-extension-for-orders-api:42'
const LONG_PATH = '/opt/python/lib/python3.12/site-packages/orders_api/handlers/very/deeply/nested/module.py'

/** The fixture, plus findings whose values are longer than a narrow terminal's line. */
function reportWithLongValues(): Report {
  const base = fixtureReport()
  const findings = [
    ...base.findings,
    {rule: 'missing-file', severity: 'error' as const, path: LONG_PATH, message: `file from layer ${ARN} (blob ${DIGEST}) is not in the image`, source: ARN},
  ]
  return {...base, findings, summary: summarize(findings)}
}

/** Values that must appear whole on one line of every rendering. */
const VALUES = [DIGEST, ARN, LONG_PATH, '/opt/nodejs/node_modules/dd-trace/index.js', 'fixtures/orders-api.tar']

/** A line may be wider than the width only when it holds a single value longer than the line. */
function overflowing(text: string, width: number): string[] {
  return plain(text)
    .split('\n')
    .filter((line) => displayWidth(line) > width && line.trim().split(/\s+/).length > 1)
}

describe('table at a terminal width', () => {
  it.each([24, 40, 60, 80, 100, 120, 160, 200])('fits %i columns and keeps every value whole', (width) => {
    for (const color of [false, true]) {
      const out = renderTable(reportWithLongValues(), {rules: fixtureRules, width, color})
      expect(overflowing(out, width), `width ${width}`).toEqual([])
      const lines = plain(out).split('\n')
      for (const value of VALUES) expect(lines.some((line) => line.includes(value)), `${value} at ${width}`).toBe(true)
      // The verdict ends the report (a CI log's tail): its last line from 60 columns on, its last lines below.
      const verdict = 'FAIL: 7 errors, 2 warnings, 2 notes (2 suppressed)'
      if (width >= 60) expect(lines.filter((line) => line.trim() !== '').at(-1)!.startsWith(verdict)).toBe(true)
      else expect(lines.join(' ').trimEnd().endsWith(verdict)).toBe(true)
    }
  })

  it('lists the findings under their paths when a table would not fit, and keeps tables where all fit', () => {
    const narrow = renderTable(fixtureReport(), {rules: fixtureRules, width: 80})
    expect(narrow).not.toContain('┌')
    expect(narrow).toContain('  /opt/nodejs/node_modules/dd-trace/index.js\n    file from layer datadog-node.zip is not in the image\n')
    const wide = renderTable(fixtureReport(), {rules: fixtureRules, width: 160})
    expect(wide).toContain('┌')
    expect(overflowing(wide, 160)).toEqual([])
  })

  it('without a width, lines are as long as they are (a pipe, a CI log)', () => {
    const out = renderTable(reportWithLongValues(), {rules: fixtureRules})
    expect(plain(out).split('\n')[0]).toBe('FAIL: 7 errors, 2 warnings, 2 notes (2 suppressed) — image fixtures/orders-api.tar vs function orders-api')
    expect(out).toContain(ARN)
  })

  it('with --verbose, every value is still whole', () => {
    const out = renderTable(reportWithLongValues(), {rules: fixtureRules, width: 60, verbose: true})
    for (const value of VALUES) expect(plain(out)).toContain(value)
    expect(overflowing(out, 60)).toEqual([])
  })
})

describe('text wrap', () => {
  it('breaks at spaces only, a word longer than the line on a line of its own', () => {
    expect(wrapWords('aa bb cc dd', 5)).toEqual(['aa bb', 'cc dd'])
    expect(wrapWords(`see ${DIGEST} now`, 20)).toEqual(['see', DIGEST, 'now'])
    expect(wrapWords('  indented text here', 12)).toEqual(['  indented', 'text here'])
    expect(wrapWords('one\ntwo three', 5)).toEqual(['one', 'two', 'three'])
  })

  it('hangs continuation lines under the text', () => {
    expect(hangingWrap('fix: ', 'chmod the file in the Dockerfile', 20)).toEqual(['fix: chmod the file', '     in the', '     Dockerfile'])
    expect(hangingWrap('fix: ', 'chmod the file', undefined)).toEqual(['fix: chmod the file'])
  })

  it('cuts a summary after a whole word, never inside one', () => {
    expect(cutAtWord(`ADD file:${'ab'.repeat(32)} in /`, 40)).toBe('ADD …')
    expect(cutAtWord('short', 40)).toBe('short')
  })

  it('counts columns as a terminal does, never fewer', () => {
    expect(displayWidth('abc')).toBe(3)
    expect(displayWidth('— → …')).toBe(5)
    expect(displayWidth('日本')).toBe(4)
    expect(displayWidth('e\u0301')).toBe(1)
  })
})

describe('diff table at a terminal width', () => {
  it('history lines end in "…" after a whole word; --verbose shows them whole', () => {
    const report = diffReport(`/bin/sh -c #(nop) ADD file:${'5b'.repeat(32)} in /`)
    const short = renderDiffTable(report, {width: 80})
    expect(short).toContain('      /bin/sh -c #(nop) ADD …\n')
    expect(overflowing(short, 80)).toEqual([])
    const all = renderDiffTable(report, {width: 60, verbose: true})
    // Too long for its indented line, the digest starts at the left edge: one line the terminal does not wrap.
    expect(all).toContain(`\n      /bin/sh -c #(nop) ADD\nfile:${'5b'.repeat(32)}\n      in /\n`)
    expect(overflowing(all, 60)).toEqual([])
  })
})
