/**
 * Rule links follow package.json's "homepage" and nothing else: with one, SARIF's helpUri and the Markdown
 * rule ids point under it exactly; without one (the project has no public URL yet) nothing links anywhere
 * and the rule's page is named by its path in the package, docs/rules/<id>.md.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {renderMarkdown} from '../../src/report/markdown.js'
import {renderSarif} from '../../src/report/sarif.js'
import {packageInfo, ruleDocsUri} from '../../src/report/tool-info.js'
import {REPO} from '../helpers/cli.js'
import {sarifValidator} from '../helpers/sarif.js'
import {fixtureReport, fixtureRules} from './fixture.js'

const validate = sarifValidator()
// A reserved example domain (RFC 2606): stands for whatever a publisher sets.
const HOMEPAGE = 'https://example.com/acme/layer-audit'
const withHome = {rules: fixtureRules, informationUri: HOMEPAGE}
const withoutHome = {rules: fixtureRules, informationUri: ''}

function driverOf(options: object) {
  const log = JSON.parse(renderSarif(fixtureReport(), options))
  expect(validate(log), JSON.stringify(validate.errors)).toBe(true)
  return log.runs[0].tool.driver
}

describe('rule links', () => {
  it('reads the home page from package.json, and has none when package.json has none', () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {homepage?: string}
    expect(packageInfo().homepage).toBe(pkg.homepage?.replace(/#.*$/, '').replace(/\/+$/, ''))
    if (!pkg.homepage) expect(ruleDocsUri('missing-file')).toBeUndefined()
  })

  it('SARIF with a home page: informationUri and every helpUri under it', () => {
    const driver = driverOf(withHome)
    expect(driver.informationUri).toBe(HOMEPAGE)
    for (const rule of driver.rules) {
      expect(rule.helpUri).toBe(`${HOMEPAGE}/blob/main/docs/rules/${rule.id}.md`)
      expect(rule.help.markdown).toContain(`[Rule documentation](${rule.helpUri})`)
    }
  })

  it('SARIF without a home page: no URI at all, the help still says why, how to fix and where the docs are', () => {
    const driver = driverOf(withoutHome)
    expect(driver).not.toHaveProperty('informationUri')
    for (const rule of driver.rules) {
      expect(rule).not.toHaveProperty('helpUri')
      const meta = fixtureRules.find((r) => r.id === rule.id)!
      expect(rule.help.text).toContain(meta.why)
      expect(rule.help.text).toContain(`Fix: ${meta.fix}`)
      expect(rule.help.text).toContain(`docs/rules/${rule.id}.md`)
      expect(rule.help.markdown).toContain(`\`docs/rules/${rule.id}.md\``)
    }
    expect(JSON.stringify(driver)).not.toMatch(/https?:/)
  })

  it('Markdown with a home page links each rule id under it', () => {
    const md = renderMarkdown(fixtureReport(), withHome)
    expect(md).toContain(`[\`missing-file\`](${HOMEPAGE}/blob/main/docs/rules/missing-file.md`)
    expect(md).not.toContain('docs/rules/<rule>.md')
  })

  it('Markdown without a home page links nothing and names the docs path once', () => {
    const md = renderMarkdown(fixtureReport(), withoutHome)
    expect(md).not.toMatch(/\]\(|https?:/)
    expect(md).toContain('`missing-file`')
    expect(md.match(/docs\/rules\/<rule>\.md/g)).toHaveLength(1)
  })
})
