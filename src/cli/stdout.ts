/**
 * Output that waits for its reader. A tree of a million lines piped into `less` or `jq` is written faster
 * than it is read: written without waiting, every piece queues in memory (900 MB for a million-entry
 * `tree | grep`). Between pieces this waits for the stream to drain; once the reader is gone (EPIPE from
 * `| head`) the rest is dropped.
 */
export async function writePieces(pieces: Iterable<string>, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  let gone = false
  const onError = () => {
    gone = true
  }
  out.on('error', onError)
  try {
    for (const piece of pieces) {
      if (gone) return
      if (!out.write(piece)) await drained(out)
    }
  } finally {
    out.off('error', onError)
  }
}

function drained(out: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      out.off('drain', done)
      out.off('error', done)
      out.off('close', done)
      resolve()
    }
    out.on('drain', done)
    out.on('error', done)
    out.on('close', done)
  })
}
