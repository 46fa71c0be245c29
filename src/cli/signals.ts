/**
 * The CLI's answer to SIGINT, SIGTERM and SIGHUP: remove what the run spooled to $TMPDIR (stdin, a pipe
 * given as a path, a zip from a pipe — io/spool.ts), then exit with 128 + the signal's number, as a shell
 * reports a process killed by it. Without this Node dies at once and leaves a copy of the whole image
 * behind. The library installs no signal handler: an embedder decides what its signals do (spools are
 * still removed at exit, and by removeLiveSpoolsSync).
 */
import {constants} from 'node:os'

import {removeLiveSpoolsSync} from '../io/spool.js'

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const
let installed = false

export function installSignalCleanup(): void {
  if (installed) return
  installed = true
  for (const signal of SIGNALS) {
    process.once(signal, () => {
      removeLiveSpoolsSync()
      process.exit(128 + constants.signals[signal])
    })
  }
}
