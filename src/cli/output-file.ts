/**
 * --output FILE. What is at FILE decides how it is written:
 * - nothing, or a regular file: atomically — a temp file `.NAME.PID.tmp` beside it, created exclusively
 *   (O_CREAT|O_EXCL: a symlink or anything else planted at that name is never followed nor reused; a
 *   random suffix is tried then), written, flushed, renamed over FILE. A reader sees the old report or
 *   the new one, never half of one.
 * - our own stdout or stderr (`/dev/stdout`, `/dev/fd/1`, `/proc/self/fd/2`, or a symlink to one): written
 *   to the stream itself. Re-opening it would fail where it is a socket (ENXIO: Node's child processes
 *   get socketpairs) and would start at offset 0 where it is a file, over what the table writes after.
 * - anything else — a FIFO (`-o >(jq …)`), a character device, a symlink: written in place, through the
 *   link, never replaced by a regular file. Nothing is created there.
 * - a directory, a block device, a socket, a dangling symlink, a path under a missing directory: refused.
 * checkOutputPath makes the same decision before anything is read, so a bad path fails first (exit 2).
 */
import {randomBytes} from 'node:crypto'
import {constants, type Stats} from 'node:fs'
import {access, lstat, open, readlink, rename, stat, unlink, type FileHandle} from 'node:fs/promises'
import {basename, dirname, join, resolve} from 'node:path'

import {LayerAuditError} from '../errors.js'

type Target = {how: 'replace'} | {how: 'in-place'} | {how: 'stream'; stream: NodeJS.WriteStream}

function refuse(file: string, problem: string, cause?: unknown): LayerAuditError {
  return new LayerAuditError('NOT_FOUND', `cannot write the report: ${problem}`, {input: file, ...(cause ? {cause} : {})})
}

const errno = (error: unknown): string | undefined => (error as NodeJS.ErrnoException).code

/** How FILE is to be written, or why it cannot be. */
async function targetOf(file: string): Promise<Target> {
  if (file === '' || file.endsWith('/')) throw refuse(file, 'not a file name')
  let link: Stats
  try {
    link = await lstat(file)
  } catch (error) {
    if (errno(error) === 'ENOENT') {
      await checkDirectory(file)
      return {how: 'replace'}
    }
    if (errno(error) === 'ENOTDIR') throw refuse(file, 'a part of the path is not a directory', error)
    throw refuse(file, errno(error) ?? 'error', error)
  }
  if (link.isFile()) {
    await checkDirectory(file)
    return {how: 'replace'}
  }
  const stream = link.isSymbolicLink() ? await ownStream(file) : undefined
  if (stream) return {how: 'stream', stream}
  // Not a regular file: what it leads to decides whether it can be written in place.
  const info = link.isSymbolicLink() ? await stat(file).catch(() => undefined) : link
  if (!info) throw refuse(file, 'a symlink to nothing')
  if (info.isDirectory()) throw refuse(file, 'it is a directory')
  if (info.isBlockDevice()) throw refuse(file, 'it is a block device')
  if (info.isSocket()) throw refuse(file, 'it is a socket')
  return {how: 'in-place'}
}

/** process.stdout or process.stderr when `file` is a chain of symlinks ending at one of their names. */
async function ownStream(file: string): Promise<NodeJS.WriteStream | undefined> {
  let path = resolve(file)
  for (let hops = 0; hops < 40; hops++) {
    const fd = /^\/(?:dev\/(?:std(out|err)|fd\/([12]))|proc\/(?:self|thread-self|(\d+))\/fd\/([12]))$/.exec(path)
    if (fd && (fd[3] === undefined || Number(fd[3]) === process.pid)) {
      return fd[1] === 'out' || fd[2] === '1' || fd[4] === '1' ? process.stdout : process.stderr
    }
    let target: string
    try {
      target = await readlink(path)
    } catch {
      return undefined // not a symlink (or gone): not one of ours
    }
    path = resolve(dirname(path), target)
  }
  return undefined
}

async function checkDirectory(file: string): Promise<void> {
  const dir = dirname(file)
  const info = await stat(dir).catch(() => undefined)
  if (!info) throw refuse(file, `no directory ${dir}`)
  if (!info.isDirectory()) throw refuse(file, `${dir} is not a directory`)
  try {
    await access(dir, constants.W_OK)
  } catch (error) {
    throw refuse(file, `${dir} is not writable`, error)
  }
}

/** Refuses an --output path that cannot be written, before the image is read. */
export async function checkOutputPath(file: string): Promise<void> {
  await targetOf(file)
}

/** Writes `text` to FILE as described above; a LayerAuditError naming FILE when it cannot. */
export async function writeOutputFile(file: string, text: string): Promise<void> {
  const target = await targetOf(file)
  try {
    if (target.how === 'stream') await writeStream(target.stream, text)
    else if (target.how === 'in-place') await writeInPlace(file, text)
    else await replaceAtomically(file, text)
  } catch (error) {
    if (error instanceof LayerAuditError) throw error
    throw refuse(file, errno(error) ?? 'error', error)
  }
}

function writeStream(stream: NodeJS.WriteStream, text: string): Promise<void> {
  return new Promise((resolvePromise, reject) => stream.write(text, (error) => (error ? reject(error) : resolvePromise())))
}

async function writeInPlace(file: string, text: string): Promise<void> {
  // No O_CREAT (nothing is created where a device or FIFO was), no O_TRUNC (meaningless for them).
  const handle = await open(file, constants.O_WRONLY | (constants.O_NOCTTY ?? 0))
  try {
    // A symlink to a regular file (possibly /dev/stdout redirected to one): truncated like `>` would.
    if ((await handle.stat()).isFile()) await handle.truncate(0)
    await handle.writeFile(text)
  } finally {
    await handle.close()
  }
}

async function replaceAtomically(file: string, text: string): Promise<void> {
  const {path: temp, handle} = await createTemp(file)
  try {
    try {
      await handle.writeFile(text)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temp, file)
  } catch (error) {
    await unlink(temp).catch(() => {})
    throw error
  }
}

/** `.NAME.PID.tmp` beside FILE, created exclusively; if that name is taken, `.NAME.PID.RANDOM.tmp`. */
async function createTemp(file: string): Promise<{path: string; handle: FileHandle}> {
  const stem = join(dirname(file), `.${basename(file)}.${process.pid}`)
  for (let attempt = 0; ; attempt++) {
    const path = attempt === 0 ? `${stem}.tmp` : `${stem}.${randomBytes(6).toString('hex')}.tmp`
    try {
      // 'wx' = O_WRONLY|O_CREAT|O_EXCL|O_TRUNC: fails on anything already there, a symlink included.
      return {path, handle: await open(path, 'wx', 0o666)}
    } catch (error) {
      if (errno(error) !== 'EEXIST' || attempt >= 8) throw error
    }
  }
}
