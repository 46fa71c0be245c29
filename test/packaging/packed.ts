/** What `npm pack` ships from the built tree (dist/ must exist: npm test builds it first). */
import {execFileSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {REPO} from '../helpers/cli.js'

export interface PackedFile {
  path: string
  mode: number
}

/**
 * npm's own environment, passed down when the suite runs under `npm test`, must not turn a child npm global
 * or point it elsewhere.
 */
export function npmEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {...process.env, ...extra}
  for (const key of Object.keys(env)) if (/^npm_config_(global|prefix|location|dry_run)$/i.test(key)) delete env[key]
  return env
}

let cached: PackedFile[] | undefined

/** --ignore-scripts: prepare would rebuild dist/ under the other tests' feet. */
export function packedFiles(): PackedFile[] {
  if (cached) return cached
  if (!existsSync(join(REPO, 'dist', 'commands'))) throw new Error('dist/ is missing: run `npm run build` (npm test does)')
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {cwd: REPO, env: npmEnv(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']})
  const [pack] = JSON.parse(out) as [{files: PackedFile[]}]
  cached = pack.files
  return cached
}
