/**
 * The files of an OCI layout directory, opened only when they resolve inside it. A layout is input like any
 * other: its `index.json` may be a symlink to /etc/passwd and a blob one to /proc/self/environ, and
 * following them would put another file's bytes into a digest error or a report. A symlink from one file
 * of the layout to another (deduplicated blobs) is fine.
 *
 * How, without a window between check and use (TOCTOU): the path is resolved (realpath) and must lie
 * under the layout's own real path; the resolved path is opened with O_NOFOLLOW (its last component can
 * no longer have become a symlink) and O_NONBLOCK (a FIFO planted in the layout cannot hang the open);
 * then what was actually opened is checked — a regular file, whose path as the kernel sees it
 * (/proc/self/fd/N) is inside the layout, or, where there is no /proc, whose device and inode are those
 * at the checked path. Only then is the descriptor read.
 */
import {constants} from 'node:fs'
import {open, readlink, realpath, stat, type FileHandle} from 'node:fs/promises'
import {join, sep} from 'node:path'
import {ImageSourceError} from '../../errors.js'

const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | (constants.O_NOCTTY ?? 0)

export type LayoutFile = {kind: 'file'; handle: FileHandle; size: number} | {kind: 'missing'} | {kind: 'other'}

export class LayoutFiles {
  private constructor(
    /** The layout directory's real path. */
    readonly root: string,
    private readonly input: string,
  ) {}

  static async open(dir: string, input: string): Promise<LayoutFiles> {
    let root: string
    try {
      root = await realpath(dir)
    } catch (error) {
      throw new ImageSourceError('NOT_FOUND', `cannot read the layout (${(error as NodeJS.ErrnoException).code ?? 'error'})`, {input, cause: error})
    }
    return new LayoutFiles(root, input)
  }

  /**
   * `relative` ("index.json", "blobs/sha256/<hex>") opened for reading when it is a regular file inside
   * the layout; 'missing' when it does not exist, 'other' when it is not a regular file. A path that
   * leads outside the layout is an error (CORRUPT), never read. The caller closes the handle.
   */
  async openFile(relative: string, what: string): Promise<LayoutFile> {
    let real: string
    try {
      real = await realpath(join(this.root, relative))
    } catch (error) {
      return this.openFailed(error, what)
    }
    if (!this.inside(real)) throw this.outside(what)
    let handle: FileHandle
    try {
      handle = await open(real, OPEN_FLAGS)
    } catch (error) {
      // ELOOP: the last component became a symlink after realpath — someone is changing the layout.
      if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw this.outside(what)
      return this.openFailed(error, what)
    }
    try {
      const info = await handle.stat()
      if (!(await this.opened(handle, real, info))) throw this.outside(what)
      if (!info.isFile()) {
        await handle.close()
        return {kind: 'other'}
      }
      return {kind: 'file', handle, size: info.size}
    } catch (error) {
      await handle.close()
      throw error
    }
  }

  /** Whether what `handle` holds is inside the layout, as the kernel sees it. */
  private async opened(handle: FileHandle, real: string, info: {dev: number; ino: number}): Promise<boolean> {
    const seen = await readlink(`/proc/self/fd/${handle.fd}`).catch(() => undefined)
    if (seen !== undefined && seen.startsWith('/')) return this.inside(seen)
    // No /proc (macOS): the file opened must be the one now at the checked path.
    const now = await stat(real).catch(() => undefined)
    return now !== undefined && now.dev === info.dev && now.ino === info.ino
  }

  private inside(path: string): boolean {
    const root = this.root.endsWith(sep) ? this.root : this.root + sep
    return path.startsWith(root)
  }

  private openFailed(error: unknown, what: string): LayoutFile {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return {kind: 'missing'}
    if (code === 'ELOOP') throw new ImageSourceError('CORRUPT', `${what} is a symlink loop`, {input: this.input, cause: error})
    throw new ImageSourceError('NOT_FOUND', `cannot read ${what} (${code ?? 'error'})`, {input: this.input, cause: error})
  }

  private outside(what: string): ImageSourceError {
    return new ImageSourceError('CORRUPT', `${what} leads outside the layout (a symlink out of it): not read`, {input: this.input})
  }
}

/** The whole file, never more than `cap` bytes of it (the size was checked; this holds if it grows). */
export async function readHandle(handle: FileHandle, cap: number): Promise<Buffer> {
  const chunks: Buffer[] = []
  let total = 0
  for (;;) {
    const want = Math.min(1 << 20, cap + 1 - total)
    const buffer = Buffer.allocUnsafe(want)
    const {bytesRead} = await handle.read(buffer, 0, want, null)
    if (bytesRead === 0) break
    chunks.push(buffer.subarray(0, bytesRead))
    total += bytesRead
    if (total > cap) break
  }
  return Buffer.concat(chunks, total)
}
