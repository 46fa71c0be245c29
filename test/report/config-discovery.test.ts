import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import {applyConfig, expiredIgnoreWarnings, loadConfig, parseConfig} from '../../src/audit/config.js'
import {LayerAuditError} from '../../src/errors.js'
import type {Finding} from '../../src/rules/types.js'

const known = ['missing-file', 'extra-file', 'mode-mismatch']
const dir = mkdtempSync(join(tmpdir(), 'layer-audit-config-find-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))

function thrown(fn: () => unknown): LayerAuditError {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(LayerAuditError)
    return error as LayerAuditError
  }
  throw new Error('expected an error')
}

/** A repository (a `.git` directory at its top) with a nested working directory. */
function repository(name: string): {top: string; deep: string} {
  const top = join(dir, name)
  const deep = join(top, 'services', 'orders')
  mkdirSync(join(top, '.git'), {recursive: true})
  mkdirSync(deep, {recursive: true})
  return {top, deep}
}

describe('finding the config', () => {
  it('walks up from the working directory to the repository root, and names the file it used', async () => {
    const {top, deep} = repository('walk')
    writeFileSync(join(top, '.layer-audit.yaml'), 'rules:\n  extra-file: "off"\n')
    expect(await loadConfig({cwd: deep, knownRules: known})).toEqual({rules: {'extra-file': 'off'}, ignore: [], file: '../../.layer-audit.yaml'})
    // The nearest wins.
    writeFileSync(join(deep, '.layer-audit.json'), '{"rules": {"extra-file": "note"}}')
    expect(await loadConfig({cwd: deep, knownRules: known})).toMatchObject({rules: {'extra-file': 'note'}, file: '.layer-audit.json'})
  })

  it('stops at the repository root, and outside a repository reads only the working directory', async () => {
    const outer = join(dir, 'outer')
    mkdirSync(outer, {recursive: true})
    writeFileSync(join(outer, '.layer-audit.json'), '{"rules": {"extra-file": "off"}}')
    const inner = join(outer, 'repo')
    mkdirSync(join(inner, '.git'), {recursive: true})
    expect(await loadConfig({cwd: inner, knownRules: known})).toEqual({rules: {}, ignore: []})
    const plain = join(outer, 'not-a-repo', 'below')
    mkdirSync(plain, {recursive: true})
    expect(await loadConfig({cwd: plain, knownRules: known})).toEqual({rules: {}, ignore: []})
  })

  it('refuses two configs in one directory', async () => {
    const {top} = repository('two')
    writeFileSync(join(top, '.layer-audit.json'), '{}')
    writeFileSync(join(top, '.layer-audit.yml'), '{}')
    await expect(loadConfig({cwd: top, knownRules: known})).rejects.toMatchObject({code: 'USAGE', message: expect.stringMatching(/two config files/)})
  })

  it('reads YAML like JSON, and says where a YAML error is without quoting the file', async () => {
    const yaml = parseConfig('ignore:\n  - rule: missing-file\n    path: /opt/**\n    reason: checked elsewhere\n    expires: 2099-01-31\n', 'c.yaml', known, 'yaml')
    expect(yaml.ignore).toEqual([{rule: 'missing-file', path: '/opt/**', reason: 'checked elsewhere', expires: '2099-01-31'}])
    const error = thrown(() => parseConfig('rules:\n  extra-file: [off\nsecret: AKIAIOSFODNN7EXAMPLE\n', 'c.yaml', known, 'yaml'))
    expect(error.line).toMatch(/^c\.yaml: not valid YAML \(line \d+, column \d+\)$/)
    expect(`${error.line} ${error.message}`).not.toContain('AKIA')
    // Aliases that expand exponentially are refused, not expanded.
    const laughs = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]', ...Array.from({length: 8}, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`)].join('\n')
    expect(() => parseConfig(laughs, 'c.yaml', known, 'yaml')).toThrow(/not valid YAML/)
  })
})

describe('ignores that expire', () => {
  const findings: Finding[] = [{rule: 'missing-file', severity: 'error', path: '/opt/a', message: 'a'}]
  const config = (expires: string) =>
    parseConfig(JSON.stringify({ignore: [{rule: 'missing-file', path: '/opt/*', reason: 'until the layer ships', expires}]}), '.layer-audit.json', known)
  const today = new Date('2026-12-02T10:00:00Z')

  it('suppress until their day, and from that day on count again with a warning', () => {
    expect(applyConfig(findings, config('2026-12-03'), today)[0]!.suppressed).toEqual({reason: 'until the layer ships'})
    expect(expiredIgnoreWarnings(config('2026-12-03'), today)).toEqual([])
    expect(applyConfig(findings, config('2026-12-02'), today)[0]!.suppressed).toBeUndefined()
    expect(expiredIgnoreWarnings(config('2026-12-02'), today)).toEqual([
      '.layer-audit.json: ignore[0] (missing-file /opt/*) expired on 2026-12-02: its findings count again; renew or remove it',
    ])
  })

  it('must be real days written YYYY-MM-DD', () => {
    for (const bad of ['2026-02-30', '12/02/2026', '2026-1-5', 'soon']) {
      expect(() => config(bad), bad).toThrow(/"expires" must be a date written YYYY-MM-DD/)
    }
  })
})
