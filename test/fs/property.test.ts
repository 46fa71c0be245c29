/** Random and mutated tars: the walker always ends with a result or a LayerAuditError, quickly. */
import fc from 'fast-check'
import {describe, expect, it} from 'vitest'
import {LayerAuditError} from '../../src/errors.js'
import {flatten} from '../../src/fs/flatten.js'
import {walkLayerTar} from '../../src/fs/layer-walker.js'
import {chunked, layerInfo, packTar, type TarItem} from './helpers.js'

const TIME_LIMIT_MS = 2000

/** Resolves to 'ok' or 'error'; rejects on a non-typed error or when the walk takes too long. */
async function outcome(tar: Buffer, chunk: number): Promise<'ok' | 'error'> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`walk did not settle in ${TIME_LIMIT_MS} ms`)), TIME_LIMIT_MS)
  })
  try {
    await Promise.race([walkLayerTar(chunked(tar, chunk), layerInfo(1)), timeout])
    return 'ok'
  } catch (error) {
    if (error instanceof LayerAuditError) {
      expect(error.message).toMatch(/^layer 1 /)
      return 'error'
    }
    throw error
  } finally {
    clearTimeout(timer)
  }
}

const segment = fc.constantFrom('a', 'b', 'opt', '.', '..', '', '.wh.a', '.wh..wh..opq', '.wh.', 'ü', 'x'.repeat(120))
const name = fc.array(segment, {minLength: 1, maxLength: 5}).map((s) => s.join('/'))
const item: fc.Arbitrary<TarItem> = fc.oneof(
  fc.record({name, content: fc.string({maxLength: 700})}),
  fc.record({name, type: fc.constant('directory' as const), mode: fc.integer({min: 0, max: 0o7777})}),
  fc.record({name, type: fc.constant('symlink' as const), linkname: name}),
  fc.record({name, type: fc.constant('link' as const), linkname: name}),
  fc.record({name, type: fc.constant('fifo' as const)}),
  fc.record({name, content: fc.string({maxLength: 50}), pax: fc.dictionary(fc.constantFrom('uid', 'gid', 'mtime', 'SCHILY.xattr.user.k', 'size'), fc.string({maxLength: 12}))}),
)
const chunk = fc.constantFrom(1, 7, 512, 513, 4096, 1 << 20)

describe('property: walkLayerTar never hangs or crashes', () => {
  it('on random bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({maxLength: 4096}), chunk, async (bytes, size) => {
        await outcome(Buffer.from(bytes), size)
      }),
      {numRuns: 150},
    )
  })

  it('on valid tars with random entries, then flatten keeps its invariants', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(item, {maxLength: 12}), chunk, async (items, size) => {
        const tar = await packTar(items).catch(() => undefined)
        if (!tar) return // tar-stream refuses to pack some names; not our concern
        let walk
        try {
          walk = await walkLayerTar(chunked(tar, size), layerInfo(1))
        } catch (error) {
          expect(error).toBeInstanceOf(LayerAuditError) // e.g. a bare .wh. or a hardlink to "/"
          return
        }
        const tree = flatten([{layer: layerInfo(0), ...walk, compression: 'none', compressedSize: 0, uncompressedSize: 0}])
        for (const node of tree.walk()) {
          expect(node.path).toMatch(/^\/[^/]/)
          expect(node.path.split('/')).not.toContain('..')
          // A marker never becomes a node; only a deeper path can imply a directory literally named .wh.* (as containerd does).
          if (node.path.split('/').pop()!.startsWith('.wh.')) expect(node.type).toBe('directory')
          const parent = node.path.slice(0, node.path.lastIndexOf('/'))
          if (parent) expect(tree.get(parent)?.type).toBe('directory')
        }
        expect(tree.entries()).toHaveLength(tree.size)
      }),
      {numRuns: 150},
    )
  })

  it('on mutated tars: flipped bytes, truncation, inserted garbage', async () => {
    const mutation = fc.oneof(
      fc.record({kind: fc.constant('flip' as const), at: fc.nat(), value: fc.integer({min: 0, max: 255})}),
      fc.record({kind: fc.constant('truncate' as const), at: fc.nat()}),
      fc.record({kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({minLength: 1, maxLength: 600})}),
    )
    await fc.assert(
      fc.asyncProperty(fc.array(item, {minLength: 1, maxLength: 6}), fc.array(mutation, {minLength: 1, maxLength: 4}), chunk, async (items, mutations, size) => {
        let tar = await packTar(items).catch(() => undefined)
        if (!tar) return
        for (const m of mutations) {
          const at = tar.length === 0 ? 0 : m.at % tar.length
          if (m.kind === 'flip') {
            tar = Buffer.from(tar)
            tar[at] = m.value
          } else if (m.kind === 'truncate') tar = tar.subarray(0, at)
          else tar = Buffer.concat([tar.subarray(0, at), Buffer.from(m.bytes), tar.subarray(at)])
        }
        await outcome(tar, size)
      }),
      {numRuns: 200},
    )
  })
})
