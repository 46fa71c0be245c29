/**
 * Parses a history entry's `created_by` as written by the classic builder and by BuildKit:
 *   /bin/sh -c #(nop)  ENV A=b C=d            classic ENV/ARG/LABEL/… (no layer)
 *   |2 A=b C=d /bin/sh -c make                classic RUN with build args in scope
 *   RUN |2 A=b C=d /bin/sh -c make # buildkit BuildKit RUN with build args
 *   ENV A=b   ARG A   ARG A=b   LABEL k=v     BuildKit instructions
 * Both builders join `NAME=value` with single spaces and no quoting, so a value holding a space is
 * ambiguous; a token that does not start a new `NAME=` continues the previous value.
 */

export interface Assignment {
  name: string
  /** Undefined for `ARG NAME` without a default. */
  value?: string
}

export interface ParsedHistory {
  /** Upper-case instruction (RUN, ENV, ARG, LABEL, COPY, …); RUN for a plain shell command. */
  instruction: string
  buildKit: boolean
  /** Build args in scope of a RUN (the `|N NAME=value …` prefix). */
  buildArgs: Assignment[]
  /** What ENV, ARG or LABEL set. */
  assignments: Assignment[]
  /** The shell command of a RUN. */
  command?: string
}

const NOP = /^\/bin\/sh -c #\(nop\)\s+/
const BUILDKIT_SUFFIX = /\s+# buildkit$/
const NAME_EQ = /^[A-Za-z_][A-Za-z0-9_.-]*=/
const INSTRUCTIONS = new Set([
  'ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'HEALTHCHECK', 'LABEL', 'MAINTAINER', 'ONBUILD',
  'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR',
])
/** Where the command starts after a build-arg prefix: a shell path (`/bin/sh -c`, `/bin/bash -o pipefail -c`). */
const SHELL_START = /(?:^|\s)(\/[^\s]*\/(?:ba|da|z|k|a)?sh|cmd|powershell)\s/

export function parseCreatedBy(createdBy: string): ParsedHistory {
  let text = createdBy.trim()
  const buildKit = BUILDKIT_SUFFIX.test(text)
  text = text.replace(BUILDKIT_SUFFIX, '')
  text = text.replace(NOP, '')

  const word = /^([A-Za-z]+)(?:\s+|$)/.exec(text)?.[1]?.toUpperCase()
  if (word && INSTRUCTIONS.has(word)) {
    const rest = text.slice(word.length).trim()
    if (word === 'RUN') return {instruction: 'RUN', buildKit, ...runParts(rest), assignments: []}
    if (word === 'ENV' || word === 'LABEL') return {instruction: word, buildKit, buildArgs: [], assignments: parseAssignments(rest, word === 'ENV')}
    if (word === 'ARG') return {instruction: word, buildKit, buildArgs: [], assignments: parseArgs(rest)}
    return {instruction: word, buildKit, buildArgs: [], assignments: []}
  }
  // Classic RUN: "/bin/sh -c cmd" or "|N A=b /bin/sh -c cmd".
  return {instruction: 'RUN', buildKit, ...runParts(text), assignments: []}
}

function runParts(text: string): {buildArgs: Assignment[]; command: string} {
  const prefix = /^\|(\d+)\s+/.exec(text)
  if (!prefix) return {buildArgs: [], command: text}
  const count = Number(prefix[1])
  const rest = text.slice(prefix[0].length)
  const shell = SHELL_START.exec(rest)
  if (shell) {
    const at = shell.index + (shell[0].startsWith(' ') ? 1 : 0)
    return {buildArgs: joinAssignments(rest.slice(0, at).trim().split(/ +/)), command: rest.slice(at)}
  }
  // Exec-form RUN: no shell to anchor on, so take exactly `count` single-token assignments.
  const tokens = rest.split(/ +/)
  return {buildArgs: joinAssignments(tokens.slice(0, count)), command: tokens.slice(count).join(' ')}
}

/** NAME=value tokens; a token that is not NAME= continues the previous value (values are not quoted). */
function joinAssignments(tokens: string[]): Assignment[] {
  const out: Assignment[] = []
  for (const token of tokens) {
    if (token === '') continue
    if (NAME_EQ.test(token) || out.length === 0) {
      const eq = token.indexOf('=')
      out.push(eq === -1 ? {name: token} : {name: token.slice(0, eq), value: token.slice(eq + 1)})
    } else {
      const last = out[out.length - 1]
      last.value = (last.value ?? '') + ' ' + token
    }
  }
  return out
}

/** ENV/LABEL: `A=b C=d`, or the legacy one-pair form `ENV NAME value with spaces`. */
function parseAssignments(text: string, allowLegacy: boolean): Assignment[] {
  const tokens = text.split(/ +/).filter((t) => t !== '')
  if (tokens.length === 0) return []
  if (allowLegacy && !NAME_EQ.test(tokens[0])) return [{name: tokens[0], value: tokens.slice(1).join(' ')}]
  return joinAssignments(tokens).map((a) => ({name: a.name, value: unquote(a.value ?? '')}))
}

/** ARG: `NAME`, `NAME=default`, several in one instruction (BuildKit). */
function parseArgs(text: string): Assignment[] {
  return joinAssignments(text.split(/ +/)).map((a) => (a.value === undefined ? a : {name: a.name, value: unquote(a.value)}))
}

function unquote(value: string): string {
  return value.replace(/^"(.*)"$/, '$1')
}

/** Layer index per history entry (undefined for empty_layer entries), aligned as the image model aligns them. */
export function historyLayers(history: {empty_layer?: boolean}[]): (number | undefined)[] {
  let next = 0
  return history.map((entry) => (entry.empty_layer ? undefined : next++))
}
