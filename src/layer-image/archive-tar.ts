/**
 * Packs a staged directory (an OCI layout, or a docker-archive's files) into one tar file: paths sorted,
 * directories before their contents, owner 0:0, mtime 0, files streamed from disk.
 */
import {createReadStream} from 'node:fs'
import {readdir, stat} from 'node:fs/promises'
import {join} from 'node:path'

import {padding, tarHeader, TAR_END} from './tar-header.js'

export async function* directoryTar(root: string): AsyncGenerator<Buffer> {
  for (const relative of await listTree(root)) {
    const info = await stat(join(root, relative))
    if (info.isDirectory()) {
      yield tarHeader({name: relative, type: 'directory', mode: 0o755, size: 0, mtime: 0})
      continue
    }
    yield tarHeader({name: relative, type: 'file', mode: 0o644, size: info.size, mtime: 0})
    for await (const chunk of createReadStream(join(root, relative))) yield chunk as Buffer
    yield padding(info.size)
  }
  yield TAR_END
}

/** Every path under root, relative, sorted (a parent sorts before its children). */
async function listTree(root: string): Promise<string[]> {
  const entries = await readdir(root, {recursive: true})
  return entries.map((p) => p.split('\\').join('/')).sort()
}
