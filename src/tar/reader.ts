/**
 * A push parser for one tar stream: feed it chunks as they arrive (`write`), then `end`. Synchronous,
 * so it runs in the same call that inflated the bytes, with no stream machinery in between (the layer
 * workers' hot path, docs/performance.md). Member data goes to the sink `onMember` returns, as views of
 * the chunks written: nothing is copied or buffered but one header block and extended headers (≤ 1 MiB).
 *
 * Reads like Go's archive/tar, what containerd and Docker apply layers with: PAX (`x`) and GNU long name
 * (`L`, `K`) headers apply to the next member; a global PAX header (`g`) is not applied to members;
 * link, symlink, device, directory and fifo members carry no data whatever their size field says; the
 * first zero block where a header is due ends the archive, and what follows is skipped unread.
 */
import {BLOCK, isMetaFlag, paddedSize, parseHeader, parsePax, type RawHeader} from './header.js'

export interface TarMember extends RawHeader {
  /** The member's PAX records, when it had an extended header. */
  pax?: Record<string, string>
  /** Offset of its header block in the stream. */
  offset: number
}

export interface TarDataSink {
  write(chunk: Buffer): void
  end(): void
}

/** `truncated`: the stream ended inside a member; `corrupt`: bytes that are not tar. */
export class TarFormatError extends Error {
  constructor(
    readonly kind: 'truncated' | 'corrupt',
    message: string,
  ) {
    super(message)
    this.name = 'TarFormatError'
  }
}

export const MAX_EXTENDED_HEADER = 1024 * 1024

const HEADER_ONLY = new Set(['1', '2', '3', '4', '5', '6'])

type State = 'header' | 'data' | 'extended' | 'padding' | 'ended'

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
  private extended?: {flag: string; chunks: Buffer[]; size: number}
  private pending: {path?: string; linkpath?: string; pax?: Record<string, string>} = {}

  constructor(private readonly onMember: (member: TarMember) => TarDataSink | undefined) {}

  /** True once the end-of-archive block was seen: the rest of the stream is skipped. */
  get ended(): boolean {
    return this.state === 'ended'
  }

  /** Throws TarFormatError on bytes that are not tar; errors thrown by `onMember` or a sink pass through. */
  write(chunk: Buffer): void {
    let at = 0
    while (at < chunk.length && this.state !== 'ended') {
      switch (this.state) {
        case 'header': {
          if (this.blockFill === 0 && chunk.length - at >= BLOCK) {
            this.header(chunk, at, this.position + at)
            at += BLOCK
          } else {
            const n = chunk.copy(this.block, this.blockFill, at, at + BLOCK - this.blockFill)
            this.blockFill += n
            at += n
            if (this.blockFill === BLOCK) {
              this.blockFill = 0
              this.header(this.block, 0, this.position + at - BLOCK)
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

  /** The stream ended: throws `truncated` when that was inside a member (no end marker at all is fine). */
  end(): void {
    if (this.state === 'ended' || (this.state === 'header' && this.blockFill === 0)) return
    throw new TarFormatError('truncated', 'unexpected end of data')
  }

  /** The header block at `at` in `buf`, which starts at `offset` in the stream. */
  private header(buf: Buffer, at: number, offset: number): void {
    let raw: RawHeader | null
    try {
      raw = parseHeader(buf, at)
    } catch (error) {
      throw new TarFormatError('corrupt', `${(error as Error).message} at byte ${offset}`)
    }
    if (raw === null) {
      this.state = 'ended'
      return
    }
    if (isMetaFlag(raw.flag)) {
      if (raw.size > MAX_EXTENDED_HEADER) {
        throw new TarFormatError('corrupt', `extended header of ${raw.size} bytes at byte ${offset} (over ${MAX_EXTENDED_HEADER})`)
      }
      this.extended = {flag: raw.flag, chunks: [], size: raw.size}
      this.expect('extended', raw.size)
      return
    }

    const {path, linkpath, pax} = this.pending
    this.pending = {}
    const member = raw as TarMember
    member.offset = offset
    if (path !== undefined) member.name = path
    if (linkpath !== undefined) member.linkname = linkpath
    if (pax) {
      member.pax = pax
      if (pax.size !== undefined) {
        const size = Number(pax.size)
        if (!Number.isSafeInteger(size) || size < 0) throw new TarFormatError('corrupt', `bad PAX size "${pax.size}" at byte ${offset}`)
        member.size = size
      }
    }
    const dataSize = HEADER_ONLY.has(member.flag) ? 0 : member.size
    this.sink = this.onMember(member)
    this.expect('data', dataSize)
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
    const {flag, chunks, size} = this.extended!
    this.extended = undefined
    this.state = this.padding > 0 ? 'padding' : 'header'
    const data = Buffer.concat(chunks, size)
    if (flag === 'x') this.pending.pax = {...this.pending.pax, ...parsePax(data)}
    else if (flag === 'L') this.pending.path = cutAtNul(data)
    else if (flag === 'K') this.pending.linkpath = cutAtNul(data)
    // 'g': a global header describes the archive, not the members after it (as Go's reader treats it).
    if (flag === 'x') {
      const pax = this.pending.pax!
      if (pax.path !== undefined) this.pending.path = pax.path
      if (pax.linkpath !== undefined) this.pending.linkpath = pax.linkpath
    }
  }

}

function cutAtNul(data: Buffer): string {
  const nul = data.indexOf(0)
  return data.toString('utf8', 0, nul >= 0 ? nul : data.length)
}
