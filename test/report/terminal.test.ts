/**
 * The report (and diff's table) as a terminal shows it: the built CLI runs inside tmux at 80 and 160
 * columns and the screen is read back (`capture-pane -J` joins the lines the terminal wrapped, so a line
 * wider than the pane is one the report failed to fit). Needs tmux (.ci/run installs it) and dist/
 * (`npx tsc -p tsconfig.json`).
 */
import {execFileSync, spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, expect, it} from 'vitest'
import {BROKEN_COMPARE, FIXTURES, LEAKY_SCAN, REPO, runCli} from '../helpers/cli.js'
import {describeUnless} from '../helpers/skip-reason.js'

const haveTmux = spawnSync('sh', ['-c', 'command -v tmux']).status === 0
const NO_TMUX = haveTmux ? undefined : 'tmux not installed (the real-terminal check of the table; .ci/run installs it)'
const dir = mkdtempSync(join(tmpdir(), 'layer-audit-terminal-'))
// A server of our own (-L), so the test never touches a user's tmux sessions; killed at the end.
const socket = `layer-audit-test-${process.pid}`
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, '-f', join(dir, 'tmux.conf'), ...args], {encoding: 'utf8'})

/** The server's socket file, which outlives it (the server exits with its last session): removed at the end. */
let socketPath = ''

afterAll(() => {
  if (haveTmux) spawnSync('tmux', ['-L', socket, 'kill-server'])
  if (socketPath) rmSync(socketPath, {force: true})
  rmSync(dir, {recursive: true, force: true})
})

const quote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`
let sessions = 0

/** Runs the CLI in a fresh pane `columns` wide; returns every line it left on the screen and the exit code. */
async function inTerminal(args: string[], columns: number, env: Record<string, string> = {}): Promise<{lines: string[]; code: number}> {
  // The pane stays after the command exits (remain-on-exit), to be read; history keeps what scrolled off.
  writeFileSync(join(dir, 'tmux.conf'), 'set -g remain-on-exit on\nset -g history-limit 50000\n')
  const name = `run${sessions++}`
  // The exit code goes to a file: tmux 3.3 leaves #{pane_dead_status} empty now and then.
  const codeFile = join(dir, `${name}.code`)
  const command = `${[process.execPath, join(REPO, 'bin', 'run.js'), ...args].map(quote).join(' ')}; echo $? > ${quote(codeFile)}`
  const environment = Object.entries({NO_COLOR: '', CI: '', ...env}).flatMap(([key, value]) => ['-e', `${key}=${value}`])
  tmux('new-session', '-d', '-s', name, '-x', String(columns), '-y', '50', '-c', REPO, ...environment, command)
  const deadline = Date.now() + 150_000
  while (!existsSync(codeFile) || tmux('display-message', '-p', '-t', name, '#{pane_dead}').trim() !== '1') {
    if (Date.now() > deadline) throw new Error(`the CLI did not finish in the terminal: ${args.join(' ')}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  socketPath ||= tmux('display-message', '-p', '-t', name, '#{socket_path}').trim()
  const screen = tmux('capture-pane', '-p', '-J', '-t', name, '-S', '-', '-E', '-')
  tmux('kill-session', '-t', name)
  const lines = screen.split('\n').map((line) => line.trimEnd())
  // tmux's own "Pane is dead" notice, and the empty rows below the output, are not the report's.
  while (lines.length > 0 && (lines.at(-1) === '' || lines.at(-1)!.startsWith('Pane is dead'))) lines.pop()
  return {lines, code: Number(readFileSync(codeFile, 'utf8'))}
}

const COMPARE = BROKEN_COMPARE
const SCAN = LEAKY_SCAN

/** Every `sha256:` with the hex after it, as printed (a secret's fingerprint has 16 digits, a digest 64). */
const digests = (text: string) => [...text.matchAll(/sha256:[0-9a-f]*/g)].map((m) => m[0]).sort()

describeUnless(NO_TMUX, 'the table in a real terminal (tmux)', () => {
  it.each([
    ['compare', 80, false, COMPARE],
    ['compare', 160, true, COMPARE],
    ['scan', 80, true, SCAN],
    ['scan', 160, false, SCAN],
  ] as const)('%s at %i columns (colour %s): fits, digests whole, the verdict last', async (_, columns, color, args) => {
    // The pipe's run alongside: on a loaded machine each run of the CLI can take a while.
    const [{lines, code}, piped] = await Promise.all([inTerminal([...args, ...(color ? ['--color'] : [])], columns), runCli([...args])])
    expect(code).toBe(1)
    expect(lines.filter((line) => [...line].length > columns)).toEqual([])
    // No digest split: each `sha256:` is followed by all of its digits on its line, the same ones a pipe gets.
    const screen = lines.join('\n')
    for (const digest of digests(screen)) expect(digest).toMatch(/^sha256:([0-9a-f]{16}|[0-9a-f]{64})$/)
    expect(digests(screen)).toEqual(digests(piped.stdout))
    // The verdict is the last line, what a CI log's tail shows; the paths of the findings are all there, whole.
    expect(lines.at(-1)).toMatch(/^FAIL: \d+ errors?/)
    const paths = [...piped.stdout.matchAll(/^│ (\/\S+)/gm)].map((m) => m[1]!)
    expect(paths.length).toBeGreaterThan(0)
    for (const path of paths) expect(lines.some((line) => line.includes(path)), path).toBe(true)
    // Nothing of a progress line is left on the screen.
    expect(screen).not.toMatch(/\bETA\b|layers read/)
  }, 180_000)

  it.each([false, true])('diff at 80 columns (--verbose %s): fits, history digests whole or left out, the verdict last', async (verbose) => {
    const args = ['diff', join(FIXTURES, 'images/function-image-good.docker.tar'), join(FIXTURES, 'images/function-image-broken.docker.tar'), ...(verbose ? ['--verbose'] : [])]
    const {lines, code} = await inTerminal(args, 80)
    expect(code).toBe(1)
    expect(lines.filter((line) => [...line].length > 80)).toEqual([])
    // The fixtures' history names its ADDed files by a 64-digit hash: whole with --verbose, else not at all.
    const hashes = [...lines.join('\n').matchAll(/file:([0-9a-f]*)/g)].map((m) => m[1]!)
    if (verbose) expect(hashes.length).toBeGreaterThan(0)
    for (const hash of hashes) expect(hash).toMatch(/^[0-9a-f]{64}$/)
    expect(lines.at(-1)).toMatch(/^DIFFERENT: /)
  }, 180_000)
})
