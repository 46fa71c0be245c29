/**
 * A push parser for one tar stream: feed it chunks as they arrive (`write`), then `end`. Synchronous,
 * so it runs in the same call that inflated the bytes, with no stream machinery in between (the layer
 * workers' hot path, docs/performance.md). Member data goes to the sink `onMember` returns, as views of
 * the chunks written: nothing is copied or buffered but one header block, extended headers and GNU
 * sparse maps (≤ 1 MiB each).
 *
 * It reads exactly what Go's archive/tar reads (reader.go), which containerd, Docker, BuildKit and umoci
 * apply layers with — decided edge by edge from Go's source, not guessed:
 * - headers: header.ts; extended headers and how they merge: member.ts; GNU sparse: sparse.ts;
 * - link, symlink, device, directory and fifo members carry no data whatever their size field says;
 * - end of archive: two zero blocks end it and what follows is skipped unread; one zero block then the
 *   end of the stream ends it too; one zero block then anything else is an error;
 * - the stream may simply stop where a header is due or anywhere in a member's padding (a writer that
 *   was never closed, `umoci insert`): that ends the archive cleanly. Stopping inside a header, a
 *   member's data or an extended header is `truncated`.
 */
import {BLOCK, TarHeaderError, isHeaderOnly, isMetaFlag, paddedSize, parseHeader} from './header.js'
import {PendingHeaders, TarMemberError, type TarMember} from './member.js'
import {SparseExpander, SparseFormatError, SparseMapReader, storedBytes, validateFragments} from './sparse.js'

export type {TarMember} from './member.js'

export interface TarDataSink {
  write(chunk: Buffer): void
  end(): void
}

/** `truncated`: the stream ended inside a member; `corrupt`: bytes Go's reader rejects. */
export class TarFormatError extends Error {
  constructor(
    readonly kind: 'truncated' | 'corrupt',
    message: string,
  ) {
    super(message)
    this.name = 'TarFormatError'
  }
}

/** Go's maxSpecialFileSize: larger PAX or GNU long-name headers are refused. */
export const MAX_EXTENDED_HEADER = 1024 * 1024

type State = 'header' | 'zero' | 'data' | 'extended' | 'sparse-map' | 'padding' | 'ended'

export class TarReader {
  private state: State = 'header'
  /** Bytes of the stream written before the current chunk. */
  private position = 0
  private readonly block = Buffer.allocUnsafe(BLOCK)
  private blockFill = 0
  /** Bytes of data (or extended header) left, then of padding to the next block. */
  private remaining = 0
  private padding = 0
  private sink?: TarDataSink
  private extended?: {flag: string; chunks: Buffer[]; size: number; offset: number}
  private readonly pending = new PendingHeaders()
  private sparse?: {member: TarMember; map: SparseMapReader}

  constructor(private readonly onMember: (member: TarMember) => TarDataSink | undefined) {}

  /** True once the end-of-archive blocks were seen: the rest of the stream is skipped. */
  get ended(): boolean {
    return this.state === 'ended'
  }

  /** Throws TarFormatError on bytes that are not tar; errors thrown by `onMember` or a sink pass through. */
  write(chunk: Buffer): void {
    let at = 0
    while (at < chunk.length && this.state !== 'ended') {
      switch (this.state) {
        case 'header':
        case 'zero':
        case 'sparse-map': {
          if (this.blockFill === 0 && chunk.length - at >= BLOCK) {
            this.onBlock(chunk, at, this.position + at)
            at += BLOCK
          } else {
            const n = chunk.copy(this.block, this.blockFill, at, at + BLOCK - this.blockFill)
            this.blockFill += n
            at += n
            if (this.blockFill === BLOCK) {
              this.blockFill = 0
              this.onBlock(this.block, 0, this.position + at - BLOCK)
            }
          }
          break
        }
        case 'data': {
          const n = Math.min(this.remaining, chunk.length - at)
          this.sink?.write(chunk.subarray(at, at + n))
          at += n
          this.remaining -= n
          if (this.remaining === 0) this.endData()
          break
        }
        case 'extended': {
          const n = Math.min(this.remaining, chunk.length - at)
          this.extended!.chunks.push(Buffer.from(chunk.subarray(at, at + n)))
          at += n
          this.remaining -= n
          if (this.remaining === 0) this.endExtended()
          break
        }
        case 'padding': {
          const n = Math.min(this.padding, chunk.length - at)
          at += n
          this.padding -= n
          if (this.padding === 0) this.state = 'header'
          break
        }
      }
    }
    this.position += chunk.length
  }

  /** The stream ended: throws `truncated` when that was inside a header, a member's data or an extended header. */
  end(): void {
    switch (this.state) {
      case 'ended':
      case 'padding':
        return
      case 'header':
      case 'zero':
        if (this.blockFill === 0) return
    }
    throw new TarFormatError('truncated', 'unexpected end of data')
  }

  private onBlock(buf: Buffer, at: number, offset: number): void {
    if (this.state === 'sparse-map') this.sparseMapBlock(buf, at, offset)
    else this.header(buf, at, offset)
  }

  /** The header block at `at` in `buf`, which starts at `offset` in the stream. */
  private header(buf: Buffer, at: number, offset: number): void {
    const raw = this.guard(offset, () => parseHeader(buf, at))
    if (raw === null) {
      this.state = this.state === 'zero' ? 'ended' : 'zero'
      return
    }
    if (this.state === 'zero') throw new TarFormatError('corrupt', `a header follows a single zero block at byte ${offset}`)
    if (isMetaFlag(raw.flag)) {
      if (raw.size < 0) throw new TarFormatError('corrupt', `negative size at byte ${offset}`)
      if (raw.size > MAX_EXTENDED_HEADER) {
        throw new TarFormatError('corrupt', `extended header of ${raw.size} bytes at byte ${offset} (over ${MAX_EXTENDED_HEADER})`)
      }
      this.extended = {flag: raw.flag, chunks: [], size: raw.size, offset}
      this.expect('extended', raw.size)
      return
    }
    if (!isHeaderOnly(raw.flag) && raw.size < 0) throw new TarFormatError('corrupt', `negative size at byte ${offset}`)
    const member = this.guard(offset, () => this.pending.take(raw, offset))
    const dataSize = isHeaderOnly(member.flag) ? 0 : member.size
    if (dataSize < 0) throw new TarFormatError('corrupt', `negative size at byte ${offset}`)
    if (member.sparse) {
      if (isHeaderOnly(member.flag)) throw new TarFormatError('corrupt', `GNU sparse records on a member without data at byte ${offset}`)
      // The padding follows the member's whole stored data, the 1.0 map included.
      this.padding = paddedSize(dataSize) - dataSize
      if (member.sparse.version === '1.0') {
        this.sparse = {member, map: new SparseMapReader(MAX_EXTENDED_HEADER)}
        this.remaining = dataSize
        this.state = 'sparse-map'
        return
      }
      this.startSparse(member, member.sparse.fragments!, dataSize)
      return
    }
    this.sink = this.onMember(member)
    if (member.flag === 'S') throw new TarFormatError('corrupt', `old GNU sparse member at byte ${member.offset} is not supported`)
    this.expect('data', dataSize)
  }

  /** One block of a 1.0 sparse member's map (it counts as the member's data). */
  private sparseMapBlock(buf: Buffer, at: number, offset: number): void {
    const {member, map} = this.sparse!
    if (this.remaining < BLOCK) throw new TarFormatError('corrupt', `GNU sparse map cut short at byte ${offset}`)
    this.remaining -= BLOCK
    const done = this.guard(offset, () => map.addBlock(buf.subarray(at, at + BLOCK)))
    if (!done) return
    this.sparse = undefined
    this.startSparse(member, map.fragments!, this.remaining)
  }

  /** A sparse member whose map is known and `stored` bytes of fragments follow (the padding is already set). */
  private startSparse(member: TarMember, fragments: number[], stored: number): void {
    const size = member.sparse!.realSize ?? member.size
    this.guard(member.offset, () => validateFragments(fragments, size))
    if (storedBytes(fragments) !== stored) {
      throw new TarFormatError('corrupt', `GNU sparse member at byte ${member.offset} stores ${stored} bytes, its map ${storedBytes(fragments)}`)
    }
    member.size = size
    member.sparse!.fragments = fragments
    const sink = this.onMember(member)
    this.sink = sink && new SparseExpander(fragments, size, sink)
    this.remaining = stored
    this.state = 'data'
    if (stored === 0) this.endData()
  }

  /** Enters `state` for `size` bytes plus padding; zero bytes finish at once. */
  private expect(state: 'data' | 'extended', size: number): void {
    this.remaining = size
    this.padding = paddedSize(size) - size
    this.state = state
    if (size === 0) {
      if (state === 'data') this.endData()
      else this.endExtended()
    }
  }

  private endData(): void {
    const sink = this.sink
    this.sink = undefined
    this.state = this.padding > 0 ? 'padding' : 'header'
    sink?.end()
  }

  private endExtended(): void {
    const {flag, chunks, size, offset} = this.extended!
    this.extended = undefined
    this.state = this.padding > 0 ? 'padding' : 'header'
    this.guard(offset, () => this.pending.add(flag, Buffer.concat(chunks, size)))
  }

  /** Runs a header-level decode; what Go rejects becomes `corrupt` naming the byte. */
  private guard<T>(offset: number, decode: () => T): T {
    try {
      return decode()
    } catch (error) {
      if (error instanceof TarHeaderError || error instanceof TarMemberError || error instanceof SparseFormatError) {
        throw new TarFormatError('corrupt', `${error.message} at byte ${offset}`)
      }
      throw error
    }
  }
}
