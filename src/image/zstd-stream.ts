/**
 * Node 20's zlib has no zstd, so zstd layers go through fzstd's streaming decoder (pure JS, on the main
 * thread). Wrapped as a Transform so it pipes like zlib's streams; errors surface as stream errors.
 */
import {Transform, type TransformCallback} from 'node:stream'
import {Decompress} from 'fzstd'

export class ZstdDecompressStream extends Transform {
  private readonly decoder: Decompress
  private sawInput = false

  constructor() {
    super({readableHighWaterMark: 256 * 1024})
    this.decoder = new Decompress((data) => {
      // fzstd may hand out views of its window buffer: copy before it is reused.
      if (data.length > 0) this.push(Buffer.from(data))
    })
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      if (chunk.length > 0) this.sawInput = true
      this.decoder.push(chunk)
      callback()
    } catch (error) {
      callback(asError(error))
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      if (!this.sawInput) throw new Error('empty zstd stream')
      this.decoder.push(new Uint8Array(0), true)
      callback()
    } catch (error) {
      callback(asError(error))
    }
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error))
}
