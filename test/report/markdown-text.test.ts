/** Untrusted text in GitHub-flavoured Markdown: shown as it is, never a link, a mention or markup. */
import {describe, expect, it} from 'vitest'
import {renderDiffMarkdown} from '../../src/report/diff/markdown.js'
import {cellCode, code, literal, prose} from '../../src/report/markdown-text.js'
import {diffReport} from './diff-fixture.js'
import {HOSTILE_PATH, HOSTILE_TEXT, liveMarkup} from './hostile-markdown.js'

describe('code spans', () => {
  it('fence one backtick longer than any run inside, padded where a backtick or space would be lost', () => {
    expect(code('/opt/a')).toBe('`/opt/a`')
    expect(code('a`b')).toBe('``a`b``')
    expect(code('a``b`')).toBe('``` a``b` ```')
    expect(code(' x ')).toBe('`  x  `')
    expect(code('a|b')).toBe('`a|b`')
    expect(cellCode('a|b')).toBe('`a\\|b`')
    expect(code('e\u001b[31m')).toBe('`e\\x1b[31m`')
  })
})

describe('literal', () => {
  it('escapes markup, breaks autolinks, mentions and references with an invisible word joiner', () => {
    expect(literal('[a](https://x.example) @bob #12 www.x.example')).toBe('\\[a\\](https:\u2060//x.example) @\u2060bob \\#\u206012 www\u2060.x.example')
    expect(literal('<b>&amp;</b> *a* _b_ `c` ~d~ $e$ | f \\')).toBe('&lt;b&gt;&amp;amp;&lt;/b&gt; \\*a\\* \\_b\\_ \\`c\\` \\~d\\~ \\$e\\$ \\| f \\\\')
  })

  it('does not start a nested list or rule when it starts a list item, and leaves numbers alone', () => {
    expect(literal('- x')).toBe('\\- x')
    expect(literal('---')).toBe('\\---')
    expect(literal('12. x')).toBe('12\\. x')
    expect(literal('9.4 GiB')).toBe('9.4 GiB')
  })

  it('is not applied to our own prose, whose code spans stay code', () => {
    expect(prose('RUN chmod 755 /opt/extensions/* or `COPY --chmod=755 <x>`')).toBe('RUN chmod 755 /opt/extensions/\\* or `COPY --chmod=755 <x>`')
  })
})

describe('diff markdown', () => {
  it('renders references, config, paths and history from hostile images literally', () => {
    const report = diffReport(`/bin/sh -c ${HOSTILE_TEXT}`, HOSTILE_PATH)
    report.a = {...report.a, reference: HOSTILE_PATH}
    report.config = [{key: 'labels', name: HOSTILE_TEXT, kind: 'added', b: HOSTILE_TEXT}]
    report.summary = {...report.summary, config: 1}
    const md = renderDiffMarkdown(report)
    expect(liveMarkup(md)).toEqual([])
    expect(md).toContain(`- **A** ${code(HOSTILE_PATH)} (`)
    expect(md).toContain(`| D | ${cellCode(HOSTILE_PATH)} |`)
    for (const row of md.split('\n').filter((line) => line.startsWith('| '))) expect(row.split(/(?<!\\)\|/).length, row).toBeLessThanOrEqual(6)
  })
})
