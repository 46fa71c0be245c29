import {gzipSync} from 'node:zlib'
import {describe, expect, it} from 'vitest'
import {sniffCompression} from '../../src/image/index.js'
import {compress, layerTar} from './helpers.js'

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
