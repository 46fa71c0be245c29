/**
 * A small file the user names (--function-config, --config, --baseline) read whole, but never more than
 * `cap` bytes of it: at most cap + 1 bytes are read, so `/dev/zero`, a FIFO fed forever or a 600 MB file
 * costs one buffer of cap + 1 bytes and a clear error, not memory until V8 gives up ("Invalid string
 * length"). Works for pipes (`<(…)`), which have no size to check first.
 */
import {open} from 'node:fs/promises'

const CHUNK = 64 * 1024

/** The file held more than `cap` bytes (`size` when it is a regular file, whose size is known). */
export class FileTooLargeError extends Error {
  constructor(
    readonly cap: number,
    readonly size?: number,
  ) {
    super(size === undefined ? `over the ${cap}-byte cap` : `${size} bytes, over the ${cap}-byte cap`)
    this.name = 'FileTooLargeError'
  }
}

/**
 * The whole file, or FileTooLargeError once it holds more than `cap` bytes. Errors of open and read
 * (ENOENT, EISDIR, …) are thrown as Node gives them (with their `code`) for the caller to name.
 */
export async function readFileCapped(path: string, cap: number): Promise<Buffer> {
  const handle = await open(path, 'r')
  try {
    const info = await handle.stat()
    if (info.isFile() && info.size > cap) throw new FileTooLargeError(cap, info.size)
    const chunks: Buffer[] = []
    let total = 0
    for (;;) {
      // Never ask for more than one byte past the cap: that byte is what proves the file too large.
      const want = Math.min(CHUNK, cap + 1 - total)
      const buffer = Buffer.allocUnsafe(want)
      const {bytesRead} = await handle.read(buffer, 0, want, null)
      if (bytesRead === 0) break
      chunks.push(buffer.subarray(0, bytesRead))
      total += bytesRead
      if (total > cap) throw new FileTooLargeError(cap)
    }
    return Buffer.concat(chunks, total)
  } finally {
    await handle.close()
  }
}
