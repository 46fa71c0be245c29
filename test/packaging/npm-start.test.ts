/**
 * `npm start`'s demo (bin/demo.js; npm start runs it after building if needed): three sections, each under a
 * `== … ==` header line that reads the same whichever shell npm uses, and nothing on stderr (no oclif
 * update warning). npm's own two-line `> layer-audit@… start` banner is npm's, printed before the script
 * runs; `npm start --silent` leaves it out (README, "Quick start").
 */
import {execFile} from 'node:child_process'
import {promisify} from 'node:util'
import {describe, expect, it} from 'vitest'
import {REPO} from '../helpers/cli.js'

const run = promisify(execFile)

describe('npm start demo', () => {
  it.each(['sh', 'bash'])('prints three sections with plain header lines under %s', async (shell) => {
    const {stdout, stderr} = await run(shell, ['-c', 'node bin/demo.js'], {cwd: REPO, env: {...process.env, NO_COLOR: '1'}})
    const headers = stdout.split('\n').filter((line) => line.startsWith('=='))
    expect(headers).toHaveLength(3)
    for (const header of headers) expect(header).toMatch(/^== [^\\]+ ==$/)
    expect(stdout.split('\n')[0]).toBe(headers[0])
    expect(stdout).not.toMatch(/\\n==/) // echo '\n== …' under bash
    expect(stdout).toContain('PASS')
    expect(stderr).toBe('')
  })
})
