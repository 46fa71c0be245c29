/**
 * An input that cannot seek (stdin, a FIFO such as `<(cat image.tar)`, a zip given as a pipe) copied to a
 * private temp file that can: a directory made by mkdtemp (0700) under $TMPDIR holding one file created
 * exclusively with mode 0600. Every spool alive is known here, so it is removed on every way out: by its
 * owner's remove() (image closed, zip closed, opening failed), at process exit, and — through
 * removeLiveSpoolsSync, which the CLI's signal handlers call (cli/signals.ts) — on SIGINT/SIGTERM/SIGHUP.
 */
import {createWriteStream, rmSync} from 'node:fs'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {Transform, type Readable, type TransformCallback} from 'node:stream'
import {pipeline} from 'node:stream/promises'

export interface Spool {
  /** The spooled bytes, a regular file. */
  readonly path: string
  /** Deletes the spool (idempotent). */
  remove(): Promise<void>
}

/** Directories of spools not yet removed. */
const live = new Set<string>()
let exitHookInstalled = false

/** Removes every spool still alive, synchronously: for exit and signal handlers, where nothing async runs. */
export function removeLiveSpoolsSync(): void {
  for (const dir of live) {
    try {
      rmSync(dir, {recursive: true, force: true})
    } catch {
      // Nothing more can be done on the way out.
    }
    live.delete(dir)
  }
}

/** How many spools are alive (tests). */
export function liveSpoolCount(): number {
  return live.size
}

/** The spool held more than `maxBytes`. */
export class SpoolTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`over the ${maxBytes}-byte cap`)
    this.name = 'SpoolTooLargeError'
  }
}

/**
 * Copies `stream` to a new spool (prefix names the temp directory, e.g. "layer-audit-stdin-"). On any
 * failure (the stream's, the disk's, SpoolTooLargeError past `maxBytes`) the spool is removed and the
 * error rethrown as it came.
 */
export async function spoolStream(stream: Readable, options: {prefix: string; maxBytes?: number}): Promise<Spool> {
  const dir = await mkdtemp(join(tmpdir(), options.prefix))
  // Registered in the same turn mkdtemp resolved in: no signal handler can run in between.
  live.add(dir)
  if (!exitHookInstalled) {
    exitHookInstalled = true
    process.on('exit', removeLiveSpoolsSync)
  }
  const remove = async (): Promise<void> => {
    if (!live.delete(dir)) return
    await rm(dir, {recursive: true, force: true})
  }
  const path = join(dir, 'archive')
  try {
    const sink = createWriteStream(path, {flags: 'wx', mode: 0o600, highWaterMark: 1 << 20})
    if (options.maxBytes === undefined) await pipeline(stream, sink)
    else await pipeline(stream, new ByteCap(options.maxBytes), sink)
  } catch (error) {
    await remove()
    throw error
  }
  return {path, remove}
}

class ByteCap extends Transform {
  private seen = 0
  constructor(private readonly maxBytes: number) {
    super()
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.seen += chunk.length
    if (this.seen > this.maxBytes) callback(new SpoolTooLargeError(this.maxBytes))
    else callback(null, chunk)
  }
}
