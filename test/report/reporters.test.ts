import {describe, expect, it} from 'vitest'
import {renderReport, reporters, REPORT_FORMATS} from '../../src/report/index.js'
import {renderJson} from '../../src/report/json.js'
import {renderJunit} from '../../src/report/junit.js'
import {renderMarkdown} from '../../src/report/markdown.js'
import {renderTable} from '../../src/report/table.js'
import type {Report} from '../../src/audit/report.js'
import {exitCodeFor, summarize} from '../../src/audit/gate.js'
import type {Finding} from '../../src/rules/types.js'
import {fixtureReport, fixtureRules, passingReport} from './fixture.js'
import {HOSTILE_HOME, HOSTILE_PATH, HOSTILE_TEXT, hostileFindings, liveMarkup} from './hostile-markdown.js'
import {code} from '../../src/report/markdown-text.js'

const options = {rules: fixtureRules}
const ANSI = /\x1b\[[0-9;]*m/

function manyMissing(count: number): Report {
  const findings: Finding[] = Array.from({length: count}, (_, i) => ({
    rule: 'missing-file',
    severity: 'error',
    path: `/opt/python/lib/module_${String(i).padStart(3, '0')}.py`,
    message: 'missing',
  }))
  return {...fixtureReport(), findings, summary: summarize(findings)}
}

describe('reporters', () => {
  it('has one reporter per format', () => {
    expect(Object.keys(reporters).sort()).toEqual([...REPORT_FORMATS].sort())
    for (const format of REPORT_FORMATS) expect(reporters[format].format).toBe(format)
  })

  it('renders every format from a report without optional parts', () => {
    const bare: Report = {
      command: 'compare',
      image: {reference: 'x.tar', source: 'docker-archive', mediaType: 'm', platform: 'linux/amd64', layers: 0, compressedSize: 0, uncompressedSize: 0},
      findings: [{rule: 'unlisted', severity: 'note', message: 'a note'}],
      summary: {error: 0, warning: 0, note: 1, suppressed: 0},
    }
    for (const format of REPORT_FORMATS) expect(renderReport(bare, format, {rules: []})).toContain('unlisted')
  })
})

describe('table', () => {
  it('starts with the verdict line', () => {
    expect(renderTable(fixtureReport(), options).split('\n')[0]).toBe(
      'FAIL: 6 errors, 2 warnings, 2 notes (2 suppressed) — image fixtures/orders-api.tar vs function orders-api',
    )
    expect(renderTable(passingReport(), options).split('\n')[0]).toBe('PASS: no findings — image oci:build/layout:orders-api')
    expect(renderTable(fixtureReport(), {...options, failOn: 'never'}).split('\n')[0]).toMatch(/^REPORT \(--fail-on never\): 6 errors/)
  })

  it('colours only when asked', () => {
    expect(renderTable(fixtureReport(), options)).not.toMatch(ANSI)
    expect(renderTable(fixtureReport(), {...options, color: false})).not.toMatch(ANSI)
    expect(renderTable(fixtureReport(), {...options, color: true})).toMatch(ANSI)
  })

  it('truncates long groups with a count, and --verbose shows all', () => {
    const report = manyMissing(25)
    const short = renderTable(report, options)
    expect(short).toContain('module_009.py')
    expect(short).not.toContain('module_010.py')
    expect(short).toContain('… and 15 more (--verbose)')
    const all = renderTable(report, {...options, verbose: true})
    expect(all).toContain('module_024.py')
    expect(all).not.toContain('more (--verbose)')
    expect(renderTable(report, {...options, limit: 3})).toContain('… and 22 more (--verbose)')
  })

  it('lists suppressed findings separately, with their reasons', () => {
    const out = renderTable(fixtureReport(), options)
    const suppressedPart = out.slice(out.indexOf('suppressed (2, not counted)'))
    expect(suppressedPart).toContain('stamped with the build id at image build time')
    expect(suppressedPart).toContain('in baseline')
  })
})

describe('table: what a run adds to the findings', () => {
  it('names the config, folded rules and what --severity left out; --quiet keeps the failing findings and one verdict', () => {
    const report = fixtureReport()
    report.config = '../.layer-audit.yaml'
    report.findings = [
      {rule: 'extension-not-executable', severity: 'error', path: '/opt/extensions/x', message: 'mode 0644', alsoRules: ['mode-mismatch']},
    ]
    report.summary = summarize(report.findings)
    report.notShown = {count: 3, reason: '--severity error'}
    const table = renderTable(report, options)
    expect(table).toMatch(/^config: \.\.\/\.layer-audit\.yaml$/m)
    expect(table).toMatch(/extension-not-executable .*\(1\) \(also mode-mismatch\)/)
    expect(table).toContain('3 findings not listed (--severity error); the counts include them')
    const quiet = renderTable(report, {...options, quiet: true})
    expect(quiet).not.toMatch(/config:|not listed|not applicable|suppressed/)
    expect(quiet.trimEnd().split('\n').filter((line) => /^(FAIL|PASS)/.test(line))).toHaveLength(1)
    expect(quiet.trimEnd().split('\n').at(-1)).toMatch(/^FAIL: 1 error/)
    expect(quiet).toContain('/opt/extensions/x')
  })
})

describe('junit', () => {
  it('testcase names are stable across builds: never a message, unique within a suite', () => {
    const names = (xml: string) => [...xml.matchAll(/<testcase classname="([^"]*)" name="([^"]*)"/g)].map((m) => `${m[1]} ${m[2]}`)
    const report = fixtureReport()
    const before = names(renderJunit(report, options))
    expect(new Set(before).size).toBe(before.length)
    for (const finding of report.findings) expect(before.some((n) => n.endsWith(` ${finding.message}`)), finding.message).toBe(false)
    // A rebuild says it in other words (sizes, layer indexes): the names stay.
    const rebuilt = {...report, findings: report.findings.map((f) => ({...f, message: `${f.message} (rebuilt)`}))}
    expect(names(renderJunit(rebuilt, options))).toEqual(before)
  })

  it('has a suite for every rule, even rules without findings', () => {
    const xml = renderJunit(passingReport(), options)
    for (const rule of fixtureRules) expect(xml).toContain(`<testsuite name="${rule.id}"`)
    expect(xml).toContain('failures="0"')
  })

  it('fails only findings at or above --fail-on; suppressed ones are skipped', () => {
    const count = (xml: string, tag: string) => xml.split(`<${tag} `).length - 1
    const atError = renderJunit(fixtureReport(), options)
    expect(count(atError, 'failure')).toBe(6)
    expect(count(atError, 'skipped')).toBe(4) // 2 suppressed findings, 2 rules not applicable
    expect(count(renderJunit(fixtureReport(), {...options, failOn: 'warning'}), 'failure')).toBe(8)
    expect(count(renderJunit(fixtureReport(), {...options, failOn: 'note'}), 'failure')).toBe(10)
    expect(count(renderJunit(fixtureReport(), {...options, failOn: 'never'}), 'failure')).toBe(0)
  })

  it('escapes XML and drops characters XML cannot hold', () => {
    const report = fixtureReport()
    report.findings = [{rule: 'missing-file', severity: 'error', path: '/opt/a&b<c>"d"\u0001', message: 'bad\u0000 <chars> & "quotes"'}]
    report.summary = summarize(report.findings)
    const xml = renderJunit(report, options)
    expect(xml).toContain('name="/opt/a&amp;b&lt;c&gt;&quot;d&quot;"')
    expect(xml).toContain('message="bad &lt;chars&gt; &amp; &quot;quotes&quot;"')
    expect(xml).not.toMatch(/[\u0000\u0001]/)
  })
})

describe('markdown', () => {
  it('puts notes and suppressed findings in collapsed details, errors and warnings in the open', () => {
    const md = renderMarkdown(fixtureReport(), options)
    expect(md.split('\n')[0]).toBe('### ❌ layer-audit compare: FAIL')
    expect(md).toContain('#### Errors (6)')
    expect(md).toContain('#### Warnings (2)')
    expect(md).toContain('<details><summary>Notes (2)</summary>')
    expect(md).toContain('<details><summary>Suppressed (2)</summary>')
  })

  it("keeps a finding's line intact whatever the text holds", () => {
    const report = fixtureReport()
    report.findings = [{rule: 'missing-file', severity: 'error', path: '/opt/a|b`c', message: 'line one\nline | two <script>'}]
    report.summary = summarize(report.findings)
    const row = renderMarkdown(report, options).split('\n').find((line) => line.includes('line one'))!
    // A line break in a message is shown escaped (its backslash escaped too), never breaks the row.
    expect(row).toContain('line one\\\\nline \\| two &lt;script&gt;')
    // Outside a table a pipe needs no escape in code; the fence outlasts the backtick inside.
    expect(row).toContain('``/opt/a|b`c``')
  })

  it("lists each rule's findings with its fix once, and no table is wider than a PR comment shows", () => {
    const md = renderMarkdown(fixtureReport(), options)
    for (const rule of fixtureRules) {
      if (!fixtureReport().findings.some((f) => f.rule === rule.id && !f.suppressed)) continue
      expect(md.split(`Fix: `).length - 1, rule.id).toBeGreaterThan(0)
      expect(md, rule.id).toContain(`**\`${rule.id}\`**`)
    }
    // One fix a rule group (a group starts with its rule in bold).
    const lines = md.split('\n')
    expect(lines.filter((line) => line.startsWith('Fix: ')).length).toBe(lines.filter((line) => line.startsWith('**`')).length)
    for (const line of md.split('\n').filter((l) => l.startsWith('|'))) expect(line.length, line).toBeLessThanOrEqual(100)
  })

  it('renders every text from a hostile image literally, and keeps our headings, rule links and fixes', () => {
    const report = fixtureReport()
    report.image = {...report.image, reference: `evil.tar ${HOSTILE_TEXT}`}
    report.warnings = [HOSTILE_TEXT]
    const suppressed = {...hostileFindings('extra-file')[0]!, severity: 'note' as const, suppressed: {reason: HOSTILE_TEXT}}
    report.findings = [...hostileFindings('missing-file'), suppressed]
    report.summary = summarize(report.findings)
    report.notApplicable = [{rule: 'handler-missing', reason: HOSTILE_TEXT}]
    const md = renderMarkdown(report, {...options, informationUri: HOSTILE_HOME})
    // The check sees every kind of markup in the raw text, and none in the report.
    expect(liveMarkup(`- 1. ${HOSTILE_TEXT}`)).toEqual(['link', 'nested list', 'autolink', 'html', 'entity', 'mention', 'reference', 'emphasis'])
    expect(liveMarkup(md)).toEqual([])
    // The path, in code, stays as it is (copyable); the message that names it shows it in code too.
    expect(md).toContain(`in ${code(HOSTILE_PATH)}`)
    expect(code(HOSTILE_PATH)).toBe('```/opt/[p](https://evil.example)/@octocat/``x`/<script>```')
    expect(md).toContain(`**[\`missing-file\`](${HOSTILE_HOME}/blob/main/docs/rules/missing-file.md)** File from the zip function`)
    expect(md).toContain('#### Errors (2)')
    expect(md).toContain('Fix: COPY the layer contents into /opt (COPY --from=&lt;layer image&gt; /opt/ /opt/).')
    expect(md).toContain('> **Warning:** \\[click\\](https:\u2060//evil.example/login)')
  })

  it('shows the rules a finding folded in beside its rule', () => {
    const report = fixtureReport()
    report.findings = [{rule: 'extension-not-executable', severity: 'error', path: '/opt/extensions/x', message: 'mode 0644', alsoRules: ['mode-mismatch']}]
    report.summary = summarize(report.findings)
    expect(renderMarkdown(report, options)).toMatch(/\*\*`extension-not-executable`\*\*.*\(also `mode-mismatch`\)/)
  })

  it('shortens long lists', () => {
    expect(renderMarkdown(manyMissing(60), options)).toContain('… and 10 more')
    expect(renderMarkdown(manyMissing(60), {...options, verbose: true})).not.toContain('more (run with')
  })
})

describe('rules that did not apply', () => {
  /** A clean compare in which two rules could not run: a pass, with the two listed and counted nowhere. */
  function passWithNotApplicable(): Report {
    return {
      ...passingReport(),
      command: 'compare',
      notApplicable: [
        {rule: 'handler-missing', reason: 'a layer image: no ENTRYPOINT or CMD; check the function image that copies it'},
        {rule: 'entrypoint-invalid', reason: 'a layer image: no ENTRYPOINT or CMD; check the function image that copies it'},
        {rule: 'extra-file', reason: 'no zip side to compare with'},
      ],
    }
  }

  it('never counts for the gate or in the counts', () => {
    const report = passWithNotApplicable()
    expect(report.summary).toEqual({error: 0, warning: 0, note: 0, suppressed: 0})
    expect(exitCodeFor(report.summary, 'note')).toBe(0)
    for (const failOn of ['error', 'note'] as const) expect(renderTable(report, {...options, failOn}).split('\n')[0]).toMatch(/^PASS: no findings/)
    expect(renderMarkdown(report, {...options, failOn: 'note'}).split('\n')[0]).toBe('### ✅ layer-audit compare: PASS')
  })

  it('table: one dim line after the findings, rules sharing a reason named once, never in a findings table', () => {
    const out = renderTable({...fixtureReport(), notApplicable: passWithNotApplicable().notApplicable}, options)
    const lines = out.split('\n')
    const line = lines.findIndex((l) => l.startsWith('not applicable: '))
    expect(lines[line]).toBe(
      'not applicable: extra-file (no zip side to compare with); handler-missing, entrypoint-invalid (a layer image: no ENTRYPOINT or CMD; check the function image that copies it)',
    )
    expect(lines.filter((l) => l.includes('not applicable'))).toHaveLength(1)
    expect(line).toBeGreaterThan(lines.findIndex((l) => l.startsWith('suppressed (')))
    expect(renderTable(passWithNotApplicable(), {...options, color: true})).toContain('\x1b[2mnot applicable: ')
    expect(renderTable(passingReport(), options)).not.toContain('not applicable')
  })

  it('json: a notApplicable array of {rule, reason}, always present', () => {
    expect(JSON.parse(renderJson(passWithNotApplicable())).notApplicable).toEqual(passWithNotApplicable().notApplicable)
    expect(JSON.parse(renderJson(passingReport())).notApplicable).toEqual([])
  })

  it('junit: a skipped testcase per rule, no failure, the reason as message', () => {
    const xml = renderJunit(passWithNotApplicable(), options)
    expect(xml).toContain('<testcase classname="layer-audit.compare.handler-missing" name="handler-missing: not applicable" time="0">')
    expect(xml).toContain('<skipped message="not applicable: no zip side to compare with"/>')
    expect(xml).not.toContain('extra-file: no findings')
    expect(xml).toMatch(/<testsuites [^>]* failures="0" errors="0" skipped="3"/)
  })

  it('markdown: a collapsed list after the findings', () => {
    const md = renderMarkdown(passWithNotApplicable(), options)
    expect(md).toContain('<details><summary>Not applicable (3, not checked)</summary>')
    expect(md).toContain('- `extra-file`: no zip side to compare with')
    expect(md).not.toContain('#### ')
  })
})
