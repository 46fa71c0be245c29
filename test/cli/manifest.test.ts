import {execFileSync} from 'node:child_process'
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {REPO} from '../helpers/cli.js'

describe('oclif.manifest.json', () => {
  it('lists every command in src/commands', () => {
    const manifest = JSON.parse(readFileSync(join(REPO, 'oclif.manifest.json'), 'utf8'))
    const commands = Object.keys(manifest.commands).sort()
    const sources = execFileSync('ls', [join(REPO, 'src', 'commands')], {encoding: 'utf8'})
      .split('\n')
      .filter((f) => f.endsWith('.ts'))
      .map((f) => f.replace(/\.ts$/, ''))
      .sort()
    expect(commands).toEqual(sources)
  })

  // npm test rebuilds the manifest before the suite; a committed manifest that differs is stale.
  it.skipIf(!existsSync(join(REPO, '.git')))('is committed as the build regenerates it', () => {
    const diff = execFileSync('git', ['diff', '--stat', '--', 'oclif.manifest.json'], {cwd: REPO, encoding: 'utf8'})
    expect(diff, 'oclif.manifest.json is stale: run npm run build and commit it').toBe('')
  })
})
