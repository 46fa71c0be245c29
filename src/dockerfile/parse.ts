/**
 * A Dockerfile read the way BuildKit's parser reads it (moby/buildkit frontend/dockerfile/parser), only as
 * far as placing findings on lines needs: parser directives (`# escape=`), line continuations (the escape
 * character and the line break removed, the next line's indentation kept, comment and blank lines inside
 * them skipped), heredocs (`RUN <<EOF … EOF`), JSON (exec) form, `--flags`, and `FROM image AS name`
 * stages. Nothing is expanded or run. It never throws: what it cannot read is left out, and matching then
 * places fewer findings.
 */

export interface Heredoc {
  /** The delimiter, unquoted: `EOF` for `<<EOF`, `<<-EOF`, `<<"EOF"`. */
  name: string
  /** The lines between the instruction and the delimiter, each ending in "\n". */
  body: string
  /** `<<-`: leading tabs are stripped from the body's lines. */
  stripTabs: boolean
}

export interface Instruction {
  /** Upper-case: FROM, RUN, COPY, … */
  keyword: string
  /** `--name[=value]` options before the arguments (RUN --mount, COPY --from/--chown, FROM --platform, …). */
  flags: string[]
  /** What follows the keyword and flags, continuations joined, trimmed. */
  args: string
  /** The arguments in exec (JSON array) form, when written so. */
  json?: string[]
  heredocs: Heredoc[]
  /** 1-based line of the keyword. */
  line: number
  /** 1-based last line: continuations and heredoc bodies included. */
  endLine: number
  /** The logical line as written (keyword, flags, arguments), continuations joined; heredoc bodies left out. */
  original: string
}

export interface Stage {
  /** 0-based position among the FROMs. */
  index: number
  /** `FROM … AS name` */
  name?: string
  /** The image or stage it starts from, as written. */
  base: string
  from: Instruction
  /** The stage's instructions after its FROM, in order. */
  instructions: Instruction[]
}

export interface Dockerfile {
  /** The escape character (`\` unless `# escape=` says otherwise). */
  escape: string
  /** Parser directives at the top (`syntax`, `escape`, `check`), lower-case names. */
  directives: Record<string, string>
  /** ARG instructions before the first FROM (they never make history entries). */
  globalArgs: Instruction[]
  stages: Stage[]
}

const DIRECTIVE = /^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.*?)\s*$/
const KNOWN_DIRECTIVES = new Set(['syntax', 'escape', 'check'])
/** Instructions whose arguments may be a JSON array (exec form). */
const JSON_FORM = new Set(['RUN', 'CMD', 'ENTRYPOINT', 'SHELL', 'COPY', 'ADD', 'VOLUME'])
/** Instructions that take `--flags` before their arguments. */
const WITH_FLAGS = new Set(['FROM', 'RUN', 'COPY', 'ADD', 'HEALTHCHECK'])
/** Instructions whose shell-form arguments may open heredocs. */
const WITH_HEREDOCS = new Set(['RUN', 'COPY', 'ADD'])
/** A word that opens a heredoc: `<<EOF`, `<<-EOF`, `<<"EOF"`, `<<'EOF'`, `3<<EOF`. */
const HEREDOC_WORD = /^\d*<<(-?)(["']?)([^\s"'<>]+)\2$/
/** `--name`, `--name=value`, `--name="quoted value"`; the alternatives start on different characters (no backtracking). */
const FLAG = /^--[A-Za-z0-9][A-Za-z0-9-]*(?:=(?:"[^"]*"|'[^']*'|[^\s"'])*)?(?=\s|$)/

export function parseDockerfile(text: string): Dockerfile {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/)
  const directives: Record<string, string> = {}
  let at = 0
  // Directives only count at the very top: the first other line (blank, comment, instruction) ends them.
  for (; at < lines.length; at++) {
    const directive = DIRECTIVE.exec(lines[at])
    const name = directive?.[1].toLowerCase()
    if (!directive || !name || !KNOWN_DIRECTIVES.has(name) || name in directives) break
    directives[name] = directive[2]
  }
  const escape = directives.escape === '`' ? '`' : '\\'
  const continuation = new RegExp(`${escape === '`' ? '`' : '\\\\'}[ \\t]*$`)

  const dockerfile: Dockerfile = {escape, directives, globalArgs: [], stages: []}
  while (at < lines.length) {
    const first = lines[at].trimStart()
    if (first === '' || first.startsWith('#')) {
      at++
      continue
    }
    const start = at
    let joined = ''
    let line = first
    for (;;) {
      const continues = continuation.test(line)
      joined += continues ? line.replace(continuation, '') : line
      if (!continues || at + 1 >= lines.length) break
      at++
      // Inside a continuation, comment lines and blank lines are skipped, not joined.
      while (at + 1 < lines.length && (/^\s*#/.test(lines[at]) || lines[at].trim() === '')) at++
      line = lines[at]
      if (/^\s*#/.test(line) || line.trim() === '') break
    }
    const instruction = readInstruction(joined.trim(), start + 1, at + 1)
    at++
    if (!instruction) continue
    if (WITH_HEREDOCS.has(instruction.keyword) && !instruction.json) at = readHeredocs(instruction, lines, at)
    addInstruction(dockerfile, instruction)
  }
  return dockerfile
}

function readInstruction(logical: string, line: number, endLine: number): Instruction | undefined {
  const word = /^(\S+)\s*/.exec(logical)
  if (!word) return undefined
  const keyword = word[1].toUpperCase()
  let rest = logical.slice(word[0].length)
  const flags: string[] = []
  if (WITH_FLAGS.has(keyword)) {
    for (let flag = FLAG.exec(rest); flag; flag = FLAG.exec(rest)) {
      flags.push(flag[0])
      rest = rest.slice(flag[0].length).trimStart()
    }
  }
  const args = rest.trim()
  const json = JSON_FORM.has(keyword) ? jsonForm(args) : undefined
  return {keyword, flags, args, ...(json ? {json} : {}), heredocs: [], line, endLine, original: logical}
}

/** `["a", "b"]` as the parser accepts it: a JSON array of strings and nothing else, else shell form. */
function jsonForm(args: string): string[] | undefined {
  if (!args.startsWith('[')) return undefined
  try {
    const value: unknown = JSON.parse(args)
    return Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : undefined
  } catch {
    return undefined
  }
}

/** Reads the bodies of the heredocs the instruction opens, from `at`; returns the line after the last. */
function readHeredocs(instruction: Instruction, lines: string[], at: number): number {
  for (const word of shellWords(instruction.args)) {
    const opener = HEREDOC_WORD.exec(word)
    if (!opener) continue
    const stripTabs = opener[1] === '-'
    const name = opener[3]
    const body: string[] = []
    // The body is read raw: no continuations, comments kept. An unterminated heredoc runs to the end.
    while (at < lines.length && (stripTabs ? lines[at].replace(/^\t+/, '') : lines[at]) !== name) body.push(lines[at++])
    instruction.endLine = Math.min(at, lines.length - 1) + 1
    if (at < lines.length) at++
    instruction.heredocs.push({name, body: body.map((line) => `${line}\n`).join(''), stripTabs})
  }
  return at
}

/** Words split on unquoted, unescaped whitespace; quotes and escapes are kept as written. */
export function shellWords(text: string): string[] {
  return text.match(/(?:[^\s"'\\]|\\.|\\$|"(?:[^"\\]|\\.)*"?|'[^']*'?)+/g) ?? []
}

function addInstruction(dockerfile: Dockerfile, instruction: Instruction): void {
  if (instruction.keyword === 'FROM') {
    const from = /^(\S+)(?:\s+as\s+(\S+))?/i.exec(instruction.args)
    dockerfile.stages.push({
      index: dockerfile.stages.length,
      ...(from?.[2] ? {name: from[2]} : {}),
      base: from?.[1] ?? '',
      from: instruction,
      instructions: [],
    })
    return
  }
  const stage = dockerfile.stages.at(-1)
  if (stage) stage.instructions.push(instruction)
  else if (instruction.keyword === 'ARG') dockerfile.globalArgs.push(instruction)
}

/**
 * The stages the last stage is built on, root first: `FROM builder` names an earlier stage, whose own
 * instructions then come before the last stage's in the image history. Stage names are case-insensitive.
 */
export function finalStageChain(dockerfile: Dockerfile): Stage[] {
  const chain: Stage[] = []
  let stage = dockerfile.stages.at(-1)
  while (stage && !chain.includes(stage)) {
    chain.unshift(stage)
    const base = stage.base.toLowerCase()
    stage = dockerfile.stages.slice(0, stage.index).reverse().find((earlier) => earlier.name?.toLowerCase() === base)
  }
  return chain
}
