/**
 * Which Dockerfile instruction wrote each entry of an image's history.
 *
 * Only the last stage makes the image (BuildKit's default target), and its history is the base image's
 * entries followed by one entry per instruction of the stage — of every stage it is built on first, when
 * its FROM names an earlier stage. So the stage's instructions are aligned with the history from the END,
 * one entry each, and whatever comes before them is the base image's: those entries belong to the FROM
 * line. ONBUILD may leave no entry (BuildKit records none). An instruction that does not match its entry
 * stops the alignment there: what matched after it stands, nothing before it is placed (a FROM scratch
 * stage has no base entries, so it is aligned from the first entry too). Nothing is guessed: when the
 * history's layer entries do not add up to the image's layers, no entry is placed at all.
 *
 * Matching tolerates what builders do to the text: whitespace (continuations, heredocs), the shell and
 * `|N ARG=value` prefix of a RUN, flags, variables expanded in COPY/ADD/WORKDIR (written `${LAMBDA_TASK_ROOT}`,
 * recorded `/var/task`), values of ENV/LABEL/ARG (only the names are compared), and classic COPY/ADD whose
 * sources are content hashes (only the destination is compared).
 */
import {collapseWhitespace, MAX_HISTORY_STEP, readHistoryStep, UNREAD_STEP, type HistoryStep} from './history-step.js'
import {finalStageChain, shellWords, type Dockerfile, type Instruction, type Stage} from './parse.js'

/** An instruction and the stage it is in. */
export interface Placement {
  instruction: Instruction
  stage: Stage
}

export interface HistoryPlacement {
  /** By history index: the instruction that wrote the entry (the stage's FROM for the base image's entries). */
  entries: (Placement | undefined)[]
  /** Why entries have no instruction, in a few words; undefined when every entry has one. */
  problem?: string
}

/** What of a history entry matching needs (image/model.ts HistoryEntry has it). */
export interface HistoryRecord {
  created_by?: string
  empty_layer?: boolean
}

export function placeHistory(dockerfile: Dockerfile, history: readonly HistoryRecord[], layerCount: number): HistoryPlacement {
  const entries: (Placement | undefined)[] = history.map(() => undefined)
  const layered = history.filter((entry) => !entry.empty_layer).length
  if (layered !== layerCount) {
    return {entries, problem: `the image history has ${layered} entries that made a layer for ${layerCount} layers, so none can be told apart: nothing placed`}
  }
  const chain = finalStageChain(dockerfile)
  if (chain.length === 0) return {entries, problem: 'it has no FROM instruction'}
  const steps: Placement[] = chain.flatMap((stage) => stage.instructions.map((instruction) => ({instruction, stage})))
  const recorded = history.map((entry) => readHistoryStep(entry.created_by ?? ''))

  let entry = history.length - 1
  let step = steps.length - 1
  for (; step >= 0 && entry >= 0; step--) {
    if (matches(steps[step].instruction, recorded[entry])) entries[entry--] = steps[step]
    else if (!mayLeaveNoEntry(steps[step].instruction)) break
  }
  while (step >= 0 && entry < 0 && mayLeaveNoEntry(steps[step].instruction)) step--

  const root = chain[0]
  const scratch = root.base.toLowerCase() === 'scratch'
  if (step < 0) {
    if (!scratch) entries.fill({instruction: root.from, stage: root}, 0, entry + 1)
    else if (entry >= 0) return {entries, problem: `${entry + 1} history entries come before the first instruction of a stage FROM scratch`}
    return {entries}
  }

  // The alignment stopped at steps[step] / history[entry]. A FROM scratch stage's own entries start the
  // history, so align from the start as well, up to where the backward pass stopped.
  if (scratch) {
    for (let first = 0, at = 0; first <= step && at <= entry; first++) {
      if (matches(steps[first].instruction, recorded[at])) entries[at++] = steps[first]
      else if (!mayLeaveNoEntry(steps[first].instruction)) break
    }
  }
  const stopped = steps[step].instruction
  const placed = new Set(entries.filter((placement) => placement !== undefined).map((placement) => placement.instruction)).size
  const where = entry >= 0 ? `history entry ${entry} (${describeStep(recorded[entry])})` : 'any history entry (the history is shorter)'
  return {entries, problem: `line ${stopped.line} (${stopped.keyword}) does not match ${where}: ${placed} of ${steps.length} instructions placed`}
}

/** ONBUILD makes no history entry with BuildKit (the classic builder records one). */
function mayLeaveNoEntry(instruction: Instruction): boolean {
  return instruction.keyword === 'ONBUILD'
}

/** Never the entry's text: a RUN's build args may hold a secret, and this goes into the report. */
function describeStep(step: HistoryStep): string {
  return step.keyword === UNREAD_STEP ? `a step over ${MAX_HISTORY_STEP / 1024} KiB (not read)` : `a ${step.keyword}`
}

export function matches(instruction: Instruction, step: HistoryStep): boolean {
  if (instruction.keyword !== step.keyword) return false
  switch (instruction.keyword) {
    case 'RUN':
      return runMatches(instruction, step.rest)
    case 'COPY':
    case 'ADD':
      return copyMatches(instruction, step.rest)
    case 'WORKDIR':
      return workdirMatches(unquote(instruction.args), step.rest)
    case 'ENV':
    case 'LABEL':
    case 'ARG':
      return namesMatch(writtenNames(instruction), recordedNames(step.rest, instruction.keyword))
    case 'CMD':
    case 'ENTRYPOINT':
      return commandMatches(instruction, step.rest)
    default:
      // EXPOSE, USER, VOLUME, HEALTHCHECK, … are recorded in forms that differ by builder; their place in
      // the alignment is what places them.
      return true
  }
}

/** The command each builder records for a RUN, whitespace collapsed. */
function runCommands(instruction: Instruction): string[] {
  if (instruction.json) return [collapseWhitespace(instruction.json.join(' '))]
  const commands: string[] = []
  const docs = instruction.heredocs
  const bodyOf = (doc: (typeof docs)[number]) => (doc.stripTabs ? doc.body.replace(/^\t+/gm, '') : doc.body)
  if (docs.length === 1 && /^\d*<<-?(["']?)[^\s"']+\1$/.test(instruction.args)) {
    // BuildKit runs a lone heredoc's body as the command (or, with a #! line, the body as a script file).
    commands.push(bodyOf(docs[0]))
    if (bodyOf(docs[0]).startsWith('#!')) commands.push(`/dev/pipes/${docs[0].name}`)
  }
  // BuildKit otherwise passes the shell the line and the heredocs after it.
  commands.push(instruction.args + docs.map((doc) => `\n${bodyOf(doc)}${doc.name}`).join(''))
  // buildah records the line as written after RUN, flags included, and the trimmed heredoc bodies.
  commands.push([...instruction.flags, instruction.args].join(' ') + docs.map((doc) => `\n${doc.body.trim()}`).join(''))
  return [...new Set(commands.map(collapseWhitespace))].filter((command) => command !== '')
}

/** A shell invocation ending in -c, /c or -Command, right before the command of a recorded RUN. */
const SHELL = /(?:^|\s)(?:\S*(?:sh|cmd|cmd\.exe|powershell|powershell\.exe|pwsh))(?: \S+)*? (?:-c|\/c|-command)$/i
/** The build args in scope of a RUN (`|2 A=x B=y`), recorded first. */
const BUILD_ARGS = /^\|\d+(?: [A-Za-z_][A-Za-z0-9_]*=\S*)*$/

function runMatches(instruction: Instruction, recorded: string): boolean {
  return runCommands(instruction).some((command) => {
    if (recorded === command) return true
    if (!recorded.endsWith(` ${command}`)) return false
    // Before the command: a shell (shell form), after the build args if any; or only the build args (exec form).
    const before = recorded.slice(0, recorded.length - command.length - 1)
    const shell = SHELL.exec(before)
    const prefix = shell ? before.slice(0, shell.index).trim() : before
    return prefix === '' ? Boolean(shell) : BUILD_ARGS.test(prefix) || (shell !== null && /^\|\d+ /.test(prefix))
  })
}

/** A classic or buildah COPY/ADD: `file:<sha256> in DEST` (also dir:, multi:). */
const HASHED_SOURCES = /^[a-z]+:[0-9a-f]{16,} in (.*)$/

function copyMatches(instruction: Instruction, recorded: string): boolean {
  const rest = withoutFlags(recorded)
  const words = (instruction.json ?? instruction.args.split(/\s+/).filter((word) => word !== '')).map(copyWord)
  const destination = words.at(-1)
  if (destination === undefined) return false
  const hashed = HASHED_SOURCES.exec(rest)
  if (hashed) return sameExpanded(normalisePath(destination), normalisePath(hashed[1].trim()))
  // BuildKit and kaniko record the sources and destination as written, variables expanded.
  return sameExpanded(collapseWhitespace(words.join(' ')), rest)
}

/** A heredoc source as BuildKit records it (`<<-"EOF"` → `<<EOF`); other words unquoted. */
function copyWord(word: string): string {
  const heredoc = /^\d*<<-?(["']?)([^\s"']+)\1$/.exec(word)
  return heredoc ? `<<${heredoc[2]}` : unquote(word)
}

function withoutFlags(text: string): string {
  let rest = text
  for (let flag = /^--\S+ ?/.exec(rest); flag; flag = /^--\S+ ?/.exec(rest)) rest = rest.slice(flag[0].length)
  return rest
}

/** `/var/task/` → `/var/task`, `./` → `.`, `./app` → `app`: destinations as both sides may write them. */
function normalisePath(path: string): string {
  const trimmed = path.replace(/\/+$/, '')
  if (trimmed === '') return path.startsWith('/') ? '/' : path
  return trimmed.startsWith('./') ? trimmed.slice(2) || '.' : trimmed
}

function workdirMatches(written: string, recorded: string): boolean {
  // BuildKit and the classic builder record the resolved absolute path: a relative WORKDIR ends it.
  const path = normalisePath(written)
  return sameExpanded(path, normalisePath(recorded)) || (!path.startsWith('/') && sameExpanded(path, normalisePath(recorded), {suffix: true}))
}

function writtenNames(instruction: Instruction): string[] {
  const words = shellWords(instruction.args)
  // `ENV NAME value with spaces` (the legacy form) sets one variable.
  if (instruction.keyword === 'ENV' && words.length > 0 && !words[0].includes('=')) return [unquote(words[0])]
  return words.map((word) => unquote(word.split('=')[0]))
}

function recordedNames(rest: string, keyword: string): string[] {
  // Values are recorded unquoted, so a value with a space continues into the next word: only words with
  // "=" name something (ARG also records names without a value).
  return rest
    .split(' ')
    .filter((word) => word !== '' && (keyword === 'ARG' || word.includes('=')))
    .map((word) => word.split('=')[0])
}

/** The names written appear in the record, in order, the first one first. */
function namesMatch(written: string[], recorded: string[]): boolean {
  if (written.length === 0) return true
  if (recorded[0] !== written[0]) return false
  let at = 0
  for (const name of recorded) if (name === written[at]) at++
  return at >= written.length
}

function commandMatches(instruction: Instruction, recorded: string): boolean {
  // BuildKit and the classic builder print the argument list Go-quoted (["a" "b"]), buildah and kaniko as written.
  const quoted = [...recorded.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => jsonString(m[1]))
  if (quoted.length === 0) return true
  if (instruction.json) return instruction.json.length === quoted.length && instruction.json.every((arg, i) => collapseWhitespace(arg) === collapseWhitespace(quoted[i]))
  // Shell form: [shell…, "the command"].
  return collapseWhitespace(quoted.at(-1)!) === collapseWhitespace(instruction.args)
}

function jsonString(text: string): string {
  try {
    return JSON.parse(`"${text}"`) as string
  } catch {
    return text
  }
}

function unquote(text: string): string {
  return text.replace(/^"(.*)"$/s, '$1').replace(/^'(.*)'$/s, '$1')
}

const VARIABLE = /\$(?:\{[A-Za-z_][A-Za-z0-9_]*(?::?[-+?][^}]*)?\}|[A-Za-z_][A-Za-z0-9_]*)/
const MAX_VARIABLES = 8

/**
 * The written text equals the recorded one once its variables are expanded: `${LAMBDA_TASK_ROOT}/` matches
 * `/var/task/`. Values are not known here (they come from the base image and build args), so a variable
 * stands for any text. With `suffix`, the recorded text may have more before it (`app` ends `/srv/app`).
 */
function sameExpanded(written: string, recorded: string, options: {suffix?: boolean} = {}): boolean {
  const parts = written.split(new RegExp(VARIABLE.source, 'g'))
  if (parts.length === 1 && !options.suffix) return written === recorded
  if (parts.length > MAX_VARIABLES + 1) return written === recorded
  const body = parts.map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*?')
  return new RegExp(`^${options.suffix ? '(?:.*/)' : ''}${body}$`, 's').test(recorded)
}
