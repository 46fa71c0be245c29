/**
 * The packed tarball installs and runs on its own: `npm pack` into a temp directory, `npm install -g` of
 * that tarball into a temp prefix (dependencies from npm's cache where it has them, else the registry),
 * then the installed `layer-audit` prints its version and audits a fixture, from a directory that is not
 * the repository, so nothing resolves back into the working tree.
 */
import {execFile} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {promisify} from 'node:util'
import {afterAll, describe, expect, it} from 'vitest'
import {FIXTURES, REPO} from '../helpers/cli.js'
import {npmEnv} from './packed.js'

const run = promisify(execFile)
const version = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {version: string}).version
const work = mkdtempSync(join(tmpdir(), 'layer-audit-pack-'))
afterAll(() => rmSync(work, {recursive: true, force: true}))

describe('the packed tarball', () => {
  it('installs globally into a temp prefix, and its layer-audit runs', {timeout: 120_000}, async () => {
    if (!existsSync(join(REPO, 'dist', 'commands'))) throw new Error('dist/ is missing: run `npm run build` (npm test does)')
    // --ignore-scripts: prepare would rebuild dist/ under the other tests' feet; npm test has just built it.
    const packed = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], {cwd: REPO, env: npmEnv()})
    const tarball = join(work, (JSON.parse(packed.stdout) as [{filename: string}])[0].filename)

    const prefix = join(work, 'prefix')
    await run('npm', ['install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball], {cwd: work, env: npmEnv()})
    const bin = join(prefix, 'bin', 'layer-audit')
    const installed = join(prefix, 'lib', 'node_modules', 'layer-audit')
    expect(existsSync(join(installed, 'src')) || existsSync(join(installed, 'test'))).toBe(false)

    const env = {...npmEnv(), NO_COLOR: '1'}
    const shown = await run(bin, ['--version'], {cwd: work, env})
    expect(shown.stdout).toMatch(new RegExp(`^layer-audit/${version.replace(/\./g, '\\.')} `))

    // A whole audit: every runtime dependency the compare path loads is installed.
    const audit = await run(
      bin,
      [
        'compare', join(FIXTURES, 'images', 'function-image-good.docker.tar'),
        '--function-config', join(FIXTURES, 'functions', 'function-config.json'),
        '--layer', join(FIXTURES, 'zips', 'layer-log-shipper.zip'),
        '--function-zip', join(FIXTURES, 'zips', 'function-code.zip'),
        '--format', 'json',
      ],
      {cwd: work, env},
    )
    expect(JSON.parse(audit.stdout)).toMatchObject({command: 'compare', summary: {error: 0}})
  })
})
