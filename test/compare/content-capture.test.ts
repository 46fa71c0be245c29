import {createHash} from 'node:crypto'
import {crc32} from 'node:zlib'
import {describe, expect, it} from 'vitest'
import {ContentCapture, hashRoots, type CapturePlan} from '../../src/audit/content-capture.js'
import type {LayerEntry} from '../../src/fs/entry.js'
import type {LayerInfo} from '../../src/image/model.js'

const layer = (index: number): LayerInfo => ({index, diffId: 'sha256:' + String(index).repeat(64), mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip'})
const entry = (path: string, size: number, mode = 0o644): LayerEntry => ({path, type: 'file', mode, uid: 0, gid: 0, size, mtime: 0})

/** Streams `content` through the hook in small chunks, as the layer walker would. */
function stream(capture: ContentCapture, path: string, content: Buffer, index = 0, mode = 0o644): boolean {
  const sink = capture.hook(entry(path, content.length, mode), layer(index))
  if (!sink) return false
  for (let at = 0; at < content.length; at += 7) sink.write(content.subarray(at, at + 7))
  sink.end()
  return true
}

const plan = (over: Partial<CapturePlan> = {}): CapturePlan => ({
  hash: new Map([['/opt/a.txt', 11]]),
  heads: new Set(['/lambda-entrypoint.sh']),
  headDirs: ['/opt/extensions'],
  executablesUnder: '/opt',
  maxExecutableHeads: 1,
  ...over,
})

describe('content capture', () => {
  it('hashes only paths the zip side has with an equal size', () => {
    const capture = new ContentCapture(plan())
    const content = Buffer.from('hello world')
    expect(stream(capture, '/opt/a.txt', content)).toBe(true)
    expect(capture.get(0, '/opt/a.txt')).toMatchObject({size: 11, crc32: crc32(content) >>> 0})
    expect(capture.get(0, '/opt/a.txt')?.sha256).toBeUndefined()
    expect(stream(capture, '/opt/a.txt', Buffer.from('hello world!'), 1)).toBe(false) // size differs: no bytes needed
    expect(stream(capture, '/opt/other.txt', Buffer.from('hello world'))).toBe(false)
    expect(capture.stats).toMatchObject({hashedFiles: 1, hashedBytes: 11})
  })

  it('keys facts by layer, so the copy that won the flatten is the one read', () => {
    const capture = new ContentCapture(plan())
    stream(capture, '/opt/a.txt', Buffer.from('hello world'), 0)
    stream(capture, '/opt/a.txt', Buffer.from('HELLO WORLD'), 3)
    expect(capture.get(0, '/opt/a.txt')?.crc32).toBe(crc32('hello world') >>> 0)
    expect(capture.get(3, '/opt/a.txt')?.crc32).toBe(crc32('HELLO WORLD') >>> 0)
  })

  it('keeps the last copy of a path that one layer holds twice, as flatten does', () => {
    const capture = new ContentCapture(plan())
    stream(capture, '/opt/a.txt', Buffer.from('hello world'), 2)
    stream(capture, '/opt/a.txt', Buffer.from('HELLO WORLD'), 2)
    expect(capture.get(2, '/opt/a.txt')?.crc32).toBe(crc32('HELLO WORLD') >>> 0)
    // The same through a worker's round trip: the layer's facts as arrays, merged into another capture.
    const merged = new ContentCapture(plan())
    merged.merge(2, capture.layerResult(2))
    expect(merged.get(2, '/opt/a.txt')?.crc32).toBe(crc32('HELLO WORLD') >>> 0)
  })

  it('computes sha256 when asked', () => {
    const capture = new ContentCapture(plan({sha256: true}))
    stream(capture, '/opt/a.txt', Buffer.from('hello world'))
    expect(capture.get(0, '/opt/a.txt')?.sha256).toBe(createHash('sha256').update('hello world').digest('hex'))
  })

  it('keeps the first bytes of extensions, named paths and a bounded number of executables', () => {
    const capture = new ContentCapture(plan({headBytes: 16}))
    const big = Buffer.from('#!/bin/sh\n' + 'x'.repeat(100))
    expect(stream(capture, '/opt/extensions/ext', big)).toBe(true)
    expect(capture.get(0, '/opt/extensions/ext')?.head?.toString()).toBe(big.subarray(0, 16).toString())
    expect(capture.get(0, '/opt/extensions/ext')?.crc32).toBeUndefined()
    expect(stream(capture, '/opt/extensions/lib/deep.py', big)).toBe(false) // only direct children
    expect(stream(capture, '/lambda-entrypoint.sh', big)).toBe(true)
    expect(stream(capture, '/opt/bin/one', big, 0, 0o755)).toBe(true)
    expect(stream(capture, '/opt/bin/two', big, 0, 0o755)).toBe(false) // over maxExecutableHeads
    expect(stream(capture, '/opt/bin/data', big, 0, 0o644)).toBe(false)
    expect(capture.stats).toMatchObject({heads: 3, headsSkipped: 1})
  })
})

describe('hash roots', () => {
  it('names the directories, two levels deep at most, that every hashed path lies under', () => {
    expect(hashRoots(['/opt/python/a.py', '/opt/python/lib/b.py', '/var/task/app.py', '/opt/nodejs/x.js'])).toEqual(['/opt/nodejs/', '/opt/python/', '/var/task/'])
    expect(hashRoots(['/opt/python/a.py', '/opt/wrapper'])).toEqual(['/opt/']) // a file right in /opt: all of /opt
    expect(hashRoots([])).toEqual([])
  })

  it('gives up where a lookup per file is cheaper than the checks: a file at the root, or too many roots', () => {
    expect(hashRoots(['/opt/a/x', '/app.py'])).toBeUndefined()
    expect(hashRoots(Array.from({length: 9}, (_, i) => `/opt/d${i}/x`))).toBeUndefined()
    expect(hashRoots(Array.from({length: 8}, (_, i) => `/opt/d${i}/x`))).toHaveLength(8)
  })

  it('lets a capture skip files outside them, and still hash the ones inside', () => {
    const capture = new ContentCapture(plan({hash: new Map([['/opt/a.txt', 11], ['/var/task/b.txt', 11]]), hashUnder: ['/opt/', '/var/task/']}))
    expect(stream(capture, '/opt/a.txt', Buffer.from('hello world'))).toBe(true)
    expect(stream(capture, '/var/task/b.txt', Buffer.from('hello world'))).toBe(true)
    // A plan whose roots left out a path would skip it: the roots must cover every hashed path.
    const narrow = new ContentCapture(plan({hash: new Map([['/var/task/b.txt', 11]]), hashUnder: ['/opt/']}))
    expect(stream(narrow, '/var/task/b.txt', Buffer.from('hello world'))).toBe(false)
  })
})

describe('capture plan', () => {
  it("hashes the zip side's files, sniffs the entrypoint, the wrapper and where the zip's extension links point", async () => {
    const {capturePlan} = await import('../../src/audit/compare.js')
    const {buildTree, makeImage} = await import('./helpers.js')
    const tree = buildTree({
      '/opt/agent/bin/agent': {content: 'ELF', mode: 0o755},
      '/opt/extensions/agent': {linkTarget: '../agent/bin/agent'},
      '/opt/wrappers/real': {content: '#!/bin/sh\n', mode: 0o755},
      '/opt/wrapper': {linkTarget: 'wrappers/real'},
      '/var/task/app.py': 'x = 1\n',
    })
    const image = makeImage({config: {Entrypoint: ['/lambda-entrypoint.sh']}})
    const plan = capturePlan(image, {tree, sources: []}, {AWS_LAMBDA_EXEC_WRAPPER: '/opt/wrapper'}, false)
    expect([...plan.hash.keys()].sort()).toEqual(['/opt/agent/bin/agent', '/opt/wrappers/real', '/var/task/app.py'])
    expect([...plan.heads].sort()).toEqual(['/lambda-entrypoint.sh', '/opt/agent/bin/agent', '/opt/wrapper', '/opt/wrappers/real'])
    expect(plan.headDirs).toEqual(['/opt/extensions'])
    expect(plan.hashUnder).toEqual(['/opt/agent/', '/opt/wrappers/', '/var/task/'])
  })
})
