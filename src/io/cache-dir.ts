/** Where layer-audit keeps what it caches between runs: one directory per kind under the user cache. */
import {homedir} from 'node:os'
import {join} from 'node:path'

/** $XDG_CACHE_HOME/layer-audit/NAME (an absolute XDG_CACHE_HOME only, as the spec says), else ~/.cache/layer-audit/NAME. */
export function userCacheDir(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.startsWith('/') ? env.XDG_CACHE_HOME : join(homedir(), '.cache')
  return join(base, 'layer-audit', name)
}
