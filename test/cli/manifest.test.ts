import {execFileSync} from 'node:child_process'
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {REPO} from '../helpers/cli.js'

describe('generated command metadata', () => {
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
  for (const generated of ['oclif.manifest.json', 'docs/commands.md']) {
    it.skipIf(!existsSync(join(REPO, '.git')))(`${generated} is committed as the build regenerates it`, () => {
      const diff = execFileSync('git', ['diff', '--stat', '--', generated], {cwd: REPO, encoding: 'utf8'})
      expect(diff, `${generated} is stale: run npm run build and commit it`).toBe('')
    })
  }
})
