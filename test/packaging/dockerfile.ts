/**
 * Just enough of a Dockerfile reader for checking our own Dockerfile and .dockerignore without a daemon:
 * instructions (line continuations joined, comments dropped) grouped into stages, and the .dockerignore
 * rule that decides whether a path is in the build context.
 */
export interface Instruction {
  keyword: string
  args: string
  line: number
}

export interface Stage {
  from: string
  name?: string
  instructions: Instruction[]
}

export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = []
  const lines = text.split(/\r?\n/)
  for (let index = 0; index < lines.length; index++) {
    const start = index
    let logical = lines[index]
    if (/^\s*(#|$)/.test(logical)) continue
    while (logical.endsWith('\\') && index + 1 < lines.length) {
      logical = `${logical.slice(0, -1)} ${lines[++index].replace(/^\s*#.*$/, '')}`
    }
    const match = /^\s*(\w+)\s+(.*)$/.exec(logical)
    if (!match) throw new Error(`line ${start + 1}: not an instruction: ${logical}`)
    const instruction = {keyword: match[1].toUpperCase(), args: match[2].replace(/\s+/g, ' ').trim(), line: start + 1}
    if (instruction.keyword === 'FROM') {
      const [from, as, name] = instruction.args.split(' ').filter((word) => !word.startsWith('--'))
      stages.push({from, ...(as?.toUpperCase() === 'AS' ? {name} : {}), instructions: []})
    } else {
      if (stages.length === 0) throw new Error(`line ${start + 1}: ${instruction.keyword} before FROM`)
      stages.at(-1)!.instructions.push(instruction)
    }
  }
  return stages
}

/** COPY/ADD: options (--from=…), sources and destination. */
export function copyParts(args: string): {options: Record<string, string>; sources: string[]; destination: string} {
  const words = args.startsWith('[') ? (JSON.parse(args) as string[]) : args.split(' ')
  const options: Record<string, string> = {}
  while (words[0]?.startsWith('--')) {
    const [key, value = ''] = words.shift()!.slice(2).split('=')
    options[key] = value
  }
  return {options, sources: words.slice(0, -1), destination: words.at(-1)!}
}

function globToRegExp(glob: string): RegExp {
  let source = ''
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i]
    if (char === '*' && glob[i + 1] === '*') {
      source += '.*'
      i++
    } else if (char === '*') source += '[^/]*'
    else if (char === '?') source += '[^/]'
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&')
  }
  return new RegExp(`^${source}$`)
}

/**
 * Whether .dockerignore leaves `path` in the context: the last pattern that matches the path or one of its
 * parent directories decides, a `!` pattern keeping it (Docker's rule).
 */
export function inContext(dockerignore: string, path: string): boolean {
  const patterns = dockerignore
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
  const segments = path.replace(/^\.?\//, '').replace(/\/$/, '').split('/')
  const candidates = segments.map((_, index) => segments.slice(0, index + 1).join('/'))
  let included = true
  for (const pattern of patterns) {
    const negated = pattern.startsWith('!')
    const regexp = globToRegExp(pattern.replace(/^!/, '').replace(/^\/+|\/+$/g, ''))
    if (candidates.some((candidate) => regexp.test(candidate))) included = negated
  }
  return included
}
