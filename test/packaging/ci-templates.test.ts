/**
 * The GitHub Action (action.yml) and the GitLab CI template (docs/ci/layer-audit.gitlab-ci.yml): they parse,
 * have the shape their platform needs, and their scripts, run here by bash and sh against the built CLI,
 * write the reports and pass layer-audit's exit code on. The examples in docs/ci.md parse and use only
 * inputs the action has.
 */
import {execFile} from 'node:child_process'
import {chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {delimiter, join} from 'node:path'
import {promisify} from 'node:util'
import {afterAll, describe, expect, it} from 'vitest'
import {parse} from 'yaml'
import {FIXTURES, REPO} from '../helpers/cli.js'
import {sarifValidator} from '../helpers/sarif.js'
import {npmEnv} from './packed.js'

const run = promisify(execFile)
const validateSarif = sarifValidator()

interface ActionStep {
  name?: string
  id?: string
  uses?: string
  run?: string
  shell?: string
  if?: string
  env?: Record<string, string>
  with?: Record<string, string | number>
}
interface Action {
  name: string
  description: string
  inputs: Record<string, {description: string; default?: string; required?: boolean}>
  outputs: Record<string, {value: string}>
  runs: {using: string; steps: ActionStep[]}
}

const action = parse(readFileSync(join(REPO, 'action.yml'), 'utf8')) as Action
const gitlab = parse(readFileSync(join(REPO, 'docs', 'ci', 'layer-audit.gitlab-ci.yml'), 'utf8')) as Record<string, {
  image: {name: string; entrypoint: string[]}
  variables: Record<string, string>
  script: string[]
  artifacts: {when: string; paths: string[]; reports: {junit: string}}
}>

const work = mkdtempSync(join(tmpdir(), 'layer-audit-ci-'))
afterAll(() => rmSync(work, {recursive: true, force: true}))

/** A `layer-audit` on PATH that is the built CLI, as the installed bin would be. */
function pathWithCli(): string {
  const dir = join(work, 'bin')
  if (!existsSync(join(dir, 'layer-audit'))) {
    if (!existsSync(join(REPO, 'dist', 'commands'))) throw new Error('dist/ is missing: run `npm run build` (npm test does)')
    mkdirSync(dir, {recursive: true})
    writeFileSync(join(dir, 'layer-audit'), `#!/bin/sh\nexec "${process.execPath}" "${join(REPO, 'bin', 'run.js')}" "$@"\n`)
    chmodSync(join(dir, 'layer-audit'), 0o755)
  }
  return `${dir}${delimiter}${process.env.PATH}`
}

const ZIP_FUNCTION = `--function-config ${join(FIXTURES, 'functions', 'function-config.json')} --layer ${join(FIXTURES, 'zips', 'layer-log-shipper.zip')} --function-zip ${join(FIXTURES, 'zips', 'function-code.zip')}`

function outputsOf(file: string): Record<string, string> {
  if (!existsSync(file)) return {}
  return Object.fromEntries(readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => line.split(/=(.*)/s).slice(0, 2) as [string, string]))
}

/** A step's env as the runner would set it: `${{ inputs.NAME }}` from `inputs` (else the default). */
function stepEnv(step: ActionStep, inputs: Record<string, string>, github: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, expression] of Object.entries(step.env ?? {})) {
    const [, scope, name] = /^\$\{\{ (inputs|github)\.([\w-]+) \}\}$/.exec(expression)!
    env[key] = scope === 'inputs' ? (inputs[name] ?? action.inputs[name].default ?? '') : github[name]
  }
  return env
}

/** As GitHub runs a bash step: bash --noprofile --norc -eo pipefail {0}. */
function runBashStep(step: ActionStep, cwd: string, env: NodeJS.ProcessEnv) {
  return run('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run!], {cwd, env})
}

/** The action's run step, with the inputs as its env. */
async function runStep(name: string, inputs: Record<string, string>): Promise<{outputs: Record<string, string>; dir: string}> {
  const step = action.runs.steps.find((s) => s.id === 'run')!
  const dir = mkdtempSync(join(work, `${name}-`))
  const output = join(dir, 'github-output')
  const env = {...process.env, PATH: pathWithCli(), GITHUB_OUTPUT: output, NO_COLOR: '1', ...stepEnv(step, inputs)}
  await runBashStep(step, dir, env).catch((error: {code: number}) => {
    throw new Error(`the run step itself failed (exit ${error.code}): it must always pass the exit code on as an output`)
  })
  return {outputs: outputsOf(output), dir}
}

const installStep = () => action.runs.steps.find((step) => step.name === 'Install layer-audit')!

describe('action.yml', () => {
  it('is a composite action on Node 20 with the inputs the docs name', () => {
    expect(action.runs.using).toBe('composite')
    for (const input of ['version', 'command', 'image', 'args', 'fail-on', 'sarif-file', 'upload-sarif']) expect(action.inputs, input).toHaveProperty(input)
    const setup = action.runs.steps.find((step) => step.uses?.startsWith('actions/setup-node@'))
    expect(setup?.with?.['node-version']).toBe(20)
    expect(action.outputs['exit-code'].value).toBe('${{ steps.run.outputs.exit-code }}')
  })

  it('pins every action it uses to a major version or a commit, and uploads with github/codeql-action/upload-sarif', () => {
    const uses = action.runs.steps.flatMap((step) => (step.uses ? [step.uses] : []))
    for (const use of uses) expect(use).toMatch(/@(v\d+|[0-9a-f]{40})$/)
    const upload = action.runs.steps.find((step) => step.uses?.startsWith('github/codeql-action/upload-sarif@'))
    expect(upload?.with?.sarif_file).toBe('${{ steps.run.outputs.sarif-file }}')
    expect(upload?.if).toContain("steps.run.outputs.sarif-file != ''")
  })

  it('passes inputs to scripts through env only (an input spliced into a script could run as code)', () => {
    for (const step of action.runs.steps.filter((s) => s.run)) {
      expect(step.shell, step.name).toBe('bash')
      expect(step.run, step.name).not.toMatch(/\$\{\{/)
    }
  })

  it('install step: a tarball given as version is installed into RUNNER_TEMP and put on the PATH', {timeout: 120_000}, async () => {
    const dir = mkdtempSync(join(work, 'install-'))
    // --ignore-scripts: prepare would rebuild dist/ under the other tests' feet; npm test has just built it.
    const packed = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], {cwd: REPO, env: npmEnv()})
    const tarball = (JSON.parse(packed.stdout) as [{filename: string}])[0].filename
    const githubPath = join(dir, 'github-path')
    const env = npmEnv({RUNNER_TEMP: dir, GITHUB_PATH: githubPath, npm_config_prefer_offline: 'true', ...stepEnv(installStep(), {version: `./${tarball}`}, {action_path: REPO})})
    const {stdout} = await runBashStep(installStep(), dir, env)
    expect(stdout).toMatch(/^layer-audit\/\d+\.\d+\.\d+ /m)
    expect(readFileSync(githubPath, 'utf8').trim()).toBe(join(dir, 'layer-audit', 'bin'))
    expect(existsSync(join(dir, 'layer-audit', 'bin', 'layer-audit'))).toBe(true)
  })

  it('install step: refuses a bare name or version (layer-audit is not on the npm registry: it would install a stranger)', async () => {
    for (const version of ['1.2.3', 'v0.1.0', 'layer-audit', 'layer-audit@0.1.0']) {
      const dir = mkdtempSync(join(work, 'refuse-'))
      const env = npmEnv({RUNNER_TEMP: dir, GITHUB_PATH: join(dir, 'github-path'), ...stepEnv(installStep(), {version}, {action_path: REPO})})
      const failed = await runBashStep(installStep(), dir, env).then(
        () => ({code: 0, stdout: ''}),
        (error: {code: number; stdout: string}) => error,
      )
      expect(failed.code, version).toBe(2)
      expect(failed.stdout).toContain('not on the npm registry')
      expect(existsSync(join(dir, 'layer-audit')), version).toBe(false)
    }
  })

  it('run step: a pass is exit-code 0 with a valid SARIF file', async () => {
    const image = join(FIXTURES, 'images', 'function-image-good.docker.tar')
    const {outputs, dir} = await runStep('pass', {image, args: ZIP_FUNCTION})
    expect(outputs['exit-code']).toBe('0')
    expect(outputs['sarif-file']).toBe('layer-audit.sarif')
    const sarif = JSON.parse(readFileSync(join(dir, 'layer-audit.sarif'), 'utf8'))
    expect(validateSarif(sarif), JSON.stringify(validateSarif.errors)).toBe(true)
  })

  it('run step: findings are exit-code 1, the SARIF is still written (and uploaded before the gate fails)', async () => {
    const image = join(FIXTURES, 'images', 'function-image-broken.docker.tar')
    const {outputs, dir} = await runStep('fail', {image, args: ZIP_FUNCTION, 'fail-on': 'error', 'sarif-file': 'out.sarif'})
    expect(outputs['exit-code']).toBe('1')
    expect(outputs['sarif-file']).toBe('out.sarif')
    expect(JSON.parse(readFileSync(join(dir, 'out.sarif'), 'utf8')).runs[0].results.length).toBeGreaterThan(0)
    const gate = action.runs.steps.at(-1)!
    expect(gate.if).toBe("steps.run.outputs.exit-code != '0'")
  })

  it('run step: a usage error is exit-code 2 and no SARIF file to upload', async () => {
    const {outputs} = await runStep('usage', {image: join(FIXTURES, 'images', 'function-image-good.docker.tar')})
    expect(outputs['exit-code']).toBe('2')
    expect(outputs).not.toHaveProperty('sarif-file')
  })
})

describe('GitLab CI template', () => {
  const job = gitlab['.layer-audit']

  it('is a hidden job on the layer-audit image, with the entrypoint cleared for the job shell', () => {
    expect(job.image.name).toBe('$LAYER_AUDIT_CI_IMAGE')
    expect(job.image.entrypoint).toEqual([''])
    // The CLI reads LAYER_AUDIT_FAIL_ON, _FORMAT, _PLATFORM, _CONFIG: the job's own variables must not be one of them.
    for (const name of Object.keys(job.variables)) expect(name).toMatch(/^LAYER_AUDIT_CI_/)
  })

  it('keeps the JUnit report as a GitLab report and every report as an artifact, also when the job fails', () => {
    const written = [...job.script.join('\n').matchAll(/-o (\w+):(\S+)/g)].map(([, format, file]) => ({format, file}))
    expect(written.map((w) => w.format).sort()).toEqual(['junit', 'markdown', 'sarif'])
    expect(job.artifacts.when).toBe('always')
    expect(job.artifacts.reports.junit).toBe(written.find((w) => w.format === 'junit')!.file)
    expect([...job.artifacts.paths].sort()).toEqual(written.map((w) => w.file).sort())
  })

  it('script: run by sh, writes the three reports and fails the job on findings', async () => {
    const dir = mkdtempSync(join(work, 'gitlab-'))
    const env = {
      ...process.env,
      ...job.variables,
      PATH: pathWithCli(),
      NO_COLOR: '1',
      LAYER_AUDIT_CI_TARGET: join(FIXTURES, 'images', 'function-image-broken.docker.tar'),
      LAYER_AUDIT_CI_ARGS: ZIP_FUNCTION,
    }
    const script = `set -e\n${job.script.join('\n')}`
    const failed = await run('sh', ['-c', script], {cwd: dir, env}).then(
      () => undefined,
      (error: {code: number}) => error.code,
    )
    expect(failed).toBe(1)
    for (const file of job.artifacts.paths) expect(existsSync(join(dir, file)), file).toBe(true)
    expect(readFileSync(join(dir, job.artifacts.reports.junit), 'utf8')).toContain('<testsuites')
  })
})

describe('docs/ci.md', () => {
  const doc = readFileSync(join(REPO, 'docs', 'ci.md'), 'utf8')
  const blocks = [...doc.matchAll(/```ya?ml\n([\s\S]*?)```/g)].map(([, body]) => body)

  it('has YAML examples that parse', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(2)
    for (const block of blocks) expect(() => parse(block), block).not.toThrow()
  })

  it('uses the action only with inputs it has', () => {
    const steps = blocks
      .map((block) => parse(block) as {jobs?: Record<string, {steps?: ActionStep[]}>})
      .flatMap((workflow) => Object.values(workflow?.jobs ?? {}).flatMap((job) => job.steps ?? []))
      .filter((step) => /layer-audit/.test(step.uses ?? '') && !step.uses!.startsWith('actions/'))
    expect(steps.length).toBeGreaterThan(0)
    for (const step of steps) for (const input of Object.keys(step.with ?? {})) expect(action.inputs, input).toHaveProperty(input)
  })
})
