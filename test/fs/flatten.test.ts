import {describe, expect, it} from 'vitest'
import type {FileNode} from '../../src/fs/entry.js'
import {flatten} from '../../src/fs/flatten.js'
import {contentsOf, layer, packTar} from './helpers.js'

const paths = (nodes: FileNode[]) => nodes.map((n) => n.path)
const dir = (path: string) => ({path, type: 'directory' as const})

describe('flatten: whiteouts', () => {
  const base = layer(0, [dir('/a'), {path: '/a/x', size: 1}, dir('/a/sub'), {path: '/a/sub/y', size: 2}, {path: '/b', size: 3}])

  it('.wh.NAME removes NAME and its subtree from lower layers', () => {
    const tree = flatten([base, layer(1, [], [{kind: 'file', path: '/a/sub'}, {kind: 'file', path: '/b'}])])
    expect(paths(tree.entries())).toEqual(['/a', '/a/x'])
  })

  it('a whiteout of a missing path is a no-op', () => {
    const tree = flatten([base, layer(1, [], [{kind: 'file', path: '/nope/x'}])])
    expect(paths(tree.entries())).toEqual(['/a', '/a/sub', '/a/sub/y', '/a/x', '/b', '/nope'])
    expect(tree.get('/nope')).toMatchObject({type: 'directory', layer: 1, mode: 0o755})
  })

  it('an opaque directory hides lower children but not its own layer siblings, whatever the tar order', async () => {
    const orders = [
      [{name: 'a/.wh..wh..opq', content: ''}, {name: 'a/new', content: 'n'}],
      [{name: 'a/new', content: 'n'}, {name: 'a/.wh..wh..opq', content: ''}],
      [{name: 'a/', type: 'directory' as const}, {name: 'a/new', content: 'n'}, {name: 'a/.wh..wh..opq', content: ''}],
    ]
    for (const items of orders) {
      const top = await contentsOf(await packTar(items), 1)
      const tree = flatten([base, top])
      expect(paths(tree.entries())).toEqual(['/a', '/a/new', '/b'])
      expect(tree.get('/a/new')).toMatchObject({layer: 1})
    }
  })

  it('rm -rf /d && mkdir /d in one layer (ggcr #2029): old children gone, new ones kept', async () => {
    const top = await contentsOf(await packTar([{name: 'a/', type: 'directory', mode: 0o700}, {name: 'a/fresh', content: 'f'}, {name: '.wh.a', content: ''}]), 1)
    const tree = flatten([base, top])
    expect(paths(tree.entries())).toEqual(['/a', '/a/fresh', '/b'])
    expect(tree.get('/a')).toMatchObject({mode: 0o700, layer: 1})
    expect(tree.hidden('/a')).toEqual([0])
  })

  it('opaque markers never become entries (ggcr #1623), even in a single layer', async () => {
    const only = await contentsOf(await packTar([{name: 'd/.wh..wh..opq', content: ''}, {name: 'd/f', content: 'x'}]), 0)
    const tree = flatten([only])
    expect(paths(tree.entries())).toEqual(['/d', '/d/f'])
  })

  it('an opaque root hides everything below', () => {
    const tree = flatten([base, layer(1, [{path: '/new'}], [{kind: 'opaque', path: '/'}])])
    expect(paths(tree.entries())).toEqual(['/new'])
  })

  it('whiteouts apply to lower layers only: an entry of the same layer survives its own .wh.', () => {
    const tree = flatten([base, layer(1, [{path: '/b', size: 9}], [{kind: 'file', path: '/b'}])])
    expect(tree.get('/b')).toMatchObject({size: 9, layer: 1})
    expect(tree.hidden('/b')).toEqual([0])
  })

  it('a path deleted in one layer and re-created in a later one hides nothing', () => {
    const tree = flatten([base, layer(1, [], [{kind: 'file', path: '/b'}]), layer(2, [{path: '/b', size: 4}])])
    expect(tree.get('/b')).toMatchObject({layer: 2})
    expect(tree.hidden('/b')).toEqual([])
  })
})

describe('flatten: entries', () => {
  it('synthesizes implied parent directories (0755, root, written by that layer)', () => {
    const tree = flatten([layer(0, [{path: '/opt/extensions/ext', mode: 0o755, size: 5}])])
    expect(tree.get('/opt')).toEqual({path: '/opt', type: 'directory', mode: 0o755, uid: 0, gid: 0, size: 0, mtime: 0, layer: 0})
    expect(tree.hidden('/opt')).toEqual([])
    expect(tree.get('/opt/extensions')).toMatchObject({type: 'directory', layer: 0})
    expect(tree.size).toBe(3)
  })

  it('an explicit directory entry after its children sets its metadata and keeps them', () => {
    const tree = flatten([layer(0, [{path: '/d/f'}, {path: '/d', type: 'directory', mode: 0o700, uid: 5}])])
    expect(tree.get('/d')).toMatchObject({mode: 0o700, uid: 5})
    expect(tree.has('/d/f')).toBe(true)
  })

  it('a directory over a lower directory merges: metadata replaced, lower children kept', () => {
    const tree = flatten([layer(0, [dir('/d'), {path: '/d/old'}]), layer(1, [{...dir('/d'), mode: 0o711}, {path: '/d/new'}])])
    expect(paths(tree.entries())).toEqual(['/d', '/d/new', '/d/old'])
    expect(tree.get('/d')).toMatchObject({mode: 0o711, layer: 1})
    expect(tree.hidden('/d')).toEqual([0])
    expect(tree.get('/d/old')).toMatchObject({layer: 0})
  })

  it('file → directory and directory → file', () => {
    const tree = flatten([
      layer(0, [{path: '/x', size: 1}, dir('/y'), {path: '/y/child'}]),
      layer(1, [dir('/x'), {path: '/x/in'}, {path: '/y', size: 7}]),
    ])
    expect(paths(tree.entries())).toEqual(['/x', '/x/in', '/y'])
    expect(tree.get('/x')).toMatchObject({type: 'directory'})
    expect(tree.hidden('/x')).toEqual([0])
    expect(tree.get('/y')).toMatchObject({type: 'file', size: 7})
    expect(tree.hidden('/y')).toEqual([0])
  })

  it('an implied parent replaces a lower non-directory (never followed)', () => {
    const tree = flatten([layer(0, [{path: '/lib', type: 'symlink', linkTarget: 'usr/lib'}, dir('/usr'), dir('/usr/lib')]), layer(1, [{path: '/lib/x'}])])
    expect(tree.get('/lib')).toMatchObject({type: 'directory', layer: 1})
    expect(tree.hidden('/lib')).toEqual([0])
    expect(tree.has('/usr/lib/x')).toBe(false)
  })

  it('duplicates in one layer: the last wins', () => {
    const tree = flatten([layer(0, [{path: '/f', size: 1}]), layer(1, [{path: '/f', size: 2}, {path: '/f', size: 3, mode: 0o600}])])
    expect(tree.get('/f')).toMatchObject({size: 3, mode: 0o600, layer: 1})
    expect(tree.hidden('/f')).toEqual([0])
  })

  it('hides accumulates lower layers, lowest first', () => {
    const tree = flatten([layer(0, [{path: '/f'}]), layer(1, []), layer(2, [{path: '/f'}]), layer(3, [{path: '/f'}])])
    expect(tree.get('/f')).toMatchObject({layer: 3})
    expect(tree.hidden('/f')).toEqual([0, 2])
  })

  it('a hardlink keeps its type and target and reports the shared size', () => {
    const tree = flatten([
      layer(0, [
        {path: '/bin/busybox', size: 1000, mode: 0o755},
        {path: '/bin/sh', type: 'hardlink', linkTarget: '/bin/busybox', size: 0, mode: 0o755},
        {path: '/bin/dangling', type: 'hardlink', linkTarget: '/nope', size: 0},
      ]),
    ])
    expect(tree.get('/bin/sh')).toMatchObject({type: 'hardlink', linkTarget: '/bin/busybox', size: 1000})
    expect(tree.get('/bin/dangling')).toMatchObject({size: 0})
    expect(tree.resolve('/bin/sh')?.node.path).toBe('/bin/busybox')
  })

  it('symlink targets are kept verbatim', () => {
    const tree = flatten([layer(0, [{path: '/etc/os-release', type: 'symlink', linkTarget: '../usr/lib/os-release'}])])
    expect(tree.get('/etc/os-release')?.linkTarget).toBe('../usr/lib/os-release')
  })

  it('upTo gives the filesystem as of layer N', () => {
    const layers = [layer(0, [{path: '/a'}]), layer(1, [{path: '/b'}]), layer(2, [], [{kind: 'file', path: '/a'}])]
    expect(paths(flatten(layers, {upTo: 0}).entries())).toEqual(['/a'])
    expect(paths(flatten(layers, {upTo: 1}).entries())).toEqual(['/a', '/b'])
    expect(paths(flatten(layers).entries())).toEqual(['/b'])
    expect(paths(flatten(layers, {upTo: 99}).entries())).toEqual(['/b'])
  })
})
