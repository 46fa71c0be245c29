/**
 * The progress line of the layer reads, through the CLI: never on a stderr that is not a terminal, never
 * with --json; on a terminal (a pty from `script`), one line that fits the width, redrawn in place and
 * erased before the report. The image is big enough (~190 MB) that reading it takes longer than the
 * moment a quick run is spared the line.
 */
import {randomBytes} from 'node:crypto'
import {spawnSync} from 'node:child_process'
import {readFileSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {LayerProgress} from '../../src/cli/progress.js'
import {packTar, tmpDir, writeOciLayout} from '../fs/helpers.js'
import {REPO, runCli} from '../helpers/cli.js'
import {itUnless} from '../helpers/skip-reason.js'

const NO_SCRIPT = spawnSync('sh', ['-c', 'command -v script']).status === 0 ? undefined : '`script` (util-linux) not installed: no pty for the progress line'
const dir = tmpDir('layer-audit-cli-progress-')
const image = join(dir, 'layout')

beforeAll(async () => {
  // Incompressible files, stored (gzip level 0): quick to write, a real amount of blob to read.
  const files = Array.from({length: 24}, (_, i) => ({name: `opt/data/part-${i}.bin`, content: randomBytes(8 << 20)}))
  writeOciLayout(image, [await packTar(files), await packTar([{name: 'var/task/app.py', content: 'def handler(e, c): pass\n'}])], 'big', {gzipLevel: 0})
}, 120_000)
afterAll(() => rmSync(dir, {recursive: true, force: true}))

/** The CLI in a pty `columns` wide (script -q): everything the terminal was sent, as sent. */
function inPty(args: string[], columns: number): {code: number | null; output: string} {
  const log = join(dir, 'typescript.log')
  const command = `stty cols ${columns} rows 40; exec ${[process.execPath, join(REPO, 'bin', 'run.js'), ...args].map((a) => `'${a}'`).join(' ')}`
  const run = spawnSync('script', ['-q', '-e', '-c', command, log], {env: {...process.env, CI: '', NO_COLOR: '1'}, stdio: ['ignore', 'ignore', 'pipe'], timeout: 120_000})
  const text = readFileSync(log, 'utf8')
  // script's own first and last lines ("Script started …", "Script done …") are not the CLI's.
  return {code: run.status, output: text.slice(text.indexOf('\n') + 1, text.lastIndexOf('\nScript done'))}
}

describe('progress of the layer reads', () => {
  it('never writes to a stderr that is not a terminal', async () => {
    for (const args of [['scan', image], ['tree', image, '--depth', '1'], ['lint', image]]) {
      const run = await runCli(args, {env: {CI: ''}})
      expect(run.stderr, args[0]).toBe('')
      expect(run.stdout, args[0]).not.toContain('reading layers')
    }
  }, 120_000)

  itUnless(NO_SCRIPT, 'on a terminal: one line within the width, redrawn in place, erased before the report', () => {
    const {code, output} = inPty(['scan', image], 80)
    expect(code).toBe(0)
    // Each draw: back to the line's start, erase it, the line (no newline: it stays one line).
    const draws = output.split('\r\x1b[2K')
    const lines = draws.slice(1, -1)
    expect(lines.length).toBeGreaterThan(0)
    for (const line of lines) {
      expect(line).toMatch(/^reading layers \d+\/2 · .+\/s/)
      expect(line).not.toContain('\n')
      expect(line.length).toBeLessThanOrEqual(79)
    }
    // After the last erase comes the report, and nothing of the line.
    expect(draws.at(-1)).toMatch(/^PASS: no findings/)
    expect(draws.at(-1)).not.toContain('reading layers')
  }, 120_000)

  itUnless(NO_SCRIPT, 'on a terminal with --json: no progress', () => {
    const {code, output} = inPty(['scan', image, '--json'], 80)
    expect(code).toBe(0)
    expect(output).not.toContain('reading layers')
    expect(output).not.toContain('\x1b[2K')
  }, 120_000)

  it('fits a narrow terminal by leaving out its last parts', () => {
    const progress = new LayerProgress()
    progress.onProgress(0, 0, 200_000_000, 'a')
    progress.onProgress(1, 0, 50_000_000, 'a')
    progress.onProgress(1, 50_000_000, 50_000_000, 'a')
    progress.onProgress(0, 100_000_000, 200_000_000, 'a')
    const now = Date.now() + 2000
    expect(progress.line(now, 120)).toMatch(/^reading layers 1\/2 · 150 MB \/ 250 MB · \d+(\.\d)? MB\/s · \d+ s left$/)
    for (const columns of [60, 40, 20, 10]) expect(progress.line(now, columns).length).toBeLessThanOrEqual(columns - 1)
    expect(progress.line(now, 40)).toBe('reading layers 1/2 · 150 MB / 250 MB')
    progress.finish()
  })
})
