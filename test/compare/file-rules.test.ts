import {describe, expect, it} from 'vitest'
import {rule as contentMismatch} from '../../src/rules/compare/content-mismatch.js'
import {rule as extraFile} from '../../src/rules/compare/extra-file.js'
import {rule as missingFile} from '../../src/rules/compare/missing-file.js'
import {rule as modeMismatch} from '../../src/rules/compare/mode-mismatch.js'
import {rule as symlinkTargetMismatch} from '../../src/rules/compare/symlink-target-mismatch.js'
import {rule as typeMismatch} from '../../src/rules/compare/type-mismatch.js'
import {run} from './helpers.js'

const layer = {
  '/opt/python/lib/mod.py': 'print(1)\n',
  '/opt/python/lib/util.py': 'x = 1\n',
  '/opt/bin/tool': {content: '#!/bin/sh\necho\n', mode: 0o755},
  '/opt/lib/libz.so': {linkTarget: 'libz.so.1'},
  '/opt/lib/libz.so.1': 'ELF...',
}

describe("'missing-file'", () => {
  it('fires for a file the layer had and the image lacks', () => {
    const files = {...layer} as Record<string, unknown>
    delete files['/opt/python/lib/util.py']
    const findings = run(missingFile, {expected: layer, files: files as typeof layer})
    expect(findings).toHaveLength(1)
    expect(findings[0]).toMatchObject({rule: 'missing-file', severity: 'error', path: '/opt/python/lib/util.py', source: 'layer.zip'})
  })

  it('reports a missing directory once, with the count of files under it', () => {
    const files = {'/opt/bin/tool': layer['/opt/bin/tool'], '/opt/lib/libz.so': layer['/opt/lib/libz.so'], '/opt/lib/libz.so.1': 'ELF...'}
    const findings = run(missingFile, {expected: layer, files})
    expect(findings.map((f) => f.path)).toEqual(['/opt/python'])
    expect(findings[0].evidence).toEqual({filesUnder: 2})
  })

  it('stays silent on the faithful copy, including a path reached through a symlinked parent', () => {
    expect(run(missingFile, {expected: layer, files: layer})).toEqual([])
    const viaLink = {'/opt/py': {type: 'directory' as const}, '/opt/py/lib/mod.py': 'print(1)\n', '/opt/py/lib/util.py': 'x = 1\n', '/opt/python': {linkTarget: 'py'}}
    const expected = {'/opt/python/lib/mod.py': 'print(1)\n'}
    expect(run(missingFile, {expected, files: viaLink})).toEqual([])
  })

  it('holds a layer image only to /opt', () => {
    const expected = {...layer, '/var/task/app.py': 'def h(e, c): pass\n'}
    expect(run(missingFile, {expected, files: layer, kind: 'layer'})).toEqual([])
    expect(run(missingFile, {expected, files: layer, kind: 'function'}).map((f) => f.path)).toEqual(['/var'])
  })
})

describe("'content-mismatch'", () => {
  it('fires on a different size without needing a hash', () => {
    const findings = run(contentMismatch, {expected: layer, files: {...layer, '/opt/python/lib/mod.py': 'print(12)\n'}})
    expect(findings).toHaveLength(1)
    expect(findings[0]).toMatchObject({path: '/opt/python/lib/mod.py', expected: {size: 9}, actual: {size: 10}})
  })

  it('fires on same size, different CRC-32', () => {
    const findings = run(contentMismatch, {expected: layer, files: {...layer, '/opt/python/lib/mod.py': 'print(2)\n'}})
    expect(findings).toHaveLength(1)
    expect(findings[0].message).toContain('CRC-32')
  })

  it('is silent when bytes are equal, and when no hash was captured', () => {
    expect(run(contentMismatch, {expected: layer, files: layer})).toEqual([])
    expect(run(contentMismatch, {expected: layer, files: {...layer, '/opt/python/lib/mod.py': 'print(2)\n'}, facts: new Map()})).toEqual([])
  })
})

describe("'type-mismatch'", () => {
  it('fires when a file became a directory', () => {
    const files = {...layer, '/opt/bin/tool': {type: 'directory' as const}}
    const findings = run(typeMismatch, {expected: layer, files})
    expect(findings).toHaveLength(1)
    expect(findings[0]).toMatchObject({severity: 'error', path: '/opt/bin/tool', expected: {type: 'file'}, actual: {type: 'directory'}})
  })

  it('warns only when a symlink replaced a file of the same size', () => {
    const files = {...layer, '/opt/bin/tool.real': {content: '#!/bin/sh\necho\n', mode: 0o755}, '/opt/bin/tool': {linkTarget: 'tool.real'}}
    const findings = run(typeMismatch, {expected: layer, files})
    expect(findings).toHaveLength(1)
    expect(findings[0].severity).toBe('warning')
  })

  it('warns only when a directory became a symlink to a directory', () => {
    const files = {'/opt/pylib/lib/mod.py': 'print(1)\n', '/opt/pylib/lib/util.py': 'x = 1\n', '/opt/python': {linkTarget: 'pylib'}, '/opt/bin/tool': layer['/opt/bin/tool'], '/opt/lib/libz.so': layer['/opt/lib/libz.so'], '/opt/lib/libz.so.1': 'ELF...'}
    const findings = run(typeMismatch, {expected: layer, files})
    expect(findings.map((f) => [f.path, f.severity])).toEqual([['/opt/python', 'warning']])
  })

  it('is silent when types agree (a hardlink counts as a file)', () => {
    expect(run(typeMismatch, {expected: layer, files: layer})).toEqual([])
    const files = {...layer, '/opt/bin/tool': {type: 'hardlink' as const, linkTarget: '/opt/lib/libz.so.1'}}
    expect(run(typeMismatch, {expected: layer, files})).toEqual([])
  })
})

describe("'symlink-target-mismatch'", () => {
  it('fires when the link points elsewhere', () => {
    const files = {...layer, '/opt/lib/libz.so': {linkTarget: 'libz.so.2'}}
    const findings = run(symlinkTargetMismatch, {expected: layer, files})
    expect(findings).toHaveLength(1)
    expect(findings[0]).toMatchObject({expected: {linkTarget: 'libz.so.1'}, actual: {linkTarget: 'libz.so.2'}})
  })

  it('treats ./x, x and the absolute spelling as the same target', () => {
    for (const target of ['./libz.so.1', '/opt/lib/libz.so.1', '../lib/libz.so.1']) {
      expect(run(symlinkTargetMismatch, {expected: layer, files: {...layer, '/opt/lib/libz.so': {linkTarget: target}}})).toEqual([])
    }
  })
})

describe("'mode-mismatch'", () => {
  it('is an error when an execute bit is lost', () => {
    const files = {...layer, '/opt/bin/tool': {content: '#!/bin/sh\necho\n', mode: 0o644}}
    const findings = run(modeMismatch, {expected: layer, files})
    expect(findings).toHaveLength(1)
    expect(findings[0]).toMatchObject({severity: 'error', expected: {mode: '0755'}, actual: {mode: '0644'}})
  })

  it('is a warning for other differences', () => {
    const files = {...layer, '/opt/python/lib/mod.py': {content: 'print(1)\n', mode: 0o600}}
    const findings = run(modeMismatch, {expected: layer, files})
    expect(findings).toHaveLength(1)
    expect(findings[0].severity).toBe('warning')
  })

  it('ignores zip entries without Unix modes and directories that only gained bits', () => {
    const files = {...layer, '/opt/bin/tool': {content: '#!/bin/sh\necho\n', mode: 0o644}, '/opt/bin': {type: 'directory' as const, mode: 0o777}}
    expect(run(modeMismatch, {expected: layer, files, modeUnknown: ['/opt/bin/tool']})).toEqual([])
  })
})

describe("'extra-file'", () => {
  it('notes a path in /opt that no layer had, once per directory', () => {
    const files = {...layer, '/opt/newrelic/agent.jar': 'jar', '/opt/newrelic/conf.yml': 'x: 1', '/opt/stray.txt': 'hi'}
    const findings = run(extraFile, {expected: layer, files})
    expect(findings.map((f) => [f.path, f.severity])).toEqual([
      ['/opt/newrelic', 'note'],
      ['/opt/stray.txt', 'note'],
    ])
    expect(findings[0].actual).toMatchObject({filesUnder: 2})
  })

  it('is silent when /opt holds only what the layers had, and without a zip side', () => {
    expect(run(extraFile, {expected: layer, files: layer})).toEqual([])
    expect(run(extraFile, {files: {...layer, '/opt/extra': 'x'}})).toEqual([])
  })
})
