/**
 * A yauzl RandomAccessReader over a file that serves small reads from a 1 MiB block cache. yauzl reads
 * the central directory with two tiny reads per entry; without the cache a 65k-entry zip costs 130k
 * syscalls (seconds), with it a handful.
 */
import {createReadStream, type ReadStream} from 'node:fs'
import {open, type FileHandle} from 'node:fs/promises'
import yauzl from 'yauzl'

const BLOCK = 1024 * 1024

export class BlockReader extends yauzl.RandomAccessReader {
  private block: Buffer = Buffer.alloc(0)
  private blockStart = 0

  private constructor(
    private readonly file: string,
    private readonly handle: FileHandle,
  ) {
    super()
  }

  static async open(file: string): Promise<{reader: BlockReader; size: number}> {
    const handle = await open(file, 'r')
    try {
      const {size} = await handle.stat()
      return {reader: new BlockReader(file, handle), size}
    } catch (error) {
      await handle.close()
      throw error
    }
  }

  override _readStreamForRange(start: number, end: number): ReadStream {
    return createReadStream(this.file, {start, end: end - 1, highWaterMark: BLOCK})
  }

  override read(buffer: Buffer, offset: number, length: number, position: number, callback: (err: Error | null) => void): void {
    this.readAsync(buffer, offset, length, position).then(() => callback(null), callback)
  }

  override close(callback: (err: Error | null) => void): void {
    this.handle.close().then(() => callback(null), callback)
  }

  private async readAsync(buffer: Buffer, offset: number, length: number, position: number): Promise<void> {
    if (length > BLOCK) {
      const {bytesRead} = await this.handle.read(buffer, offset, length, position)
      if (bytesRead < length) throw new Error('unexpected EOF')
      return
    }
    const end = position + length
    let block = this.block
    let blockStart = this.blockStart
    if (position < blockStart || end > blockStart + block.length) {
      const fresh = Buffer.allocUnsafe(BLOCK)
      const {bytesRead} = await this.handle.read(fresh, 0, BLOCK, position)
      // Local copies: concurrent reads (a header while the directory is read) must not see each other's block.
      block = fresh.subarray(0, bytesRead)
      blockStart = position
      this.block = block
      this.blockStart = blockStart
      if (end > position + bytesRead) throw new Error('unexpected EOF')
    }
    block.copy(buffer, offset, position - blockStart, end - blockStart)
  }
}
