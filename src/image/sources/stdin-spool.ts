/**
 * `-` (stdin) and pipes given as a path (`<(cat image.tar)`, a FIFO): they cannot seek and archive members
 * are not in layer order, so the bytes are spooled (as given, still compressed if they were) to a private
 * temp file (io/spool.ts: 0700 directory, 0600 file) that is deleted when the image is closed, when opening
 * fails, at exit, and on SIGINT/SIGTERM/SIGHUP in the CLI.
 */
import type {Readable} from 'node:stream'
import {ImageSourceError} from '../../errors.js'
import {spoolStream} from '../../io/spool.js'
import type {Image} from '../model.js'

export async function openSpooled(
  stream: Readable,
  input: string,
  openPath: (path: string) => Promise<Image>,
  what = 'stdin',
): Promise<Image> {
  let spool
  try {
    spool = await spoolStream(stream, {prefix: 'layer-audit-stdin-'})
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error))
    throw new ImageSourceError('CORRUPT', `reading ${what} failed (${reason})`, {input, cause: error})
  }
  let image: Image
  try {
    image = await openPath(spool.path)
  } catch (error) {
    await spool.remove()
    throw error
  }
  const close = image.close.bind(image)
  return {
    ...image,
    close: async () => {
      try {
        await close()
      } finally {
        await spool.remove()
      }
    },
  }
}
