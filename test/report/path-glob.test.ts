import {describe, expect, it} from 'vitest'
import {matchesGlob} from '../../src/audit/path-glob.js'

const cases: [glob: string, path: string, matches: boolean][] = [
  ['/opt/**', '/opt', true],
  ['/opt/**', '/opt/a', true],
  ['/opt/**', '/opt/a/b/c', true],
  ['/opt/**', '/optx', false],
  ['/opt/**', '/opt2/a', false],
  ['/opt/**/x.so', '/opt/x.so', true],
  ['/opt/**/x.so', '/opt/a/b/x.so', true],
  ['/opt/**/x.so', '/opt/a/bx.so', false],
  ['/opt/**/**/x.so', '/opt/x.so', true],
  ['/opt/*.so', '/opt/a.so', true],
  ['/opt/*.so', '/opt/a/b.so', false],
  ['/opt/ext/*', '/opt/ext/', true],
  ['/opt/?.so', '/opt/a.so', true],
  ['/opt/?.so', '/opt/ab.so', false],
  ['/opt/?.so', '/opt//.so', false],
  ['**/x', '/a/x', true],
  ['**/x', 'x', true],
  ['**/x', '/a/yx', false],
  ['**', '/anything/at/all', true],
  ['/opt/a.b', '/opt/aXb', false],
  ['/opt/(x)+[y]', '/opt/(x)+[y]', true],
  ['/opt/extensions/datadog-agent', '/opt/extensions/datadog-agent', true],
  ['/opt/extensions/datadog-agent', '/opt/extensions/datadog-agent2', false],
]

describe('path glob', () => {
  it.each(cases)('%s against %s → %s', (glob, path, matches) => {
    expect(matchesGlob(path, glob)).toBe(matches)
  })
})
