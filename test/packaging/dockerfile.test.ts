/**
 * The Dockerfile, checked without a daemon: its final stage is node:20, unprivileged, enters at
 * layer-audit and holds only what `npm pack` ships plus production dependencies; its build stage copies
 * every source of that package from a context that .dockerignore admits.
 */
import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {REPO} from '../helpers/cli.js'
import {copyParts, inContext, parseDockerfile, type Stage} from './dockerfile.js'
import {packedFiles} from './packed.js'

const stages = parseDockerfile(readFileSync(join(REPO, 'Dockerfile'), 'utf8'))
const dockerignore = readFileSync(join(REPO, '.dockerignore'), 'utf8')
const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {bin: Record<string, string>}
const final = stages.at(-1)!

function all(stage: Stage, keyword: string): string[] {
  return stage.instructions.filter((instruction) => instruction.keyword === keyword).map((instruction) => instruction.args)
}

/** The final stage's one COPY: the build stage's directory and where it lands. */
function finalCopy() {
  const copies = all(final, 'COPY').map(copyParts)
  expect(copies, 'the final stage copies one directory from the build stage').toHaveLength(1)
  const [copy] = copies
  const build = stages.find((stage) => stage.name === copy.options.from)
  expect(build, `a stage named ${copy.options.from}`).toBeDefined()
  return {build: build!, source: copy.sources[0], destination: copy.destination}
}

describe('Dockerfile', () => {
  it('has a build stage and a final stage on node:20', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2)
    expect(final.from).toMatch(/^node:20([-.@]|$)/)
    expect(final.name).toBeUndefined()
  })

  it('runs as a user that is not root, in a WORKDIR for mounted inputs, entering at layer-audit', () => {
    const users = all(final, 'USER')
    expect(users.length).toBeGreaterThan(0)
    for (const user of users) expect(user.split(':')[0]).not.toMatch(/^(root|0)$/)
    expect(all(final, 'WORKDIR').at(-1)).toMatch(/^\/\w+/)
    const entrypoints = all(final, 'ENTRYPOINT')
    expect(entrypoints).toHaveLength(1)
    const entrypoint = JSON.parse(entrypoints[0]) as string[] // exec form: signals reach node, no shell
    expect(entrypoint[0]).toMatch(/^layer-audit$|\/bin\/run\.js$/)
  })

  it('has an ENTRYPOINT that resolves to the bin npm packs, executable', () => {
    const {destination} = finalCopy()
    const entrypoint = (JSON.parse(all(final, 'ENTRYPOINT')[0]) as string[])[0]
    let target = entrypoint
    if (entrypoint === 'layer-audit') {
      const link = all(final, 'RUN')
        .map((run) => /\bln -s (\S+) (\/usr\/(?:local\/)?bin\/layer-audit)\b/.exec(run))
        .find(Boolean)
      expect(link, 'a RUN links layer-audit onto the PATH').toBeTruthy()
      target = link![1]
    }
    expect(target.startsWith(`${destination.replace(/\/$/, '')}/`), `${target} is under ${destination}`).toBe(true)
    const inPackage = target.slice(destination.replace(/\/$/, '').length + 1)
    expect(inPackage).toBe(pkg.bin['layer-audit'].replace(/^\.\//, ''))
    const packed = packedFiles().find((file) => file.path === inPackage)
    expect(packed, `${inPackage} is packed`).toBeDefined()
    expect(packed!.mode & 0o111).not.toBe(0)
  })

  it('copies into the final stage only the unpacked npm pack with production dependencies (no dev dependency, no install there)', () => {
    expect(all(final, 'ADD')).toEqual([])
    for (const run of all(final, 'RUN')) expect(run).not.toMatch(/\b(npm|yarn|pnpm)\s+(ci|install|i|add)\b|apt-get|apk add/)
    const {build, source} = finalCopy()
    const fills = all(build, 'RUN').filter((run) => run.includes(source))
    expect(fills, `the build stage RUN that fills ${source}`).toHaveLength(1)
    const steps = fills[0].split(/\s*&&\s*/)
    expect(steps.some((step) => /^npm pack\b/.test(step))).toBe(true)
    expect(steps.some((step) => new RegExp(`^tar -x\\S* .*-C ${source}\\b`).test(step))).toBe(true)
    const installs = steps.filter((step) => /^npm (ci|install)\b/.test(step))
    expect(installs.length).toBeGreaterThan(0)
    for (const install of installs) expect(install).toMatch(/--omit=dev\b/)
    // Only the lockfile joins the unpacked package (npm ci --omit=dev needs it).
    const extras = steps.filter((step) => /^(cp|mv|ln)\b/.test(step))
    for (const extra of extras) expect(extra).toMatch(new RegExp(`^cp package-lock\\.json ${source}/?$`))
  })

  it('copies, in the build stage, every source of what npm packs, from the build context .dockerignore admits', () => {
    const {build} = finalCopy()
    const copied = all(build, 'COPY')
      .map(copyParts)
      .filter((copy) => !copy.options.from)
      .flatMap((copy) => copy.sources)
    for (const source of copied) {
      expect(existsSync(join(REPO, source)), `${source} exists`).toBe(true)
      expect(inContext(dockerignore, source) && inContext(dockerignore, `${source}/any`), `${source} is in the context`).toBe(true)
    }
    // Built in the stage: dist/ and the oclif manifest. Everything else npm packs must have been copied in.
    const generated = new Set(['dist', 'oclif.manifest.json'])
    const needed = new Set(packedFiles().map((file) => file.path.split('/')[0]).filter((top) => !generated.has(top)))
    for (const top of [...needed, 'package-lock.json', 'tsconfig.json', 'src', 'bin']) expect(copied, `the build stage copies ${top}`).toContain(top)
  })

  it('.dockerignore keeps local builds, dependencies, tests and history out of the context', () => {
    for (const path of ['node_modules/x', 'dist/index.js', 'test/x.test.ts', 'fixtures/images/x.tar', '.git/HEAD', '.ci/run', 'coverage/x']) {
      expect(inContext(dockerignore, path), path).toBe(false)
    }
  })
})
