import {describe, expect, it} from 'vitest'
import {LayerAuditError} from '../../src/errors.js'
import {classifyPath, whiteoutMarkerPath} from '../../src/fs/whiteout.js'
import {layerInfo} from './helpers.js'

const L = layerInfo(3)

describe('classifyPath', () => {
  it('file whiteouts name the sibling they remove', () => {
    expect(classifyPath('/etc/.wh.passwd', L)).toEqual({kind: 'whiteout', whiteout: {kind: 'file', path: '/etc/passwd'}})
    expect(classifyPath('/.wh.node', L)).toEqual({kind: 'whiteout', whiteout: {kind: 'file', path: '/node'}})
    expect(classifyPath('/a/.wh..hidden', L)).toEqual({kind: 'whiteout', whiteout: {kind: 'file', path: '/a/.hidden'}})
  })

  it('opaque markers name their directory', () => {
    expect(classifyPath('/opt/.wh..wh..opq', L)).toEqual({kind: 'whiteout', whiteout: {kind: 'opaque', path: '/opt'}})
    expect(classifyPath('/.wh..wh..opq', L)).toEqual({kind: 'whiteout', whiteout: {kind: 'opaque', path: '/'}})
  })

  it('other AUFS metadata is ignored', () => {
    expect(classifyPath('/.wh..wh.plnk', L)).toEqual({kind: 'ignore'})
    expect(classifyPath('/.wh..wh.aufs', L)).toEqual({kind: 'ignore'})
  })

  it('dots are literal: look-alikes are ordinary entries', () => {
    for (const p of ['/awh.x', '/xwhyx', '/.whx', '/a/.wh', '/a/wh.x', '/.wh/x', '/a.wh.b']) {
      expect(classifyPath(p, L)).toEqual({kind: 'entry'})
    }
  })

  it('a bare .wh. is corrupt, naming layer and path', () => {
    for (const p of ['/dir/.wh.', '/.wh..', '/x/.wh...']) {
      let error: unknown
      try {
        classifyPath(p, L, 'img.tar')
      } catch (e) {
        error = e
      }
      expect(error).toBeInstanceOf(LayerAuditError)
      const e = error as LayerAuditError
      expect(e.code).toBe('CORRUPT')
      expect(e.message).toContain('layer 3')
      expect(e.message).toContain(p)
      expect(e.line.startsWith('img.tar: ')).toBe(true)
    }
  })

  it('marker paths round-trip', () => {
    expect(whiteoutMarkerPath({kind: 'file', path: '/a/b'})).toBe('/a/.wh.b')
    expect(whiteoutMarkerPath({kind: 'file', path: '/b'})).toBe('/.wh.b')
    expect(whiteoutMarkerPath({kind: 'opaque', path: '/a'})).toBe('/a/.wh..wh..opq')
    expect(whiteoutMarkerPath({kind: 'opaque', path: '/'})).toBe('/.wh..wh..opq')
  })
})
