#!/usr/bin/env node
/**
 * Builds what the CLI runs from: dist/ (tsc), oclif.manifest.json and docs/commands.md.
 *
 *   node bin/build.js              always rebuilds, from an empty dist/
 *   node bin/build.js --if-changed rebuilds only when the inputs changed since the last build
 *
 * `prepare` (npm ci, npm install, npm pack, a git install) and `npm test`/`npm start` all need a fresh
 * build; --if-changed lets `npm ci && npm test` build once, not twice. The last build's inputs hash is kept
 * in dist/.build-inputs; dist/ counts as changed, too, when a file in it is newer than that stamp (someone
 * ran tsc by hand), so a stale dist/ is never taken as fresh.
 */
import {spawnSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {dirname, join, relative} from 'node:path'
import {fileURLToPath} from 'node:url'

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)))
const STAMP = join(ROOT, 'dist', '.build-inputs')
const INPUT_FILES = ['package.json', 'package-lock.json', 'tsconfig.json']
const OUTPUTS = ['dist/index.js', 'dist/commands', 'oclif.manifest.json', 'docs/commands.md']

function filesUnder(dir) {
  return readdirSync(dir, {withFileTypes: true, recursive: true})
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name))
}

function inputsHash() {
  const hash = createHash('sha256')
  const files = [...INPUT_FILES.map((name) => join(ROOT, name)).filter(existsSync), ...filesUnder(join(ROOT, 'src'))]
  for (const file of files.sort()) hash.update(`${relative(ROOT, file)}\0`).update(readFileSync(file)).update('\0')
  return hash.digest('hex')
}

function isFresh(hash) {
  if (!existsSync(STAMP) || OUTPUTS.some((path) => !existsSync(join(ROOT, path)))) return false
  if (readFileSync(STAMP, 'utf8').trim() !== hash) return false
  const stampTime = statSync(STAMP).mtimeMs
  return filesUnder(join(ROOT, 'dist')).every((file) => statSync(file).mtimeMs <= stampTime)
}

function run(script, args, {quiet = false} = {}) {
  // oclif's own CLI would warn that a newer oclif exists: noise for whoever runs npm start or npm test.
  const env = {...process.env, OCLIF_SKIP_NEW_VERSION_CHECK: 'true'}
  const result = spawnSync(process.execPath, [script, ...args], {cwd: ROOT, env, stdio: ['ignore', quiet ? 'ignore' : 'inherit', 'inherit']})
  if (result.status !== 0) {
    process.stderr.write(`build failed: ${relative(ROOT, script)} ${args.join(' ')} exited ${result.status ?? result.signal}\n`)
    process.exit(1)
  }
}

function binOf(pkg, bin) {
  try {
    return join(dirname(createRequire(join(ROOT, 'package.json')).resolve(`${pkg}/package.json`)), bin)
  } catch {
    process.stderr.write(`build needs the dev dependencies (${pkg} is not installed): run npm ci, then build again\n`)
    process.exit(1)
  }
}

const hash = inputsHash()
if (process.argv.includes('--if-changed') && isFresh(hash)) process.exit(0)

const tsc = binOf('typescript', 'bin/tsc')
const oclif = binOf('oclif', 'bin/run.js')
rmSync(join(ROOT, 'dist'), {recursive: true, force: true})
run(tsc, ['-p', 'tsconfig.json'])
run(oclif, ['manifest'], {quiet: true})
run(oclif, ['readme', '--readme-path', 'docs/commands.md', '--no-aliases'], {quiet: true})
writeFileSync(STAMP, `${hash}\n`)
