/** First bytes of a local file: which outer compression, and whether it looks like a tar at all. */
import {open} from 'node:fs/promises'
import {ImageSourceError} from '../errors.js'
import {type Compression, sniffCompression} from './compression.js'

export async function readHead(path: string, length: number, input: string): Promise<Buffer> {
  let handle
  try {
    handle = await open(path, 'r')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw new ImageSourceError('NOT_FOUND', 'no such file', {input})
    throw new ImageSourceError('NOT_FOUND', `cannot read (${code ?? 'error'})`, {input, cause: error})
  }
  try {
    const buffer = Buffer.alloc(length)
    const {bytesRead} = await handle.read(buffer, 0, length, 0)
    return buffer.subarray(0, bytesRead)
  } finally {
    await handle.close()
  }
}

export async function sniffFileCompression(path: string, input: string): Promise<Compression> {
  return sniffCompression(await readHead(path, 4, input))
}
