/**
 * One zip entry as Lambda would unpack it, which is also its node in the function's layout (a layer of a
 * million entries is held once). A class, for memory: what every entry of one zip shares (its layer index,
 * name and mount root; owner 0:0) lives once on a ZipOrigin, and the stored name is kept only when it is
 * not the path's own tail; type, mode and compression method share one small integer and the CRC-32 is
 * kept signed (never a boxed number). ~155 bytes an entry held, from ~265 as a plain object. `toJSON`
 * prints every field, as the plain object did.
 */
import type {EntryType} from '../fs/entry.js'

export type ZipEntryType = Extract<EntryType, 'file' | 'directory' | 'symlink'>

/** Something about one entry that a rule or the layout must know. */
export type ZipEntryProblem =
  | 'unsafe-path' // absolute, drive-letter or `..` name: never placed in the layout
  | 'encrypted' // content unreadable without a password (Lambda cannot unpack it either)
  | 'unsupported-compression' // neither stored nor deflated

/** What every entry of one zip has in common. */
export interface ZipOrigin {
  /** The zip's position among a function's zips (the node's `layer`). */
  readonly layer: number
  /** How the zip is named: a file name or a layer ARN (the node's `source`). */
  readonly source: string
  /** Cleaned mount root the entries are placed under ("/opt", "/var/task", "/"). */
  readonly root: string
}

export interface ZipEntryFields {
  index: number
  /** The name as stored, decoded (with a Windows zip's backslashes read as "/"). */
  name: string
  path: string
  type: ZipEntryType
  mode: number
  size: number
  compressedSize: number
  crc32: number
  mtime: number
  compressionMethod: number
}

export class ZipEntry {
  /** Position in the central directory. */
  readonly index: number
  /** Cleaned absolute POSIX path under the mount root ("/opt/extensions/x"); "" for an unsafe name. */
  readonly path: string
  /** Uncompressed bytes as declared by the central directory (a symlink's target length; 0 for a directory). */
  readonly size: number
  readonly compressedSize: number
  /** Seconds since the epoch (Info-ZIP "UT" extra field when present, else DOS time read as local time, like unzip). */
  readonly mtime: number
  /** The zip this entry is from. */
  readonly origin: ZipOrigin
  /** Permission bits, type and compression method in one small integer (see the getters): 16 bytes an entry less. */
  private readonly bits: number
  /** CRC-32 as a signed 32-bit integer: an unsigned one over 2^31 would be a boxed number, 16 bytes more. */
  private readonly crc: number
  /** Symlink target as stored in the entry's content (`zip -y`). */
  declare linkTarget?: string
  /** Made on a system without Unix modes (e.g. Windows): mode is Lambda's default, never executable. */
  declare noUnixMode?: true
  declare problems?: ZipEntryProblem[]
  /** The decoded name when it is not the path's tail (see `name`). */
  declare private storedName?: string

  constructor(fields: ZipEntryFields, origin: ZipOrigin) {
    this.index = fields.index
    this.path = fields.path
    this.size = fields.size
    this.compressedSize = fields.compressedSize
    this.mtime = fields.mtime
    this.origin = origin
    this.bits = (fields.mode & 0o7777) | (TYPES.indexOf(fields.type) << 12) | ((fields.compressionMethod & 0xffff) << 14)
    this.crc = fields.crc32 | 0
    if (!isPlainName(fields.name, fields.path, fields.type, origin.root)) this.storedName = fields.name
  }

  get type(): ZipEntryType {
    return TYPES[(this.bits >>> 12) & 3]!
  }

  /** Permission bits (mode & 0o7777); for entries without Unix attributes, what Lambda gives them (see docs/lambda.md). */
  get mode(): number {
    return this.bits & 0o7777
  }

  /** 0 stored, 8 deflate; anything else cannot be read (problem `unsupported-compression`). */
  get compressionMethod(): number {
    return this.bits >>> 14
  }

  /** CRC-32 of the content, from the central directory (unsigned). */
  get crc32(): number {
    return this.crc >>> 0
  }

  /** The name as stored in the zip (decoded: UTF-8 when flagged, else CP437). */
  get name(): string {
    return this.storedName ?? nameFromPath(this.path, this.type, this.origin.root)
  }

  /** Owner 0:0, as Lambda unpacks zips (an assumption: zips carry no owner that Lambda honours). */
  get uid(): 0 {
    return 0
  }

  get gid(): 0 {
    return 0
  }

  /** The index of the zip in the layout's order (the FileNode's `layer`). */
  get layer(): number {
    return this.origin.layer
  }

  /** The zip's name (the FileNode's `source`). */
  get source(): string {
    return this.origin.source
  }

  /** This entry as another node size: a symlink's node has size 0 (its entry's size is its target's length). */
  withSize(size: number): ZipEntry {
    const copy = Object.create(ZipEntry.prototype) as ZipEntry
    Object.assign(copy, this)
    ;(copy as {size: number}).size = size
    return copy
  }

  toJSON(): Record<string, unknown> {
    const {index, name, path, type, mode, size, compressedSize, crc32, mtime, compressionMethod, uid, gid, layer, source} = this
    return {
      index, name, path, type, mode, size, compressedSize, crc32, mtime, compressionMethod, uid, gid, layer, source,
      ...(this.noUnixMode ? {noUnixMode: true} : {}),
      ...(this.problems ? {problems: this.problems} : {}),
      ...(this.linkTarget !== undefined ? {linkTarget: this.linkTarget} : {}),
    }
  }
}

const TYPES: readonly ZipEntryType[] = ['file', 'directory', 'symlink']

/** Whether `name` is what nameFromPath gives back, compared in place (no string made per entry). */
function isPlainName(name: string, path: string, type: ZipEntryType, root: string): boolean {
  if (path === '') return name === ''
  const from = root === '/' ? 1 : root.length + 1
  const slash = type === 'directory' ? 1 : 0
  if (name.length !== path.length - from + slash) return false
  if (slash && name.charCodeAt(name.length - 1) !== 0x2f) return false
  for (let i = 0; i < name.length - slash; i++) if (name.charCodeAt(i) !== path.charCodeAt(from + i)) return false
  return true
}

/** The name an entry at `path` has when it was stored plainly: the path below the root, "/" ending a directory. */
function nameFromPath(path: string, type: ZipEntryType, root: string): string {
  if (path === '') return ''
  const tail = path.slice(root === '/' ? 1 : root.length + 1)
  return type === 'directory' ? `${tail}/` : tail
}
