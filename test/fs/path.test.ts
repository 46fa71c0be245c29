import {describe, expect, it} from 'vitest'
import {ancestors, baseName, cleanTarPath, parentPath} from '../../src/fs/path.js'

describe('cleanTarPath', () => {
  it.each([
    ['usr/bin/env', '/usr/bin/env'],
    ['./usr/bin/env', '/usr/bin/env'],
    ['././usr', '/usr'],
    ['/abs/path', '/abs/path'],
    ['usr//lib///x', '/usr/lib/x'],
    ['usr/lib/', '/usr/lib'],
    ['usr/./lib/.', '/usr/lib'],
    ['usr/lib/../bin', '/usr/bin'],
    ['.', '/'],
    ['./', '/'],
    ['', '/'],
    ['/', '/'],
    ['..', '/'],
    ['../../etc/passwd', '/etc/passwd'],
    ['a/../../b', '/b'],
    ['.wh..wh..opq', '/.wh..wh..opq'],
    ['...', '/...'],
    ['a/..b', '/a/..b'],
  ])('%j → %j', (name, expected) => {
    expect(cleanTarPath(name)).toBe(expected)
  })
})

describe('path helpers', () => {
  it('parent, base, ancestors', () => {
    expect(parentPath('/a/b/c')).toBe('/a/b')
    expect(parentPath('/a')).toBe('/')
    expect(baseName('/a/b/c')).toBe('c')
    expect(ancestors('/a/b/c')).toEqual(['/a', '/a/b'])
    expect(ancestors('/a')).toEqual([])
  })
})
