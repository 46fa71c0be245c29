/**
 * Compression is decided by the bytes, never by names or media types: "tar+gzip" blobs that are plain
 * tar exist in the wild (snyk's nginx OCI archive), and kaniko names gzip layers `.tar.gz` inside
 * archives whose other layers are plain. One place sniffs, everyone asks it.
 */
export type Compression = 'gzip' | 'zstd' | 'none'

const GZIP_MAGIC = [0x1f, 0x8b]
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd]

/** Looks at the first bytes of a blob (4 are enough). Anything that is not gzip or zstd is 'none' (tar). */
export function sniffCompression(head: Uint8Array): Compression {
  if (startsWith(head, GZIP_MAGIC)) return 'gzip'
  if (startsWith(head, ZSTD_MAGIC)) return 'zstd'
  return 'none'
}

/** What the media type claims; only used to word errors ("declared gzip, is zstd"). */
export function compressionFromMediaType(mediaType: string): Compression {
  if (/gzip$/.test(mediaType)) return 'gzip'
  if (/zstd$/.test(mediaType)) return 'zstd'
  return 'none'
}

export const SNIFF_BYTES = 4

function startsWith(head: Uint8Array, magic: number[]): boolean {
  return head.length >= magic.length && magic.every((byte, i) => head[i] === byte)
}
