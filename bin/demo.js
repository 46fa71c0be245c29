#!/usr/bin/env node
/**
 * `npm start`: the bundled fixtures (docs/fixtures.md) through the built CLI. The headers are printed here,
 * not by the shell: `echo '\n…'` prints a literal \n under bash and a line break under dash.
 */
import {spawnSync} from 'node:child_process'
import {writeSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)))
const ZIP_FUNCTION = [
  '--function-config', 'fixtures/functions/function-config.json',
  '--layer', 'fixtures/zips/layer-log-shipper.zip',
  '--function-zip', 'fixtures/zips/function-code.zip',
]

const SECTIONS = [
  ['The faithful migration: function image vs the zip function it replaces', ['compare', 'fixtures/images/function-image-good.docker.tar', ...ZIP_FUNCTION]],
  ['The migration gone wrong (--fail-on never, so npm start exits 0)', ['compare', 'fixtures/images/function-image-broken.docker.tar', ...ZIP_FUNCTION, '--fail-on', 'never']],
  ['A single-stage build that leaked its AWS credentials', ['scan', 'fixtures/images/secrets-single-stage.docker.tar', '--fail-on', 'never']],
]

for (const [index, [title, args]] of SECTIONS.entries()) {
  try {
    // Synchronous, so the header lands before the child's output whatever stdout is.
    writeSync(1, `${index > 0 ? '\n' : ''}== ${title} ==\n`)
  } catch (error) {
    if (error.code === 'EPIPE') process.exit(0) // `npm start | head`: the reader has seen enough
    throw error
  }
  const result = spawnSync(process.execPath, [join(ROOT, 'bin', 'run.js'), ...args], {cwd: ROOT, stdio: 'inherit'})
  if (result.status !== 0) process.exit(result.status ?? 1)
}
