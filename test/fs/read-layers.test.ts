import {readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import type {Readable} from 'node:stream'
import {describe, expect, it} from 'vitest'
import {LayerAuditError} from '../../src/errors.js'
import type {LayerContents} from '../../src/fs/entry.js'
import {readLayers} from '../../src/fs/read-layers.js'
import type {Image} from '../../src/image/model.js'
import {openTestImage, packTar, tmpDir, writeOciLayout} from './helpers.js'

async function layerTars(n: number): Promise<Buffer[]> {
  return Promise.all(Array.from({length: n}, (_, i) => packTar([{name: `l${i}/file`, content: 'x'.repeat(1000 * (i + 1))}, {name: `.wh.l${i - 1}`, content: ''}])))
}

/** Wraps openLayer so the test can see every raw stream the reader opened. */
function tracked(image: Image): {image: Image; streams: Readable[]} {
  const streams: Readable[] = []
  return {
    streams,
    image: {
      ...image,
      openLayer: async (layer) => {
        const s = await image.openLayer(layer)
        streams.push(s)
        return s
      },
    },
  }
}

describe('readLayers', () => {
  it('returns layers in order whatever the concurrency, with sizes and compression', async () => {
    const dir = tmpDir()
    const tars = await layerTars(5)
    writeOciLayout(dir, tars)
    const image = await openTestImage(`oci:${dir}:img`)
    for (const concurrency of [1, 2, 5, 9]) {
      const done: number[] = []
      const layers = await readLayers(image, {concurrency, onLayerDone: (c) => done.push(c.layer.index)})
      expect(layers.map((l) => l.entries.map((e) => e.path))).toEqual(tars.map((_, i) => [`/l${i}/file`]))
      expect(layers[3].whiteouts).toEqual([{kind: 'file', path: '/l2'}])
      expect(layers.map((l) => l.uncompressedSize)).toEqual(tars.map((t) => t.length))
      expect(layers.every((l: LayerContents) => l.compression === 'gzip' && l.compressedSize > 0)).toBe(true)
      expect(done.sort()).toEqual([0, 1, 2, 3, 4])
    }
  })

  it('a corrupt blob rejects with its typed error and every other stream is closed', async () => {
    const dir = tmpDir()
    writeOciLayout(dir, await layerTars(6))
    const manifest = JSON.parse(readFileSync(join(dir, 'blobs/sha256', JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')).manifests[0].digest.slice(7)), 'utf8'))
    // The biggest blob is read first (readLayers' order): its failure comes before the last layers open,
    // however fast the machine reads the small ones.
    const sizes: number[] = manifest.layers.map((l: {size: number}) => l.size)
    const index = sizes.indexOf(Math.max(...sizes))
    const victim = join(dir, 'blobs/sha256', manifest.layers[index].digest.slice(7))
    const bytes = readFileSync(victim)
    bytes[bytes.length - 5] ^= 0xff // gzip trailer: CRC/size or the digest check catches it
    writeFileSync(victim, bytes)
    const {image, streams} = tracked(await openTestImage(`oci:${dir}:img`))
    const error = await readLayers(image, {concurrency: 2}).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(LayerAuditError)
    expect((error as LayerAuditError).message).toMatch(new RegExp(`layer ${index}\\b`))
    expect(['CORRUPT', 'DIGEST_MISMATCH']).toContain((error as LayerAuditError).code)
    await new Promise((r) => setTimeout(r, 50))
    expect(streams.length).toBeLessThan(6) // stopped opening layers after the failure
    for (const s of streams) expect(s.destroyed || s.readableEnded).toBe(true)
  })

  it('a truncated tar with matching digests is CORRUPT naming the layer', async () => {
    const dir = tmpDir()
    const tars = await layerTars(3)
    tars[1] = tars[1].subarray(0, 700)
    writeOciLayout(dir, tars)
    const image = await openTestImage(`oci:${dir}:img`)
    await expect(readLayers(image)).rejects.toMatchObject({code: 'CORRUPT', message: expect.stringMatching(/^layer 1 .*truncated/)})
    expect(readdirSync(join(dir, 'blobs/sha256')).length).toBe(5)
  })
})
