import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {applyConfig, CONFIG_FILE, isRuleEnabled, loadConfig, parseConfig} from '../../src/audit/config.js'
import {LayerAuditError} from '../../src/errors.js'
import type {Finding} from '../../src/rules/types.js'

const known = ['missing-file', 'extra-file', 'mode-mismatch', 'extension-arch-mismatch']
const dir = mkdtempSync(join(tmpdir(), 'layer-audit-config-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

function parseError(text: string): LayerAuditError {
  try {
    parseConfig(text, 'ci/audit.json', known)
  } catch (error) {
    expect(error).toBeInstanceOf(LayerAuditError)
    return error as LayerAuditError
  }
  throw new Error('expected the config to be rejected')
}

describe('config parsing', () => {
  it('reads overrides and ignores', () => {
    const config = parseConfig(
      JSON.stringify({
        rules: {'extra-file': 'off', 'mode-mismatch': 'error'},
        ignore: [
          {rule: 'extension-arch-mismatch', path: '/opt/extensions/**', reason: ' multi-arch shim, checked by hand '},
          {rule: 'missing-file', reason: 'code zip not shipped in this image'},
        ],
      }),
      'ci/audit.json',
      known,
    )
    expect(config.rules).toEqual({'extra-file': 'off', 'mode-mismatch': 'error'})
    expect(config.ignore).toEqual([
      {rule: 'extension-arch-mismatch', path: '/opt/extensions/**', reason: 'multi-arch shim, checked by hand'},
      {rule: 'missing-file', reason: 'code zip not shipped in this image'},
    ])
    expect(isRuleEnabled(config, 'extra-file')).toBe(false)
    expect(isRuleEnabled(config, 'missing-file')).toBe(true)
  })

  it.each([
    ['{"rules": {"missing-fil": "error"}}', 'USAGE', 'ci/audit.json: rules["missing-fil"]: unknown rule id "missing-fil" (did you mean "missing-file"?)'],
    ['{"rules": {"missing-file": "fatal"}}', 'USAGE', 'rules["missing-file"]: expected "error", "warning", "note" or "off", got "fatal"'],
    ['{"ignore": [{"rule": "extra-file", "path": "/opt/**"}]}', 'USAGE', 'ignore[0]: a non-empty "reason" is required'],
    ['{"ignore": [{"rule": "extra-file", "path": "/opt/**", "reason": "  "}]}', 'USAGE', 'ignore[0]: a non-empty "reason" is required'],
    ['{"ignore": [{"rule": "nope", "reason": "x"}]}', 'USAGE', 'ignore[0]: unknown rule id "nope"'],
    ['{"ignore": [{"path": "/opt/**", "reason": "x"}]}', 'USAGE', 'ignore[0]: a rule id is required'],
    ['{"ignore": [{"rule": "extra-file", "path": "opt/x", "reason": "x"}]}', 'USAGE', '"path" must be an absolute path glob'],
    ['{"ignore": [{"rule": "extra-file", "reason": "x", "paths": []}]}', 'USAGE', 'unknown key "paths"'],
    ['{"ignore": {}}', 'USAGE', 'ignore: expected an array'],
    ['{"rule": {}}', 'USAGE', 'rule: unknown key'],
    ['[]', 'USAGE', 'top level: expected an object'],
    ['{"rules": {', 'CORRUPT', 'ci/audit.json: not valid JSON'],
  ])('rejects %s', (text, code, line) => {
    const error = parseError(text)
    expect(error.code).toBe(code)
    expect(error.input).toBe('ci/audit.json')
    expect(error.line).toContain(line)
    expect(error.line).not.toContain('\n')
  })
})

describe('config loading', () => {
  it(`reads ${CONFIG_FILE} from the working directory, and nothing when it is absent`, async () => {
    const cwd = mkdtempSync(join(dir, 'cwd-'))
    expect(await loadConfig({cwd, knownRules: known})).toEqual({rules: {}, ignore: []})
    writeFileSync(join(cwd, CONFIG_FILE), '{"rules": {"extra-file": "warning"}}')
    expect(await loadConfig({cwd, knownRules: known})).toEqual({rules: {'extra-file': 'warning'}, ignore: [], file: CONFIG_FILE})
  })

  it('requires an explicit --config file to exist, and names it in errors', async () => {
    const missing = join(dir, 'nope.json')
    await expect(loadConfig({file: missing, knownRules: known})).rejects.toMatchObject({code: 'NOT_FOUND', input: missing})
    const bad = join(dir, 'bad.json')
    writeFileSync(bad, '{"rules": {"extra-file": "loud"}}')
    await expect(loadConfig({file: bad, knownRules: known})).rejects.toMatchObject({code: 'USAGE', input: bad})
  })
})

describe('applyConfig', () => {
  const findings: Finding[] = [
    {rule: 'extra-file', severity: 'note', path: '/opt/README', message: 'extra'},
    {rule: 'mode-mismatch', severity: 'warning', path: '/opt/bin/x', message: 'mode'},
    {rule: 'extension-arch-mismatch', severity: 'error', path: '/opt/extensions/shim', message: 'arm64 in amd64'},
    {rule: 'extension-arch-mismatch', severity: 'error', path: '/opt/other/shim', message: 'arm64 in amd64'},
    {rule: 'missing-file', severity: 'error', message: 'no path'},
    {rule: 'missing-file', severity: 'error', path: '/opt/x', message: 'seen', suppressed: {reason: 'in baseline'}},
  ]
  const config = parseConfig(
    JSON.stringify({
      rules: {'extra-file': 'off', 'mode-mismatch': 'error'},
      ignore: [
        {rule: 'extension-arch-mismatch', path: '/opt/extensions/*', reason: 'multi-arch shim'},
        {rule: 'missing-file', reason: 'code zip checked elsewhere'},
      ],
    }),
    'c.json',
    known,
  )
  const out = applyConfig(findings, config)

  it('drops findings of rules turned off', () => {
    expect(out.find((f) => f.rule === 'extra-file')).toBeUndefined()
    expect(out).toHaveLength(5)
  })

  it('overrides severities', () => {
    expect(out.find((f) => f.rule === 'mode-mismatch')?.severity).toBe('error')
  })

  it('suppresses ignored findings by rule and path glob, with the reason', () => {
    const arch = out.filter((f) => f.rule === 'extension-arch-mismatch')
    expect(arch.map((f) => [f.path, f.suppressed?.reason])).toEqual([
      ['/opt/extensions/shim', 'multi-arch shim'],
      ['/opt/other/shim', undefined],
    ])
    const missing = out.filter((f) => f.rule === 'missing-file')
    expect(missing.map((f) => f.suppressed?.reason)).toEqual(['code zip checked elsewhere', 'in baseline'])
  })

  it('does not touch its input', () => {
    expect(findings[1].severity).toBe('warning')
    expect(findings[2].suppressed).toBeUndefined()
  })
})
