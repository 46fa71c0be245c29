/** Principle 6: no raw secret or presigned URL in any output of any command, in any format. */
import {mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {FIXTURES, runCli} from '../helpers/cli.js'

const secrets = JSON.parse(readFileSync(join(FIXTURES, 'specs', 'secrets.json'), 'utf8')).secrets as Record<string, Record<string, string>>
const raw = Object.values(secrets).flatMap((s) => Object.entries(s).filter(([k]) => k !== 'usedIn').map(([, v]) => v))
// Pieces of the presigned URL that would betray it even when cut: its signature and query.
raw.push('X-Amz-Signature=', 'X-Amz-Security-Token=', 'ee3d76710aac17f2aae1121118f2055dc2b79ef57d9da49da9694c8f1ae34db5')

const tmp = mkdtempSync(join(tmpdir(), 'la-no-leak-'))
const images = ['secrets-single-stage.docker.tar', 'secrets-doc-example.docker.tar', 'function-index-attested.oci.tar'].map((n) => join(FIXTURES, 'images', n))
const fn = ['--function-config', join(FIXTURES, 'functions', 'function-config.json'), '--function-zip', join(FIXTURES, 'zips', 'function-code.zip'), '--layer', join(FIXTURES, 'zips', 'layer-log-shipper.zip')]

function expectNoSecret(text: string, what: string) {
  for (const secret of raw) expect(text.includes(secret), `${what} leaks ${secret.slice(0, 4)}…`).toBe(false)
}

describe('no output leaks a secret', () => {
  for (const img of images) {
    for (const format of ['table', 'json', 'sarif', 'junit', 'markdown']) {
      it(`scan, compare and lint of ${img.split('/').pop()} as ${format}`, async () => {
        for (const command of ['scan', 'compare', 'lint']) {
          const out = join(tmp, `${command}.${format}`)
          // lint's --env values are the function's environment: never echoed, whatever they hold.
          const extra = command === 'compare' ? fn : command === 'lint' ? ['--env', `SHIPPER_TOKEN=${raw[0]}`, '--architecture', 'arm64'] : []
          const args = [command, img, '--format', format, '--verbose', '--output', out, ...extra]
          const result = await runCli([...args, '--debug'])
          expectNoSecret(result.stdout + result.stderr, `${command} ${format}`)
          expectNoSecret(readFileSync(out, 'utf8'), `${command} --output ${format}`)
        }
      })
    }
    it(`inspect --show-env, tree and the --json forms of ${img.split('/').pop()}`, async () => {
      for (const args of [['inspect', img, '--show-env'], ['inspect', img, '--show-env', '--json'], ['tree', img, '--json'], ['scan', img, '--json']]) {
        const result = await runCli(args)
        expectNoSecret(result.stdout + result.stderr, args.join(' '))
      }
    })
  }

  it('inspect and tree of the function never print its presigned code URL', async () => {
    for (const command of ['inspect', 'tree']) {
      for (const extra of [[], ['--json'], ['--debug']]) {
        const result = await runCli([command, '--function-config', join(FIXTURES, 'functions', 'function-config.json'), ...extra])
        expectNoSecret(result.stdout + result.stderr, `${command} ${extra.join(' ')}`)
      }
    }
  })
})
