/**
 * Remembers the few raw bytes needed to tell whether a 512-byte block at a header position is all zeros.
 * tar-stream silently skips zero blocks and parses on, but a runtime's tar reader stops at the first one
 * (end of archive); eStargz stores its TOC entry after that marker. The walker feeds every chunk here
 * before tar-stream and asks "was the block at P zero?" once tar-stream has moved past P.
 */
const BLOCK = 512

export class ZeroBlockProbe {
  private readonly chunks: {start: number; buf: Buffer}[] = []
  private written = 0
  /** Bytes before this offset will never be asked about again. */
  private keepFrom = 0

  push(buf: Buffer): void {
    this.chunks.push({start: this.written, buf})
    this.written += buf.length
    this.prune()
  }

  /** Offset of the next header position; everything before it can go. */
  keepAfter(offset: number): void {
    this.keepFrom = offset
    this.prune()
  }

  /** True only if the whole block at `offset` has been seen and is zero. */
  isZeroBlock(offset: number): boolean {
    if (offset + BLOCK > this.written) return false
    let need = BLOCK
    let at = offset
    for (const {start, buf} of this.chunks) {
      const end = start + buf.length
      if (end <= at) continue
      if (start > at) return false // a gap: those bytes were pruned
      const from = at - start
      const to = Math.min(buf.length, from + need)
      for (let i = from; i < to; i++) if (buf[i] !== 0) return false
      need -= to - from
      at += to - from
      if (need === 0) return true
    }
    return false
  }

  private prune(): void {
    let drop = 0
    while (drop < this.chunks.length && this.ends(drop) <= this.keepFrom) drop++
    if (drop) this.chunks.splice(0, drop)
  }

  private ends(i: number): number {
    return this.chunks[i].start + this.chunks[i].buf.length
  }
}
