/**
 * The `#!` line as the Linux kernel reads it: interpreter is the first word, everything after it is ONE
 * optional argument. A line ending in CRLF leaves a "\r" glued to the last word, so the kernel looks for
 * "/bin/sh\r" (or passes "python3\r" to env) and the exec fails: we keep that fact separately.
 */
export interface Shebang {
  /** The interpreter path as written, without a trailing "\r". */
  interpreter: string
  /** The single optional argument, trimmed, without a trailing "\r". */
  argument?: string
  /** The line ends in "\r\n" (or a bare "\r" before the end of what we read). */
  crlf: boolean
  /** For `/usr/bin/env [-S] [-opts] [NAME=VALUE…] PROGRAM`: PROGRAM, looked up on PATH. */
  envProgram?: string
  /** The raw line, for messages. */
  line: string
}

export function hasShebang(head: Buffer): boolean {
  return head.length >= 2 && head[0] === 0x23 && head[1] === 0x21
}

export function parseShebang(head: Buffer): Shebang | undefined {
  if (!hasShebang(head)) return undefined
  const newline = head.indexOf(0x0a)
  let line = head.subarray(2, newline === -1 ? head.length : newline).toString('latin1')
  const crlf = line.endsWith('\r')
  if (crlf) line = line.slice(0, -1)
  const text = line.replace(/^[ \t]+/, '')
  const match = /^(\S+)(?:[ \t]+(.*))?$/.exec(text)
  if (!match) return {interpreter: '', crlf, line: '#!' + line}
  const interpreter = match[1]
  const argument = match[2]?.replace(/[ \t]+$/, '') || undefined
  const shebang: Shebang = {interpreter, crlf, line: '#!' + line}
  if (argument !== undefined) shebang.argument = argument
  if (basename(interpreter) === 'env' && argument !== undefined) {
    const program = envProgram(argument)
    if (program !== undefined) shebang.envProgram = program
  }
  return shebang
}

/** The program env(1) would run: skips options (with -S the argument is split, as env -S does) and NAME=VALUE pairs. */
function envProgram(argument: string): string | undefined {
  const words = argument.split(/[ \t]+/).filter(Boolean)
  for (let i = 0; i < words.length; i++) {
    const word = words[i]
    if (word === '-S' || word === '--split-string') continue
    if (word.startsWith('-S')) {
      // "-Spython3 -u": the rest of the word is the first split word.
      const rest = word.slice(2)
      if (rest && !rest.startsWith('-') && !rest.includes('=')) return rest
      continue
    }
    if (word === '-u' || word === '--unset' || word === '-C' || word === '--chdir') {
      i++ // these take a value
      continue
    }
    if (word.startsWith('-')) continue
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(word)) continue
    return word
  }
  return undefined
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1)
}
