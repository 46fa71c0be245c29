/** Paths that environment variables ask the runtime to load at start (the internal-extension hooks). */
import type {CompareContext} from './context.js'

export const WRAPPER_VARIABLE = 'AWS_LAMBDA_EXEC_WRAPPER'

export interface NamedPath {
  variable: string
  /** How the variable names it, e.g. "-javaagent:" or "--require". */
  via: string
  path: string
  /** Where the variable was set. */
  origin: 'image' | 'function'
}

/** Splits like a shell would for our purpose: whitespace separates, quotes group, no expansion. */
export function splitWords(value: string): string[] {
  const words: string[] = []
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g
  let match: RegExpExecArray | null
  while ((match = re.exec(value))) words.push(match[1] ?? match[2] ?? match[3])
  return words
}

/** Absolute paths under /opt or /var/task named by JAVA_TOOL_OPTIONS, NODE_OPTIONS and DOTNET_STARTUP_HOOKS. */
export function agentPaths(ctx: CompareContext): NamedPath[] {
  const out: NamedPath[] = []
  const add = (variable: string, via: string, path: string) => {
    if (/^\/(opt|var\/task)(\/|$)/.test(path)) out.push({variable, via, path, origin: ctx.envOrigin[variable] ?? 'image'})
  }
  const java = ctx.env.JAVA_TOOL_OPTIONS
  if (java) {
    for (const word of splitWords(java)) {
      for (const flag of ['-javaagent:', '-agentpath:']) {
        // -javaagent:/opt/agent.jar=options
        if (word.startsWith(flag)) add('JAVA_TOOL_OPTIONS', flag, word.slice(flag.length).split('=')[0])
      }
    }
  }
  const node = ctx.env.NODE_OPTIONS
  if (node) {
    const words = splitWords(node)
    for (let i = 0; i < words.length; i++) {
      const word = words[i]
      for (const flag of ['--require', '-r', '--import']) {
        if (word === flag && i + 1 < words.length) add('NODE_OPTIONS', flag, words[++i])
        else if (word.startsWith(flag + '=')) add('NODE_OPTIONS', flag, word.slice(flag.length + 1))
      }
    }
  }
  const dotnet = ctx.env.DOTNET_STARTUP_HOOKS
  if (dotnet) {
    // A list of assembly paths (or bare assembly names) separated by the platform's path separator.
    for (const entry of dotnet.split(':')) if (entry) add('DOTNET_STARTUP_HOOKS', 'DOTNET_STARTUP_HOOKS', entry)
  }
  return out
}
