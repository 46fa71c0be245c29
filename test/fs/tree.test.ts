import {describe, expect, it} from 'vitest'
import type {FileNode} from '../../src/fs/entry.js'
import {FileTree} from '../../src/fs/tree.js'

const node = (path: string, type: FileNode['type'] = 'file', extra: Partial<FileNode> = {}): FileNode => ({
  path, type, mode: 0o644, uid: 0, gid: 0, size: 0, mtime: 0, layer: 0, ...extra,
})

describe('FileTree', () => {
  it('indexes paths, tolerating unclean lookups', () => {
    const t = new FileTree()
    t.set(node('/a', 'directory'))
    t.set(node('/a/b'))
    expect(t.get('/a/b')?.path).toBe('/a/b')
    expect(t.get('a//b/')?.path).toBe('/a/b')
    expect(t.get('/a/./b')?.path).toBe('/a/b')
    expect(t.get('/')).toBeUndefined()
    expect(t.size).toBe(2)
  })

  it('remove and clearChildren forget whole subtrees, and paths can be re-used', () => {
    const t = new FileTree()
    for (const p of ['/d', '/d/e', '/d/e/f']) t.set(node(p, p === '/d/e/f' ? 'file' : 'directory'))
    expect(t.remove('/d/e').map((n) => n.node.path)).toEqual(['/d/e', '/d/e/f'])
    expect(t.has('/d/e/f')).toBe(false)
    expect(t.size).toBe(1)
    t.set(node('/d/e/f'))
    expect(t.get('/d/e/f')).toBeDefined()
    expect(t.clearChildren('/d').map((n) => n.node.path)).toEqual(['/d/e/f'])
    expect(t.has('/d/e/f')).toBe(false)
    expect(t.size).toBe(1)
    expect(t.remove('/')).toEqual([])
  })

  it('a non-directory over a directory drops its children', () => {
    const t = new FileTree()
    t.set(node('/d', 'directory'))
    t.set(node('/d/x'))
    t.set(node('/d'))
    expect(t.has('/d/x')).toBe(false)
    expect(t.entries().map((n) => n.path)).toEqual(['/d'])
    expect(t.size).toBe(1)
  })

  it('a path removed and set again is walked once, in name order, however often it churns', () => {
    const t = new FileTree()
    t.set(node('/d', 'directory'))
    for (const name of ['c', 'a', 'b']) t.set(node(`/d/${name}`))
    expect(t.children('/d').map((n) => n.path)).toEqual(['/d/a', '/d/b', '/d/c'])
    for (let i = 0; i < 5; i++) {
      t.remove('/d/b')
      t.set(node('/d/b', 'file', {size: i}))
      t.set(node('/d/b', 'file', {size: i + 100})) // replaced in place: still one child
    }
    t.remove('/d/c')
    expect(t.entries().map((n) => `${n.path}:${n.size}`)).toEqual(['/d:0', '/d/a:0', '/d/b:104'])
    expect(t.size).toBe(3)
    t.remove('/d')
    t.set(node('/d', 'directory'))
    expect(t.entries().map((n) => n.path)).toEqual(['/d']) // the old children do not come back with it
  })

  it('a node set under parents nobody set is still walked (through them) and its parents are not nodes', () => {
    const t = new FileTree()
    t.set(node('/a/b/c'))
    expect(t.entries().map((n) => n.path)).toEqual(['/a/b/c'])
    expect(t.get('/a')).toBeUndefined()
    expect(t.walk('/a').next().value?.path).toBe('/a/b/c')
    expect(t.remove('/a').map((r) => r.node.path)).toEqual(['/a/b/c'])
    expect(t.entries()).toEqual([])
  })

  it('keeps the lower layers a node hides beside it, and forgets them with the node', () => {
    const t = new FileTree()
    t.set(node('/d', 'directory'))
    t.set(node('/d/x', 'file', {layer: 2}), [0, 1])
    expect(t.hidden('/d/x')).toEqual([0, 1])
    expect(t.hidden('/d')).toEqual([])
    expect(t.remove('/d')).toEqual([
      {node: expect.objectContaining({path: '/d'}), hides: []},
      {node: expect.objectContaining({path: '/d/x'}), hides: [0, 1]},
    ])
    t.set(node('/d', 'directory'))
    t.set(node('/d/x'))
    expect(t.hidden('/d/x')).toEqual([])
  })

  it('resolves symlinks and hardlinks inside the tree only', () => {
    const t = new FileTree()
    t.set(node('/usr', 'directory'))
    t.set(node('/usr/lib', 'directory'))
    t.set(node('/usr/lib/x', 'file', {size: 3}))
    t.set(node('/lib', 'symlink', {linkTarget: 'usr/lib'}))
    t.set(node('/y', 'hardlink', {linkTarget: '/usr/lib/x'}))
    t.set(node('/loop', 'symlink', {linkTarget: '/loop'}))
    expect(t.resolve('/lib/x')?.path).toBe('/usr/lib/x')
    expect(t.resolve('/y')?.node.size).toBe(3)
    expect(t.resolve('/loop')).toBeUndefined()
    expect(t.resolve('/lib/../../../usr/lib/x')?.path).toBe('/usr/lib/x')
  })
})
