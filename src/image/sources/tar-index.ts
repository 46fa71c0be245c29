/**
 * Index of an outer archive's members, built by reading headers only (content is skipped, not read),
 * so opening a 2 GB docker save costs a few hundred small reads. Members are then read as ranged
 * streams. Links inside the archive are followed: skopeo's `<v1id>/layer.tar` are symlinks to
 * `../<digest>.tar`, Bazel's deduplicated layers are symlinks between v1 dirs.
 */
import {posix} from 'node:path'
import type {Readable} from 'node:stream'
import {ImageSourceError} from '../../errors.js'
import {quoteInput} from '../../io/input-text.js'
import type {Compression} from '../compression.js'
import {checkJsonSize} from '../json-document.js'
import {type ArchiveBytes, type SequentialReader, archiveBytes} from './archive-bytes.js'
import {BLOCK, type RawHeader, type TarMemberType, isHeaderOnly, isMetaFlag, memberType, paddedSize, parseHeader} from '../../tar/header.js'
import {PendingHeaders, type TarMember as RawMember} from '../../tar/member.js'
import {MAX_EXTENDED_HEADER} from '../../tar/reader.js'

export interface TarMember {
  name: string
  type: TarMemberType
  /** Offset of the content in the (decompressed) archive. */
  offset: number
  size: number
  linkname?: string
}

/** Members of compressed archives small enough and named like metadata are kept from the indexing pass. */
const CACHE_LIMIT = 256 * 1024
const MAX_LINK_HOPS = 16

export class TarArchive {
  private readonly cache = new Map<string, Buffer>()

  private constructor(
    private readonly bytes: ArchiveBytes,
    readonly members: Map<string, TarMember>,
    /** Name the input in errors. */
    readonly input: string,
  ) {}

  get compression(): Compression {
    return this.bytes.compression
  }

  /** Indexes `path` (a tar, or a gzip/zstd of a tar). A file that is not a tar → UNKNOWN_FORMAT. */
  static async open(path: string, compression: Compression, input: string): Promise<TarArchive> {
    const bytes = archiveBytes(path, compression, input)
    const members = new Map<string, TarMember>()
    const archive = new TarArchive(bytes, members, input)
    const reader = await bytes.sequential()
    try {
      await archive.walk(reader)
    } finally {
      await reader.close()
    }
    return archive
  }

  /** Normalised member names, in archive order. */
  names(): string[] {
    return [...this.members.keys()]
  }

  /**
   * The member a name leads to, following symlinks and hardlinks; undefined when absent or dangling.
   * Only members are ever looked up, so nothing outside the archive can be reached; a link whose target
   * climbs above the archive's root (`../../etc/passwd`) is dangling, not clamped to a member of that name.
   */
  find(name: string): TarMember | undefined {
    let current = this.members.get(normalizeMemberName(name))
    for (let hops = 0; current && hops < MAX_LINK_HOPS; hops++) {
      if (current.type === 'symlink') {
        const target = current.linkname ?? ''
        const base = target.startsWith('/') ? '' : posix.dirname(current.name)
        const resolved = memberPath(posix.join(base, target))
        current = resolved === undefined ? undefined : this.members.get(resolved)
      } else if (current.type === 'hardlink') {
        const resolved = memberPath(current.linkname ?? '')
        current = resolved === undefined ? undefined : this.members.get(resolved)
      } else {
        return current
      }
    }
    return undefined
  }

  /** Lets go of inflating streams kept between reads of a compressed archive. */
  close(): void {
    this.bytes.close()
  }

  has(name: string): boolean {
    return this.find(name)?.type === 'file'
  }

  /** A regular member's bytes as a stream (1 MiB reads). */
  openMember(name: string): Readable {
    const member = this.requireFile(name)
    return this.bytes.range(member.offset, member.size)
  }

  /** A small member (JSON), read whole under `cap`. */
  async readMember(name: string, cap: number, what: string): Promise<Buffer> {
    const member = this.requireFile(name)
    checkJsonSize(member.size, cap, what, this.input)
    const cached = this.cache.get(member.name)
    if (cached) return cached
    const chunks: Buffer[] = []
    for await (const chunk of this.bytes.range(member.offset, member.size)) chunks.push(chunk as Buffer)
    return Buffer.concat(chunks)
  }

  private requireFile(name: string): TarMember {
    const member = this.find(name)
    if (!member || member.type !== 'file') {
      throw new ImageSourceError('NOT_FOUND', `${quoteInput(name)} is missing from the archive`, {input: this.input})
    }
    return member
  }

  /** Headers only, as Go's archive/tar reads them (src/tar/): content and padding are skipped. */
  private async walk(reader: SequentialReader): Promise<void> {
    let offset = 0
    const pending = new PendingHeaders()
    for (;;) {
      const header = await this.readHeader(reader, offset)
      if (header === undefined) return // the stream ends where a header is due: the end (as Go)
      if (header === null) {
        // One zero block ends the archive when the stream or a second zero block follows (Go).
        const next = await reader.read(BLOCK)
        if (next.length === 0) return
        if (next.length < BLOCK) throw this.corrupt(`truncated archive: partial tar header at offset ${offset + BLOCK}`)
        if (next.some((byte) => byte !== 0)) throw this.corrupt(`damaged tar header at offset ${offset + BLOCK}`)
        return
      }
      offset += BLOCK
      if (!isHeaderOnly(header.flag) && header.size < 0) throw this.corrupt(`damaged tar header at offset ${offset - BLOCK}`)
      if (isMetaFlag(header.flag)) {
        if (header.size > MAX_EXTENDED_HEADER) throw this.corrupt(`extended header at offset ${offset - BLOCK} is over ${MAX_EXTENDED_HEADER} bytes`)
        const data = await reader.read(header.size)
        if (data.length < header.size) throw this.corrupt(`truncated archive: extended header at offset ${offset} is cut short`)
        try {
          pending.add(header.flag, Buffer.from(data))
        } catch (error) {
          throw this.corrupt(`damaged extended header at offset ${offset - BLOCK}: ${(error as Error).message}`)
        }
        offset += header.size + (await reader.skip(paddedSize(header.size) - header.size))
        continue
      }
      let raw: RawMember
      try {
        raw = pending.take(header, offset - BLOCK)
      } catch (error) {
        throw this.corrupt(`damaged tar header at offset ${offset - BLOCK}: ${(error as Error).message}`)
      }
      if (raw.flag === 'S') throw this.corrupt(`old GNU sparse member at offset ${offset - BLOCK} is not supported`)
      const name = normalizeMemberName(raw.name)
      // A sparse member's stored bytes are not its content: it is never read as a file.
      const type = raw.sparse ? 'other' : memberType(raw.flag)
      const size = isHeaderOnly(raw.flag) ? 0 : raw.size
      const linkname = raw.linkname
      const member: TarMember = {name, type, offset, size: type === 'file' ? size : 0, ...(linkname ? {linkname} : {})}
      if (name !== '') this.members.set(name, member)
      if (type === 'file' && this.bytes.compression !== 'none' && size <= CACHE_LIMIT && looksLikeMetadata(name)) {
        const data = await reader.read(size)
        if (data.length < size) throw this.truncated(name)
        this.cache.set(name, Buffer.from(data))
      } else if ((await reader.skip(size)) < size) {
        throw this.truncated(name)
      }
      // Padding may be cut short at the very end (a writer never closed): Go reads that as the end.
      offset += size + (await reader.skip(paddedSize(size) - size))
    }
  }

  /** The next header; null for a zero block. A stream that is not tar at its first block is UNKNOWN_FORMAT. */
  private async readHeader(reader: SequentialReader, offset: number): Promise<RawHeader | null | undefined> {
    const block = await reader.read(BLOCK)
    if (block.length === 0) return undefined
    if (block.length < BLOCK) {
      if (offset === 0) throw new ImageSourceError('UNKNOWN_FORMAT', 'not an image archive: not a tar file', {input: this.input})
      throw this.corrupt(`truncated archive: partial tar header at offset ${offset}`)
    }
    try {
      return parseHeader(block)
    } catch {
      if (offset === 0) throw new ImageSourceError('UNKNOWN_FORMAT', 'not an image archive: not a tar file', {input: this.input})
      throw this.corrupt(`damaged tar header at offset ${offset}`)
    }
  }

  private corrupt(message: string): ImageSourceError {
    return new ImageSourceError('CORRUPT', message, {input: this.input})
  }

  private truncated(name: string): ImageSourceError {
    return this.corrupt(`truncated archive: member ${name} is cut short`)
  }
}

/** "./a//b/" → "a/b": how docker-archive and OCI paths are compared. */
export function normalizeMemberName(name: string): string {
  const cleaned = posix.normalize(`/${name}`).replace(/^\/+/, '').replace(/\/+$/, '')
  return cleaned === '.' ? '' : cleaned
}

/** A link target as a member name, or undefined when it climbs above the archive's root. */
function memberPath(target: string): string | undefined {
  const relative = posix.normalize(target.replace(/^\/+/, ''))
  if (relative === '..' || relative.startsWith('../')) return undefined
  return normalizeMemberName(relative)
}

function looksLikeMetadata(name: string): boolean {
  return (
    /(^|\/)(manifest\.json|index\.json|oci-layout|repositories|json)$/.test(name) ||
    name.endsWith('.json') ||
    /(^|\/)sha256:[a-f0-9]{64}$/.test(name) ||
    /^blobs\/sha(256|512)\/[a-f0-9]+$/.test(name)
  )
}
