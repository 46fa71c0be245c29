/**
 * Reads a zip's central directory (zip-directory.ts) into entries Lambda would unpack; nothing is extracted to disk.
 * Content is streamed per entry on demand (openEntry), with its size and CRC-32 verified as it passes.
 */
import {createReadStream} from 'node:fs'
import {open, type FileHandle} from 'node:fs/promises'
import {basename} from 'node:path'
import {Readable, Transform, type TransformCallback} from 'node:stream'
import {crc32, createInflateRaw} from 'node:zlib'
import {ZipError} from '../errors.js'
import {quoteInput} from '../io/input-text.js'
import {spoolStream, SpoolTooLargeError, type Spool} from '../io/spool.js'
import {dataStart, entryName, modifiedSeconds, nameBytes, openCentralDirectory, ZipFormatError, type CentralRecord} from './zip-directory.js'
import {PathSlots} from './path-slots.js'
import {ZipEntry, type ZipEntryProblem, type ZipEntryType, type ZipOrigin} from './zip-entry.js'

export {ZipEntry, type ZipEntryProblem, type ZipEntryType} from './zip-entry.js'

export interface ZipNote {
  /** The entry name the note is about, when it is about one. */
  name?: string
  message: string
}

/** Caps against zip bombs; every zip Lambda accepts is far below them. */
export interface ZipLimits {
  /** Sum of declared uncompressed sizes (default 4 GiB; Lambda's own cap is 262,144,000 bytes). */
  maxTotalSize?: number
  /** Declared uncompressed/compressed ratio of one entry over 1 MiB (default 1100; deflate cannot exceed ~1032). */
  maxRatio?: number
  /** Central directory entries (default 1,000,000). */
  maxEntries?: number
  /** Bytes of a symlink target (default 4096, PATH_MAX). */
  maxLinkTarget?: number
}

export interface OpenZipOptions {
  /** Mount root the entries are placed under ("/opt", "/var/task"); default "/". */
  root?: string
  /** How errors name the input (a file name or an ARN); default the file's base name. */
  name?: string
  limits?: ZipLimits
  /** The zip's position among a function's zips (ZipEntry.layer); default 0. */
  layer?: number
}

const DEFAULT_LIMITS: Required<ZipLimits> = {
  maxTotalSize: 4 * 1024 ** 3,
  maxRatio: 1100,
  maxEntries: 1_000_000,
  maxLinkTarget: 4096,
}
const READ_CHUNK = 1024 * 1024
const INFLATE_CHUNK = 256 * 1024
// Hosts whose external attributes carry a Unix mode in the high 16 bits (APPNOTE 4.4.2: 3 = UNIX, 19 = OS X).
const UNIX_HOSTS = new Set([3, 19])
const S_IFMT = 0o170000
const S_IFDIR = 0o040000
const S_IFLNK = 0o120000
const S_IFREG = 0o100000
const DOS_READONLY = 0x01
const DOS_DIRECTORY = 0x10
const FLAG_ENCRYPTED = 0x01

export class ZipArchive {
  private constructor(
    /** Path of the zip file on disk. */
    readonly file: string,
    /** What the user gave us: a file name or an ARN. */
    readonly name: string,
    /** Bytes of the zip file. */
    readonly size: number,
    /** Entries in central-directory order; a duplicate name keeps only its last entry (noted). */
    readonly entries: ZipEntry[],
    readonly notes: ZipNote[],
    private readonly handle: FileHandle,
    /**
     * Where each entry's local header is, by central-directory index: all openEntry needs of its central
     * record, which is let go. (An array, not a Map keyed by entry: 60k identity hashes cost ~20 ms.)
     */
    private readonly localHeaders: Float64Array,
    /** The temp copy of a zip given as a pipe, removed on close. */
    private readonly spool?: Spool,
  ) {}

  /** Sum of the declared uncompressed sizes of the entries kept (what Lambda's 250 MB limit counts). */
  get uncompressedSize(): number {
    let total = 0
    for (const e of this.entries) total += e.size
    return total
  }

  static async open(file: string, options: OpenZipOptions = {}): Promise<ZipArchive> {
    const name = options.name ?? basename(file)
    const limits = {...DEFAULT_LIMITS, ...options.limits}
    const root = cleanRoot(options.root ?? '/')
    let handle: FileHandle
    try {
      handle = await open(file, 'r')
    } catch (error) {
      throw new ZipError('NOT_FOUND', `cannot read zip: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, {input: name, cause: error})
    }
    // A zip given as a pipe (`--layer <(cat z.zip)`): its directory is at its end, so it is spooled to a
    // private temp file first, read from the handle already open (a pipe is read once).
    let spool: Spool | undefined
    try {
      if ((await handle.stat()).isFIFO()) {
        spool = await spoolPipe(handle, name, limits.maxTotalSize)
        handle = await open(spool.path, 'r')
      }
    } catch (error) {
      await handle.close().catch(() => {})
      await spool?.remove()
      throw error
    }
    try {
      const {size} = await handle.stat()
      const directory = await openCentralDirectory(handle, size).catch((error: unknown) => {
        throw asDirectoryError(error, name, 'unreadable zip')
      })
      if (directory.entryCount > limits.maxEntries) {
        throw new ZipError('TOO_LARGE', `${directory.entryCount} entries, over the cap of ${limits.maxEntries}`, {input: name})
      }
      const count = directory.entryCount
      const notes: ZipNote[] = []
      const localHeaders = new Float64Array(count)
      const bomb = new BombCheck(localHeaders, limits)
      // In index order; a duplicate's earlier entry leaves a hole, closed once all are read.
      const kept: (ZipEntry | undefined)[] = []
      const holders = new PathSlots(count)
      const origin: ZipOrigin = {layer: options.layer ?? 0, source: name, root}
      let windowsNames = 0
      let duplicates = 0
      try {
        await directory.readRecords((r, index) => {
          bomb.add(r, index)
          localHeaders[index] = r.localHeaderOffset
          const entry = toEntry(r, index, origin, notes)
          if (!entry) return
          if (entry.noUnixMode && nameBytes(r).includes(0x5c)) windowsNames++
          kept.push(entry)
          if (entry.problems?.includes('unsafe-path')) return
          const earlier = holders.claim(entry.path, kept.length - 1, (at) => kept[at]!.path)
          if (earlier >= 0) {
            notes.push({name: entry.name, message: `duplicate entry for ${entry.path}: the later one (entry ${index}) wins over entry ${kept[earlier]!.index}`})
            kept[earlier] = undefined
            duplicates++
          }
        })
      } catch (error) {
        throw asDirectoryError(error, name, 'unreadable central directory')
      }
      bomb.check(size, name)
      if (windowsNames > 0) notes.push({message: `${windowsNames} entry names use backslashes (made on Windows); read as "/" separators`})
      const entries = duplicates > 0 ? kept.filter((e): e is ZipEntry => e !== undefined) : (kept as ZipEntry[])
      const archive = new ZipArchive(spool?.path ?? file, name, size, entries, notes, handle, localHeaders, spool)
      for (const entry of entries) {
        if (entry.type === 'symlink' && !entry.problems) entry.linkTarget = await archive.readLinkTarget(entry, limits.maxLinkTarget)
      }
      return archive
    } catch (error) {
      await handle.close()
      await spool?.remove()
      throw error
    }
  }

  /**
   * The entry's content, inflated with 1 MiB reads and 256 KiB chunks; errors (ZipError) when the bytes
   * exceed or fall short of the declared size, or their CRC-32 differs from the central directory's.
   */
  async openEntry(entry: ZipEntry): Promise<Readable> {
    const localHeader = this.localHeaders[entry.index]
    if (localHeader === undefined || !this.holds(entry)) throw new ZipError('NOT_FOUND', `no entry ${quoteInput(entry.name)} in this zip`, {input: this.name})
    if (entry.problems?.includes('encrypted')) throw new ZipError('UNSUPPORTED', `${quoteInput(entry.name)}: entry is encrypted`, {input: this.name})
    if (entry.problems?.includes('unsupported-compression')) {
      throw new ZipError('UNSUPPORTED', `${quoteInput(entry.name)}: compression method ${entry.compressionMethod} is not supported`, {input: this.name})
    }
    let start: number
    try {
      start = await dataStart(this.handle, this.size, localHeader, entry.compressedSize)
    } catch (error) {
      throw new ZipError('CORRUPT', `${quoteInput(entry.name)}: ${(error as Error).message}`, {input: this.name, cause: error})
    }
    const check = new EntryCheck(entry, this.name)
    if (entry.compressedSize === 0) return Readable.from([]).pipe(check)
    const source = createReadStream(this.file, {start, end: start + entry.compressedSize - 1, highWaterMark: READ_CHUNK})
    const inflate = entry.compressionMethod === 8 ? createInflateRaw({chunkSize: INFLATE_CHUNK}) : undefined
    const forward = (error: Error) => check.destroy(asZipError(error, entry, this.name))
    source.on('error', forward)
    inflate?.on('error', forward)
    // A consumer that stops early (or a failed check) must not leave the file or the inflater open.
    check.on('close', () => {
      source.destroy()
      inflate?.destroy()
    })
    return inflate ? source.pipe(inflate).pipe(check) : source.pipe(check)
  }

  async close(): Promise<void> {
    try {
      await this.handle.close()
    } finally {
      await this.spool?.remove()
    }
  }

  /** Whether the entry is one of this archive's (entries are in index order). */
  private holds(entry: ZipEntry): boolean {
    let lo = 0
    let hi = this.entries.length - 1
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1
      const at = this.entries[mid]!
      if (at.index === entry.index) return at === entry
      if (at.index < entry.index) lo = mid + 1
      else hi = mid - 1
    }
    return false
  }

  private async readLinkTarget(entry: ZipEntry, max: number): Promise<string> {
    if (entry.size > max) throw new ZipError('TOO_LARGE', `${quoteInput(entry.name)}: symlink target of ${entry.size} bytes`, {input: this.name})
    const chunks: Buffer[] = []
    for await (const chunk of await this.openEntry(entry)) chunks.push(chunk as Buffer)
    return Buffer.concat(chunks).toString('utf8')
  }
}

/** The pipe's bytes in a spool (closing `handle`); TOO_LARGE past `maxBytes`. */
async function spoolPipe(handle: FileHandle, name: string, maxBytes: number): Promise<Spool> {
  try {
    return await spoolStream(handle.createReadStream({highWaterMark: READ_CHUNK}), {prefix: 'layer-audit-zip-', maxBytes})
  } catch (error) {
    if (error instanceof SpoolTooLargeError) throw new ZipError('TOO_LARGE', `zip from a pipe is over the ${maxBytes}-byte cap`, {input: name})
    throw new ZipError('CORRUPT', `reading the pipe failed (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, {input: name, cause: error})
  }
}

/** Opens a zip file and reads its central directory. */
export function openZip(file: string, options: OpenZipOptions = {}): Promise<ZipArchive> {
  return ZipArchive.open(file, options)
}

/** Counts and CRCs the bytes passing through; fails as soon as they exceed the declared size. */
class EntryCheck extends Transform {
  private bytes = 0
  private crc = 0

  constructor(
    private readonly entry: ZipEntry,
    private readonly input: string,
  ) {
    super({readableHighWaterMark: INFLATE_CHUNK, writableHighWaterMark: INFLATE_CHUNK})
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length
    if (this.bytes > this.entry.size) {
      done(new ZipError('CORRUPT', `${quoteInput(this.entry.name)}: inflates past its declared size of ${this.entry.size} bytes (a zip bomb?)`, {input: this.input}))
      return
    }
    this.crc = crc32(chunk, this.crc)
    done(null, chunk)
  }

  override _flush(done: TransformCallback): void {
    if (this.bytes !== this.entry.size) {
      done(new ZipError('CORRUPT', `${quoteInput(this.entry.name)}: ${this.bytes} bytes, declared ${this.entry.size}`, {input: this.input}))
    } else if (this.crc >>> 0 !== this.entry.crc32 >>> 0) {
      done(new ZipError('CORRUPT', `${quoteInput(this.entry.name)}: CRC-32 mismatch, expected ${hex8(this.entry.crc32)}, got ${hex8(this.crc)}`, {input: this.input}))
    } else {
      done()
    }
  }
}

function asDirectoryError(error: unknown, name: string, what: string): Error {
  if (!(error instanceof ZipFormatError)) return new ZipError('CORRUPT', `${what}: ${(error as Error).message}`, {input: name, cause: error})
  if (error.kind === 'not-zip') return new ZipError('UNKNOWN_FORMAT', 'not a zip file', {input: name, cause: error})
  if (error.kind === 'too-large') return new ZipError('TOO_LARGE', error.message, {input: name, cause: error})
  return new ZipError('CORRUPT', `${what}: ${error.message}`, {input: name, cause: error})
}

/**
 * Declared-size caps and overlapping entries (the "overlapped files" bomb), before anything is inflated.
 * Fed one record at a time, it keeps only numbers (typed arrays), and judges once the directory parsed
 * whole: a directory that turns out malformed is reported as that, before any bomb.
 */
class BombCheck {
  private total = 0
  private readonly ends: Float64Array
  private overRatio?: {name: string; size: number; compressed: number}
  private count = 0

  constructor(
    /** Each entry's local header offset, by index: where its bytes start (the archive's own array, filled as records are read). */
    private readonly starts: Float64Array,
    private readonly limits: Required<ZipLimits>,
  ) {
    this.ends = new Float64Array(starts.length)
  }

  add(e: CentralRecord, index: number): void {
    this.total += e.uncompressedSize
    if (!this.overRatio && e.uncompressedSize > 1024 * 1024 && e.uncompressedSize > this.limits.maxRatio * Math.max(e.compressedSize, 1)) {
      this.overRatio = {name: nameBytes(e).toString('utf8'), size: e.uncompressedSize, compressed: e.compressedSize}
    }
    // The local header is at least 30 bytes plus the name; its extra field can only make the span longer.
    this.ends[index] = e.localHeaderOffset + 30 + e.nameLength + e.compressedSize
    this.count = index + 1
  }

  check(zipSize: number, name: string): void {
    const {limits, overRatio, starts, ends} = this
    if (overRatio) {
      throw new ZipError('TOO_LARGE', `entry ${quoteInput(overRatio.name)} declares ${overRatio.size} bytes from ${overRatio.compressed} (ratio over ${limits.maxRatio}: a zip bomb?)`, {input: name})
    }
    if (this.total > limits.maxTotalSize) {
      throw new ZipError('TOO_LARGE', `entries declare ${this.total} bytes uncompressed, over the cap of ${limits.maxTotalSize}`, {input: name})
    }
    // Stable by offset (ties keep directory order), as the sort of the records was.
    const byOffset = Uint32Array.from({length: this.count}, (_, i) => i).sort((a, b) => starts[a]! - starts[b]! || a - b)
    for (let i = 0; i < byOffset.length; i++) {
      const at = byOffset[i]!
      const start = starts[at]!
      const last = i + 1 === byOffset.length
      const next = last ? zipSize : starts[byOffset[i + 1]!]!
      if (ends[at]! > next) {
        // Past the end of the file is a cut or damaged zip, not two entries sharing bytes.
        if (last || start >= zipSize) {
          throw new ZipError('CORRUPT', `entry at offset ${start} runs past the end of the ${zipSize}-byte file (truncated or damaged zip)`, {input: name})
        }
        throw new ZipError('CORRUPT', `entries overlap at offset ${start} (a zip bomb?)`, {input: name})
      }
    }
  }
}

function toEntry(r: CentralRecord, index: number, origin: ZipOrigin, notes: ZipNote[]): ZipEntry | undefined {
  const {root} = origin
  const host = r.versionMadeBy >>> 8
  const unixAttrs = r.externalAttributes >>> 16
  const hasUnixMode = UNIX_HOSTS.has(host) && unixAttrs !== 0
  const {name: decoded, encoding} = entryName(r, UNIX_HOSTS.has(host))
  let name = decoded
  if (encoding === 'cp437') notes.push({name, message: 'entry name is not flagged UTF-8; decoded as CP437'})
  if (encoding === 'not-utf8') notes.push({name, message: 'entry name is flagged UTF-8 but is not valid UTF-8'})
  // Info-ZIP keeps a backslash as a name character on Unix; archives made elsewhere use it as a separator.
  if (!UNIX_HOSTS.has(host)) name = name.replaceAll('\\', '/')
  const dosAttrs = r.externalAttributes & 0xff
  let type: ZipEntryType
  let mode: number
  const problems: ZipEntryProblem[] = []
  if (hasUnixMode) {
    const fmt = unixAttrs & S_IFMT
    if (fmt === S_IFLNK) type = 'symlink'
    else if (fmt === S_IFDIR || name.endsWith('/')) type = 'directory'
    else {
      type = 'file'
      if (fmt !== S_IFREG && fmt !== 0) notes.push({name, message: `special file type 0o${fmt.toString(8)} unpacked as a regular file`})
    }
    mode = unixAttrs & 0o7777
  } else {
    type = name.endsWith('/') || dosAttrs & DOS_DIRECTORY ? 'directory' : 'file'
    // What Lambda gives entries without Unix modes (docs/lambda.md): readable, never executable.
    const readonly = (dosAttrs & DOS_READONLY) !== 0
    mode = type === 'directory' ? (readonly ? 0o555 : 0o755) : readonly ? 0o444 : 0o644
  }
  const path = cleanEntryPath(name, root)
  if (path === undefined) problems.push('unsafe-path')
  else if (path === root) {
    if (type !== 'directory') notes.push({name, message: 'entry with an empty name skipped'})
    return undefined
  }
  if (r.flags & FLAG_ENCRYPTED) problems.push('encrypted')
  if (r.method !== 0 && r.method !== 8) problems.push('unsupported-compression')
  if (problems.includes('unsafe-path')) notes.push({name, message: 'absolute or ".." entry name: not placed in the layout'})
  if (problems.includes('encrypted')) notes.push({name, message: 'entry is encrypted'})
  if (problems.includes('unsupported-compression')) notes.push({name, message: `compression method ${r.method} is neither stored nor deflate`})
  const entry = new ZipEntry(
    {
      index,
      name,
      path: path ?? '',
      type,
      mode,
      size: type === 'directory' ? 0 : r.uncompressedSize,
      compressedSize: r.compressedSize,
      crc32: r.crc32 >>> 0,
      mtime: modifiedSeconds(r),
      compressionMethod: r.method,
    },
    origin,
  )
  if (!hasUnixMode) entry.noUnixMode = true
  if (problems.length) entry.problems = problems
  return entry
}

/** Absolute cleaned path under root, or undefined when the name is absolute or climbs with "..". */
export function cleanEntryPath(name: string, root: string): string | undefined {
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return undefined
  const base = root === '/' ? '' : root
  // Fast path: the usual "python/lib/x.py" (or "dir/") with nothing to resolve.
  if (name !== '' && !name.includes('//') && !/(^|\/)\.\.?(\/|$)/.test(name)) {
    const trimmed = name.endsWith('/') ? name.slice(0, -1) : name
    return trimmed ? `${base}/${trimmed}` : root
  }
  const parts: string[] = []
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue
    if (part === '..') return undefined
    parts.push(part)
  }
  return parts.length ? `${base}/${parts.join('/')}` : root
}

function cleanRoot(root: string): string {
  const parts = root.split('/').filter((p) => p !== '' && p !== '.')
  return parts.length ? '/' + parts.join('/') : '/'
}

function asZipError(error: Error, entry: ZipEntry, input: string): Error {
  if (error instanceof ZipError) return error
  return new ZipError('CORRUPT', `${quoteInput(entry.name)}: ${error.message}`, {input, cause: error})
}

function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0')
}
