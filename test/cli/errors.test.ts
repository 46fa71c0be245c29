import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {FIXTURES, runCli} from '../helpers/cli.js'

const tmp = mkdtempSync(join(tmpdir(), 'la-cli-errors-'))

/** Principle 5: one line naming the input and the problem, exit 2, no stack, nothing on stdout. */
function expectCleanError(result: {code: number | null; stdout: string; stderr: string}, ...mustMention: string[]) {
  expect(result.code).toBe(2)
  expect(result.stdout).toBe('')
  const lines = result.stderr.trimEnd().split('\n')
  expect(lines, result.stderr).toHaveLength(1)
  expect(lines[0]).toMatch(/^layer-audit: /)
  expect(result.stderr).not.toMatch(/\n\s+at /)
  for (const m of mustMention) expect(lines[0]).toContain(m)
}

describe('bad input', () => {
  for (const command of ['inspect', 'tree']) {
    it(`${command}: a missing file`, async () => {
      const missing = join(tmp, 'nope.tar')
      expectCleanError(await runCli([command, missing]), missing)
      expectCleanError(await runCli([command, missing, '--json']), missing)
    })
  }

  it('a file that is not an image', async () => {
    const path = join(tmp, 'notes.txt')
    writeFileSync(path, 'just some notes\n')
    expectCleanError(await runCli(['inspect', path]), path)
  })

  it("a flag value out of range says why, not only 'Parsing --concurrency'", async () => {
    const result = await runCli(['tree', 'x.tar', '--concurrency', '99'])
    expectCleanError(result, 'concurrency')
    expect(result.stderr).toBe('layer-audit: Parsing --concurrency: Expected an integer less than or equal to 16 but received: 99 (see --help)\n')
  })

  it('--json with --format is a usage error naming both, not a silent override (before any image is read)', async () => {
    for (const args of [['scan', 'missing.tar', '--json', '--format', 'sarif'], ['diff', 'a.tar', 'b.tar', '--json', '--format', 'markdown']]) {
      const result = await runCli(args)
      expectCleanError(result, '--json and --format')
      expect(result.stderr).not.toContain('missing.tar')
    }
  })

  it('an unknown flag', async () => {
    expectCleanError(await runCli(['inspect', '--no-such-flag', 'x.tar']), 'no-such-flag')
  })

  it('compare: the image opens while the zips are read, and a broken zip side is still the one error reported', async () => {
    const image = join(tmp, 'no-image.tar')
    const zip = join(tmp, 'no-layer.zip')
    // Both missing: the zip side's error, as when the image was opened after it.
    expectCleanError(await runCli(['compare', image, '--layer', zip]), zip)
    // Only the image missing: its error, after the zips were read.
    expectCleanError(await runCli(['compare', image, '--layer', join(FIXTURES, 'zips', 'layer-log-shipper.zip')]), image)
    expectCleanError(await runCli(['compare', join(FIXTURES, 'images', 'function-image-good.docker.tar'), '--layer', zip]), zip)
  })

  it('--debug adds the stack', async () => {
    const result = await runCli(['inspect', join(tmp, 'nope.tar'), '--debug'])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/\n\s+at /)
  })
})
