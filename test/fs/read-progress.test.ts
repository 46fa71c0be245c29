/**
 * Progress of readLayers (image/model.ts LayerProgressCallback): every layer announced at 0 with its
 * size, counts that only grow while the blob streams, and a last call at the layer's size — in the main
 * thread and in layer workers (which report through the bytes they acknowledge).
 */
import {existsSync, rmSync} from 'node:fs'
import {join, resolve} from 'node:path'
import {Readable} from 'node:stream'
import {pathToFileURL} from 'node:url'
import {afterAll, describe, expect, it} from 'vitest'
import {readLayers} from '../../src/fs/read-layers.js'
import type {Image} from '../../src/image/model.js'
import {openImage} from '../../src/image/open.js'
import {describeUnless} from '../helpers/skip-reason.js'
import {packTar, tmpDir, writeOciLayout} from './helpers.js'

type Call = {layer: number; bytes: number; total: number | undefined; image?: string}

const made: string[] = []
afterAll(() => {
  for (const dir of made) rmSync(dir, {recursive: true, force: true})
})

/** A layout of three layers; the first holds `bigBytes` of incompressible content (many chunks of blob). */
async function layout(bigBytes: number): Promise<string> {
  const {randomBytes} = await import('node:crypto')
  const dir = tmpDir('layer-audit-progress-')
  made.push(dir)
  writeOciLayout(dir, [
    await packTar([{name: 'opt/big.bin', content: randomBytes(bigBytes)}]),
    await packTar([{name: 'opt/a.txt', content: 'a'}]),
    await packTar([{name: 'var/task/app.py', content: 'def handler(e, c): pass\n'}]),
  ])
  return dir
}

/** The image, its blobs handed out 64 KiB at a time, `delayMs` apart: a slow disk. */
function slowed(image: Image, delayMs: number): Image {
  return {
    ...image,
    openLayer: async (layer) => {
      const blob = await image.openLayer(layer)
      return Readable.from(
        (async function* () {
          for await (const chunk of blob as AsyncIterable<Buffer>) {
            for (let at = 0; at < chunk.length; at += 65536) {
              await new Promise((r) => setTimeout(r, delayMs))
              yield chunk.subarray(at, at + 65536)
            }
          }
        })(),
        {objectMode: false},
      )
    },
  }
}

/** Per layer: announced at 0 with its size, never going back, ending at its size. */
function expectWellFormed(calls: Call[], image: Image): void {
  for (const layer of image.layers) {
    const mine = calls.filter((call) => call.layer === layer.index)
    expect(mine[0], `layer ${layer.index}`).toEqual({layer: layer.index, bytes: 0, total: layer.size, image: image.reference})
    for (let i = 1; i < mine.length; i++) expect(mine[i]!.bytes).toBeGreaterThanOrEqual(mine[i - 1]!.bytes)
    expect(mine.at(-1), `layer ${layer.index}`).toEqual({layer: layer.index, bytes: layer.size, total: layer.size, image: image.reference})
  }
  // Every layer is announced before the first byte of any is counted.
  const firstCount = calls.findIndex((call) => call.bytes > 0)
  expect(calls.slice(0, firstCount).length).toBeGreaterThanOrEqual(image.layers.length)
}

describe('readLayers progress', () => {
  it('reports each layer from 0 to its size, counts growing as the blob streams (OpenOptions.onProgress)', async () => {
    const dir = await layout(1 << 20)
    const calls: Call[] = []
    const image = await openImage(dir, {onProgress: (layer, bytes, total, image) => calls.push({layer, bytes, total, image})})
    try {
      // ~20 chunks 30 ms apart: the ~200 ms reports in between show the count growing.
      await readLayers(slowed(image, 30), {workers: false, concurrency: 1})
    } finally {
      await image.close()
    }
    expectWellFormed(calls, image)
    const big = calls.filter((call) => call.layer === 0 && call.bytes > 0 && call.bytes < image.layers[0]!.size!)
    expect(big.length).toBeGreaterThan(0)
  })

  it('readLayers({onProgress}) is heard instead of the image\'s; without either, nothing is counted', async () => {
    const dir = await layout(4096)
    const opened: Call[] = []
    const given: Call[] = []
    const image = await openImage(dir, {onProgress: (layer, bytes, total) => opened.push({layer, bytes, total})})
    try {
      await readLayers(image, {workers: false, onProgress: (layer, bytes, total, image) => given.push({layer, bytes, total, image})})
      expectWellFormed(given, image)
      expect(opened).toEqual([])
      const plain = await openImage(dir)
      expect(plain.onProgress).toBeUndefined()
      await plain.close()
    } finally {
      await image.close()
    }
  })
})

const DIST = resolve(__dirname, '../../dist')
const NOT_BUILT = existsSync(join(DIST, 'fs/worker/layer-worker.js')) ? undefined : 'dist/ not built (layer workers run compiled JavaScript: npx tsc -p tsconfig.json)'

describeUnless(NOT_BUILT, 'readLayers progress in layer workers', () => {
  it('counts the bytes each worker acknowledges, from 0 to the layer\'s size', async () => {
    const lib = (await import(/* @vite-ignore */ pathToFileURL(join(DIST, 'index.js')).href)) as typeof import('../../src/index.js')
    const fs = (await import(/* @vite-ignore */ pathToFileURL(join(DIST, 'fs/read-layers.js')).href)) as typeof import('../../src/fs/read-layers.js')
    const dir = await layout(8 << 20)
    const calls: Call[] = []
    const image = await lib.openImage(dir, {onProgress: (layer, bytes, total, image) => calls.push({layer, bytes, total, image})})
    try {
      await fs.readLayers(slowed(image, 5), {workers: true, concurrency: 2})
    } finally {
      await image.close()
    }
    expectWellFormed(calls, image)
    expect(calls.some((call) => call.layer === 0 && call.bytes > 0 && call.bytes < image.layers[0]!.size!)).toBe(true)
  })
})
