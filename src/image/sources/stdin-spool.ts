/**
 * `-`: an archive piped on stdin. A pipe cannot seek and archive members are not in layer order, so the
 * bytes are spooled (as given, still compressed if they were) to a private temp file that is deleted
 * when the image is closed, or when opening fails.
 */
import {createWriteStream} from 'node:fs'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type {Readable} from 'node:stream'
import {pipeline} from 'node:stream/promises'
import {ImageSourceError} from '../../errors.js'
import type {Image} from '../model.js'

export async function openSpooled(stream: Readable, input: string, openPath: (path: string) => Promise<Image>): Promise<Image> {
  const dir = await mkdtemp(join(tmpdir(), 'layer-audit-stdin-'))
  const cleanup = (): Promise<void> => rm(dir, {recursive: true, force: true})
  const path = join(dir, 'archive')
  try {
    await pipeline(stream, createWriteStream(path, {mode: 0o600, highWaterMark: 1 << 20}))
  } catch (error) {
    await cleanup()
    const reason = error instanceof Error ? error.message : String(error)
    throw new ImageSourceError('CORRUPT', `reading stdin failed (${reason})`, {input, cause: error})
  }
  let image: Image
  try {
    image = await openPath(path)
  } catch (error) {
    await cleanup()
    throw error
  }
  const close = image.close.bind(image)
  return {
    ...image,
    close: async () => {
      try {
        await close()
      } finally {
        await cleanup()
      }
    },
  }
}
