import {rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {Transform} from 'node:stream'
import {gzipSync} from 'node:zlib'
import {afterAll, describe, expect, it} from 'vitest'
import {DigestMismatchError, LayerAuditError} from '../../src/errors.js'
import {LayerReader} from '../../src/fs/layer-reader.js'
import {readLayers} from '../../src/fs/read-layers.js'
import {openImage, sniffCompression} from '../../src/image/index.js'
import {createInflater} from '../../src/image/inflate.js'
import type {Image, LayerInfo} from '../../src/image/model.js'
import {compress, errorOf, layerTar, OciLayoutBuilder, readAllLayers, sha256, tempDir, withRef, type Compress} from './helpers.js'

describe('sniffCompression', () => {
  const tar = layerTar({'a.txt': 'a'})
  it('knows gzip, zstd and tar by their first bytes', () => {
    expect(sniffCompression(gzipSync(tar))).toBe('gzip')
    expect(sniffCompression(compress(tar, 'zstd'))).toBe('zstd')
    expect(sniffCompression(tar)).toBe('none')
  })
  it('calls short or empty input uncompressed', () => {
    expect(sniffCompression(Buffer.from([0x1f]))).toBe('none')
    expect(sniffCompression(Buffer.alloc(0))).toBe('none')
  })
})

/** Deterministic, compressible text files: deflate codes them with dynamic Huffman tables. */
function textFiles(count: number): Record<string, string> {
  const files: Record<string, string> = {}
  for (let f = 0; f < count; f++) {
    const lines = Array.from({length: 120}, (_, i) => `file ${f} line ${i}: ${'abcdefghij'.repeat((i % 7) + 1)} ${(i * 7919) % 1000}`)
    files[`opt/app/mod${f}.txt`] = lines.join('\n')
  }
  return files
}

const MT_LAYER = {
  gzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  zstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  none: 'application/vnd.oci.image.layer.v1.tar',
}
const MT_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'

interface LayerBlob {
  /** The bytes stored in blobs/. */
  stored: Buffer
  /** What the manifest names (digest and size), when not the stored bytes'. */
  names?: Buffer
  /** The size the manifest declares, when not that of `names`. */
  size?: number
  diffId: string
  compression: Compress
}

/** An OCI layout (ref "img") whose layer blobs may differ from what its manifest names. */
function layoutWith(dir: string, layers: LayerBlob[]): void {
  const b = new OciLayoutBuilder(dir)
  const descriptors = layers.map((l) => {
    const named = b.blob(l.names ?? l.stored, MT_LAYER[l.compression])
    if (l.names) writeFileSync(join(dir, 'blobs', 'sha256', named.digest.slice(7)), l.stored)
    return l.size === undefined ? named : {...named, size: l.size}
  })
  const config = b.json(
    {architecture: 'amd64', os: 'linux', config: {}, rootfs: {type: 'layers', diff_ids: layers.map((l) => l.diffId)}},
    'application/vnd.oci.image.config.v1+json',
  )
  const manifest = b.json({schemaVersion: 2, mediaType: MT_MANIFEST, config, layers: descriptors}, MT_MANIFEST)
  b.writeIndex([withRef(manifest, 'img')])
}

/** A copy of `blob` with one byte flipped, at the first place from the middle on where inflating fails (not at its end). */
function brokenInTheMiddle(blob: Buffer): Buffer {
  for (let at = blob.length >> 1; at < blob.length - 8; at++) {
    const copy = Buffer.from(blob)
    copy[at] ^= 0xff
    try {
      createInflater('gzip').write(copy)
    } catch {
      return copy
    }
  }
  throw new Error('no byte whose flip breaks inflating')
}

const flipped = (blob: Buffer, at: number): Buffer => {
  const copy = Buffer.from(blob)
  copy[at] ^= 0xff
  return copy
}

/**
 * The error reading every layer fails with. By default both ways (readLayers, and openLayerStream
 * without a tar walker) must fail alike; `walkOnly` for a blob that matches its digest, where the walk
 * reports its tar error and the bare stream, read to its end, the diff_id.
 */
async function readError(dir: string, walkOnly = false): Promise<LayerAuditError> {
  const image = await openImage(`oci:${dir}:img`)
  try {
    const walked = await errorOf(readLayers(image, {workers: false}))
    if (!walkOnly) expect((await errorOf(readAllLayers(image))).message).toBe(walked.message)
    return walked
  } finally {
    await image.close()
  }
}

describe('a corrupt blob is reported as its digest mismatch, not as its broken gzip or tar', () => {
  const dirs: string[] = []
  const dir = () => {
    const made = tempDir('la-corrupt-')
    dirs.push(made.path)
    return made.path
  }
  afterAll(() => dirs.forEach((d) => rmSync(d, {recursive: true, force: true})))

  const base = layerTar({'etc/os-release': 'ID=test\n'})
  const tar = layerTar(textFiles(24))
  const good = (compression: Compress = 'gzip'): LayerBlob => ({stored: compress(base, compression), diffId: sha256(base), compression})

  it('a gzip layer with a byte flipped in the middle: the blob digest mismatch, naming the layer', async () => {
    const gz = compress(tar, 'gzip')
    const corrupt = brokenInTheMiddle(gz)
    const d = dir()
    layoutWith(d, [good(), {stored: corrupt, names: gz, diffId: sha256(tar), compression: 'gzip'}])
    const error = await readError(d)
    expect(error).toBeInstanceOf(DigestMismatchError)
    expect(error.message).toBe(`layer 1 (${sha256(gz).slice(0, 19)}…) blob: digest mismatch, expected ${sha256(gz)}, got ${sha256(corrupt)}`)
    expect(error.input).toBe(`oci:${d}:img`)
  })

  it('the same broken gzip named by its own digest (the blob is what the manifest says): the gzip error', async () => {
    const corrupt = brokenInTheMiddle(compress(tar, 'gzip'))
    const d = dir()
    layoutWith(d, [good(), {stored: corrupt, diffId: sha256(tar), compression: 'gzip'}])
    const error = await readError(d)
    expect(error.code).toBe('CORRUPT')
    expect(error.message).toMatch(new RegExp(`^layer 1 \\(${sha256(corrupt).slice(0, 19)}…\\): broken gzip stream: `))
  })

  it('a zstd layer and a plain tar layer with a flipped byte: the digest mismatch, not the zstd or tar error', async () => {
    for (const compression of ['zstd', 'none'] as const) {
      const blob = compress(tar, compression)
      // zstd: the middle of the frame; tar: the first header's name field (its checksum no longer holds).
      const corrupt = flipped(blob, compression === 'none' ? 10 : blob.length >> 1)
      const d = dir()
      layoutWith(d, [good(compression), {stored: corrupt, names: blob, diffId: sha256(tar), compression}])
      const error = await readError(d)
      expect(error, compression).toBeInstanceOf(DigestMismatchError)
      expect(error.message, compression).toMatch(/^layer 1 \(sha256:[0-9a-f]{12}…\) blob: digest mismatch/)

      // Named by its own digest, the damage is what is reported.
      const named = dir()
      layoutWith(named, [good(compression), {stored: corrupt, diffId: sha256(tar), compression}])
      // (fzstd does not check zstd's content checksum: the frame inflates to a damaged tar.)
      const own = await readError(named, true)
      expect(own.code, compression).toBe('CORRUPT')
      expect(own.message, compression).toMatch(/^layer 1 \(sha256:[0-9a-f]{12}…\): (corrupt tar|truncated tar|broken zstd stream)/)
    }
  })

  it('a blob cut short: a digest mismatch (or the size, when the digest names the short blob), never a truncated gzip or tar', async () => {
    const gz = compress(tar, 'gzip')
    const short = gz.subarray(0, gz.length >> 1)
    const d = dir()
    layoutWith(d, [good(), {stored: short, names: gz, diffId: sha256(tar), compression: 'gzip'}])
    const error = await readError(d)
    expect(error).toBeInstanceOf(DigestMismatchError)
    expect(error.message).toContain(`blob: digest mismatch, expected ${sha256(gz)}, got ${sha256(short)}`)

    const sized = dir()
    layoutWith(sized, [good(), {stored: short, diffId: sha256(tar), compression: 'gzip', size: gz.length}])
    const bySize = await readError(sized)
    expect(bySize.code).toBe('CORRUPT')
    expect(bySize.message).toBe(`layer 1 (${sha256(short).slice(0, 19)}…): blob is ${short.length} bytes, the manifest says ${gz.length}`)
  })

  it('a blob running long is a size error as soon as it passes the declared size: the rest is never read', async () => {
    const gz = compress(tar, 'gzip')
    const long = Buffer.concat([gz, Buffer.alloc(16 << 20, 0x5a)])
    const d = dir()
    layoutWith(d, [good(), {stored: long, names: gz, diffId: sha256(tar), compression: 'gzip'}])
    expect((await readError(d)).message).toBe(`layer 1 (${sha256(gz).slice(0, 19)}…): blob is longer than the ${gz.length} bytes the manifest says`)

    const image = await openImage(`oci:${d}:img`)
    let read = 0
    const counted: Image = {
      ...image,
      openLayer: async (layer) =>
        (await image.openLayer(layer)).pipe(
          new Transform({
            transform(chunk: Buffer, _encoding, callback) {
              if (layer.index === 1) read += chunk.length
              callback(null, chunk)
            },
          }),
        ),
    }
    await errorOf(readLayers(counted, {workers: false, concurrency: 1}))
    await image.close()
    expect(read).toBeLessThan(gz.length + (4 << 20))
  })
})

describe('without a blob digest (legacy docker-archive layers), the diff_id is what can be checked', () => {
  const tar = layerTar(textFiles(24))
  const layer = (diffId: string, compression: Compress): LayerInfo => ({index: 2, diffId, mediaType: MT_LAYER[compression]})
  /** Pushes `blob` through a LayerReader in 4 KiB chunks; the error and whether write (not end) threw it. */
  const readBlob = (blob: Buffer, info: LayerInfo): {error: LayerAuditError; atWrite: boolean} => {
    const reader = new LayerReader(info, [], 'legacy.tar')
    let atWrite = true
    try {
      for (let at = 0; at < blob.length; at += 4096) reader.write(blob.subarray(at, at + 4096))
      atWrite = false
      reader.end()
    } catch (error) {
      if (!(error instanceof LayerAuditError)) throw error
      return {error, atWrite}
    }
    throw new Error('expected a LayerAuditError')
  }

  it('a broken gzip stream stands at once: nothing further can be hashed', () => {
    const {error, atWrite} = readBlob(brokenInTheMiddle(compress(tar, 'gzip')), layer(sha256(tar), 'gzip'))
    expect(error.message).toMatch(/^layer 2 \(sha256:[0-9a-f]{12}…\): broken gzip stream: /)
    expect(atWrite).toBe(true)
  })

  it('a damaged tar read to its end is the diff_id mismatch, or the tar error when the diff_id matches', () => {
    const damaged = flipped(tar, 10)
    for (const compression of ['none', 'gzip'] as const) {
      const blob = compress(damaged, compression)
      const mismatch = readBlob(blob, layer(sha256(tar), compression))
      expect(mismatch.error, compression).toBeInstanceOf(DigestMismatchError)
      expect(mismatch.error.message, compression).toBe(
        `layer 2 (${sha256(tar).slice(0, 19)}…) diff_id: digest mismatch, expected ${sha256(tar)}, got ${sha256(damaged)}`,
      )
      expect(mismatch.atWrite).toBe(false)

      const own = readBlob(blob, layer(sha256(damaged), compression))
      expect(own.error.code, compression).toBe('CORRUPT')
      expect(own.error.message, compression).toMatch(/^layer 2 .*tar/)
    }
  })
})
