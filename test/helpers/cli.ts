/** Runs the built CLI (bin/run.js → dist/) as a user would, capturing stdout, stderr and the exit code. */
import {spawn} from 'node:child_process'
import {existsSync} from 'node:fs'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'
import {expect} from 'vitest'

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
export const FIXTURES = join(REPO, 'fixtures')

/** `compare` of the broken migration fixture against the zip function it replaces (what `npm start` shows second). */
export const BROKEN_COMPARE = [
  'compare',
  join(FIXTURES, 'images/function-image-broken.docker.tar'),
  '--function-config',
  join(FIXTURES, 'functions/function-config.json'),
  '--layer',
  join(FIXTURES, 'zips/layer-log-shipper.zip'),
  '--function-zip',
  join(FIXTURES, 'zips/function-code.zip'),
]
/** `scan` of the single-stage build that leaked its AWS credentials. */
export const LEAKY_SCAN = ['scan', join(FIXTURES, 'images/secrets-single-stage.docker.tar')]

export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

export async function runCli(args: string[], options: {input?: Buffer | string; env?: NodeJS.ProcessEnv; cwd?: string} = {}): Promise<CliResult> {
  if (!existsSync(join(REPO, 'dist', 'commands'))) throw new Error('dist/ is missing: run `npm run build` (npm test does)')
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [join(REPO, 'bin', 'run.js'), ...args], {
      cwd: options.cwd ?? REPO,
      env: {...process.env, NO_COLOR: '1', ...options.env},
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (d: Buffer) => out.push(d))
    child.stderr.on('data', (d: Buffer) => err.push(d))
    child.on('error', reject)
    child.on('close', (code) =>
      resolvePromise({code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8')}),
    )
    child.stdin.end(options.input ?? '')
  })
}

/** Exit 2 with exactly one line on stderr, nothing on stdout (the bad-input contract); returns that line. */
export function usageLine(run: CliResult): string {
  expect(run.code, run.stderr).toBe(2)
  expect(run.stdout).toBe('')
  const lines = run.stderr.split('\n').filter((line) => line !== '')
  expect(lines, run.stderr).toHaveLength(1)
  return lines[0]
}
