/** What a layer (or a zip) says about one path, and the merged view of it. */
import type {LayerInfo} from '../image/model.js'

export type EntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo'

/** One tar header of one layer after path cleaning. Whiteout markers are not entries (see Whiteout). */
export interface LayerEntry {
  /** Absolute, cleaned POSIX path ("/opt/x"); never "/" itself. */
  path: string
  type: EntryType
  /** Permission bits plus setuid/setgid/sticky (mode & 0o7777). */
  mode: number
  uid: number
  gid: number
  /** Bytes of content (0 for anything but regular files). */
  size: number
  /** Seconds since the epoch. */
  mtime: number
  /** Symlink target as stored (may be relative, absolute or escaping: data, never followed on the host); hardlink target as a cleaned absolute path. */
  linkTarget?: string
  devmajor?: number
  devminor?: number
  xattrs?: Record<string, string>
  /** Index of the layer that holds this entry. */
  layer: number
}

/** `.wh.NAME` removes NAME from lower layers; `.wh..wh..opq` hides every lower child of its directory. */
export interface Whiteout {
  kind: 'file' | 'opaque'
  /** The path removed (kind file) or the directory made opaque (kind opaque). */
  path: string
}

/** Everything one pass over one layer learned. Entries keep tar order; duplicates are kept (last wins when applied). */
export interface LayerContents {
  layer: LayerInfo
  entries: LayerEntry[]
  whiteouts: Whiteout[]
  compression: 'gzip' | 'zstd' | 'none'
  /** Bytes of the blob as stored. */
  compressedSize: number
  /** Bytes of the uncompressed tar stream (what Lambda's 10 GiB limit counts). */
  uncompressedSize: number
}

/** A consumer of one file's content while its layer streams past; must be synchronous and cheap. */
export interface ContentSink {
  write(chunk: Buffer): void
  end(): void
}

/** Called for each regular file of each layer; returns a sink to receive its bytes, or undefined to skip them. */
export type ContentHook = (entry: LayerEntry, layer: LayerInfo) => ContentSink | undefined

/**
 * A path in a merged filesystem (an image at some layer, or the zip function's layout). On the image
 * side a node is the LayerEntry that last wrote its path, the same object (a million-file layer is held
 * once, not twice); the lower layers it hides are the tree's to tell (FileTree.hidden).
 */
export interface FileNode {
  path: string
  type: EntryType
  mode: number
  uid: number
  gid: number
  size: number
  mtime: number
  linkTarget?: string
  /** Extended attributes from the layer's PAX `SCHILY.xattr.*` records (values are byte strings). */
  xattrs?: Record<string, string>
  /** Index of the layer (or zip) that last wrote this path. */
  layer: number
  /** For the zip side: the zip file or layer ARN that wrote it. */
  source?: string
  /** Zip side: CRC-32 from the central directory. */
  crc32?: number
}
