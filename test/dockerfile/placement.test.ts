/**
 * --dockerfile through the library (runScan, runLint, runCompare): each finding on the line of the
 * instruction that made its layer, or the history entry its evidence names; a Dockerfile that does not
 * match places nothing it cannot and says so in one warning; a missing one fails before the image is read.
 */
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import {loadDockerfile, placeFindings} from '../../src/audit/dockerfile-locations.js'
import {runCompare, runLint, runScan} from '../../src/audit/run-audit.js'
import {parseDockerfile} from '../../src/dockerfile/parse.js'
import type {Image} from '../../src/image/model.js'
import type {Finding} from '../../src/rules/types.js'
import {FIXTURES} from '../helpers/cli.js'

const image = (name: string) => join(FIXTURES, 'images', name)
const dockerfile = (name: string) => join(FIXTURES, 'dockerfiles', name)
/** The 1-based line of the Dockerfile that starts with `start`. */
const lineOf = (name: string, start: string) => {
  const index = readFileSync(dockerfile(name), 'utf8').split('\n').findIndex((line) => line.startsWith(start))
  if (index < 0) throw new Error(`${name} has no line starting with ${start}`)
  return index + 1
}
const placed = (findings: Finding[]) => findings.map((f) => [f.rule, f.instruction?.line])

const scratch = mkdtempSync(join(tmpdir(), 'layer-audit-dockerfile-'))
afterAll(() => rmSync(scratch, {recursive: true, force: true}))

describe('findings placed on the Dockerfile', () => {
  it('scan, classic builder: the credentials file on the RUN that wrote it, ENV and ARG findings on theirs', async () => {
    const name = 'secrets-single-stage.Dockerfile'
    const report = await runScan({image: image('secrets-single-stage.docker.tar'), dockerfile: dockerfile(name)})
    const at = (start: string) => lineOf(name, start)
    expect(placed(report.findings).sort()).toEqual(
      [
        ['credentials-file', at('RUN mkdir -p /root/.aws')],
        ['secret-build-arg', at('ARG AWS_ACCESS_KEY_ID')],
        ['secret-build-arg', at('ARG AWS_SECRET_ACCESS_KEY')],
        ['secret-in-config', at('ENV AWS_DEFAULT_REGION')],
        // The access key id first appears in the first RUN's build args, the secret key in the ENV.
        ['secret-in-history', at('ENV AWS_DEFAULT_REGION')],
        ['secret-in-history', at('RUN aws lambda')],
      ].sort(),
    )
    expect(report.warnings).toBeUndefined()
    const ref = report.findings.find((f) => f.rule === 'credentials-file')!.instruction!
    expect(ref).toMatchObject({file: 'fixtures/dockerfiles/secrets-single-stage.Dockerfile', stage: '0'})
    expect(ref.text).toMatch(/^RUN mkdir -p \/root\/\.aws && printf/)
    expect(ref.text.length).toBeLessThanOrEqual(120)
  })

  it('scan, BuildKit: the ARG, ENV and RUN of the stage', async () => {
    const name = 'secrets-doc-example.Dockerfile'
    const report = await runScan({image: image('secrets-doc-example.docker.tar'), dockerfile: dockerfile(name)})
    const at = (start: string) => lineOf(name, start)
    const lines = new Map(report.findings.map((f) => [`${f.rule} ${f.path ?? f.evidence?.key ?? f.evidence?.name ?? f.evidence?.pattern}`, f.instruction?.line]))
    expect(lines.get('credentials-file /root/.aws/credentials')).toBe(at('RUN aws configure'))
    expect(lines.get('secret-in-config AWS_ACCESS_KEY_ID')).toBe(at('ENV AWS_ACCESS_KEY_ID'))
    expect(lines.get('secret-build-arg AWS_SECRET_ACCESS_KEY')).toBe(at('ARG AWS_SECRET_ACCESS_KEY'))
    expect(report.findings.every((f) => f.instruction)).toBe(true)
  })

  it('compare: what the layer stage brought on its COPY --from; a file that is missing has no layer and no line', async () => {
    const name = 'function-image-broken.Dockerfile'
    const report = await runCompare({
      image: image('function-image-broken.docker.tar'),
      function: {layers: [join(FIXTURES, 'zips', 'layer-log-shipper.zip')], functionZip: join(FIXTURES, 'zips', 'function-code.zip'), functionConfig: join(FIXTURES, 'functions', 'function-config.json')},
      dockerfile: dockerfile(name),
    })
    const copy = lineOf(name, 'COPY --from=layer')
    for (const finding of report.findings) {
      if (finding.path?.startsWith('/opt/') && finding.layer !== undefined) expect(finding.instruction?.line, finding.rule).toBe(copy)
      if (finding.layer === undefined && !finding.evidence?.history) expect(finding.instruction, finding.rule).toBeUndefined()
    }
    expect(report.findings.filter((f) => f.instruction).length).toBeGreaterThanOrEqual(4)
    expect(report.warnings).toBeUndefined()
  })

  it('a Dockerfile that does not match: nothing it cannot place, one warning, the audit as without it', async () => {
    const without = await runLint({image: image('function-image-good.docker.tar')})
    const report = await runLint({image: image('function-image-good.docker.tar'), dockerfile: dockerfile('layer-image.Dockerfile')})
    expect(report.findings.every((f) => !f.instruction)).toBe(true)
    expect(report.summary).toEqual(without.summary)
    expect(report.warnings).toHaveLength(1)
    expect(report.warnings![0]).toMatch(/^--dockerfile fixtures\/dockerfiles\/layer-image\.Dockerfile does not match the image: line \d+ \(LABEL\) does not match history entry 9 \(a CMD\)/)
  })

  it('a history whose layer entries do not add up to the layers: nothing placed, never guessed', () => {
    const history = [{created_by: 'COPY a /a # buildkit'}, {created_by: 'COPY b /b # buildkit'}]
    const fake = {config: {history}, layers: [{index: 0}, {index: 1}, {index: 2}]} as unknown as Image
    const loaded = {file: 'Dockerfile', dockerfile: parseDockerfile('FROM scratch\nCOPY a /a\nCOPY b /b\n')}
    const findings: Finding[] = [{rule: 'extra-file', severity: 'note', message: 'x', path: '/a', layer: 0}]
    const result = placeFindings(findings, fake, loaded)
    expect(result.findings[0]!.instruction).toBeUndefined()
    expect(result.warning).toBe('--dockerfile Dockerfile does not match the image: the image history has 2 entries that made a layer for 3 layers, so none can be told apart: nothing placed; 0 of 1 findings placed on a line')
  })

  it('redacts values of secret-named variables in the instruction text', () => {
    const history = [{created_by: 'ENV API_TOKEN=tok_3f9a8b7c6d5e4f3a2b1c DEBUG=1', empty_layer: true}, {created_by: 'COPY a /a # buildkit'}]
    const fake = {config: {history}, layers: [{index: 0}]} as unknown as Image
    const loaded = {file: 'Dockerfile', dockerfile: parseDockerfile('FROM scratch\nENV API_TOKEN=tok_3f9a8b7c6d5e4f3a2b1c DEBUG=1\nCOPY a /a\n')}
    const findings: Finding[] = [{rule: 'secret-in-history', severity: 'error', message: 'x', evidence: {history: [0]}}]
    const ref = placeFindings(findings, fake, loaded).findings[0]!.instruction!
    expect(ref).toMatchObject({file: 'Dockerfile', line: 2, endLine: 2, stage: '0'})
    expect(ref.text).toBe('ENV API_TOKEN=tok_…1c DEBUG=1')
  })
})

describe('loadDockerfile', () => {
  it('names the file relative to the working directory when it is inside it, else as given', async () => {
    const inside = join(scratch, 'svc', 'Dockerfile')
    rmSync(join(scratch, 'svc'), {recursive: true, force: true})
    await import('node:fs').then((fs) => fs.mkdirSync(join(scratch, 'svc')))
    writeFileSync(inside, 'FROM scratch\n')
    expect((await loadDockerfile(inside, scratch)).file).toBe('svc/Dockerfile')
    expect((await loadDockerfile('./svc/Dockerfile', scratch)).file).toBe('svc/Dockerfile')
    expect((await loadDockerfile(inside, join(scratch, 'elsewhere'))).file).toBe(inside)
  })

  it('a missing, unreadable or empty --dockerfile is an input error, raised before the image is opened', async () => {
    await expect(loadDockerfile(join(scratch, 'nope'))).rejects.toMatchObject({code: 'NOT_FOUND', line: `${join(scratch, 'nope')}: Dockerfile not found`})
    await expect(loadDockerfile(scratch)).rejects.toMatchObject({code: 'NOT_FOUND', message: 'is a directory, not a Dockerfile'})
    await expect(loadDockerfile('  ')).rejects.toMatchObject({code: 'USAGE', message: expect.stringContaining('--dockerfile is empty')})
    // The image does not exist either: the Dockerfile is what is named, so it was read first.
    await expect(runScan({image: join(scratch, 'no-image.tar'), dockerfile: join(scratch, 'nope')})).rejects.toMatchObject({input: join(scratch, 'nope')})
  })
})
