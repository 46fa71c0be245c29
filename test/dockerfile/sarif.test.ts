/**
 * SARIF with --dockerfile: valid SARIF 2.1.0 (the OASIS schema), each placed result located on its
 * instruction's lines in the fixture's Dockerfile with the path inside the image kept as a logical
 * location; results that cannot be placed keep their location in the image.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import type {Report} from '../../src/audit/report.js'
import {runCompare, runLint, runScan} from '../../src/audit/run-audit.js'
import {dockerfileUri, renderSarif} from '../../src/report/sarif.js'
import {renderTable} from '../../src/report/table.js'
import {FIXTURES} from '../helpers/cli.js'
import {sarifValidator} from '../helpers/sarif.js'

const validate = sarifValidator()
const image = (name: string) => join(FIXTURES, 'images', name)
const dockerfilePath = (name: string) => join(FIXTURES, 'dockerfiles', name)

interface SarifResult {
  ruleId: string
  locations: {
    physicalLocation: {artifactLocation: {uri: string}; region?: {startLine: number; endLine: number}}
    logicalLocations?: {fullyQualifiedName: string; kind: string}[]
  }[]
}

function sarifOf(report: Report): {results: SarifResult[]; notifications: {level: string; message: {text: string}}[]} {
  const log = JSON.parse(renderSarif(report, {toolVersion: '0.0.0-test'}))
  expect(validate(log), JSON.stringify(validate.errors, null, 2)).toBe(true)
  return {results: log.runs[0].results, notifications: log.runs[0].invocations[0].toolExecutionNotifications}
}

/**
 * Where each result should be: on the Dockerfile line starting with the marker its rule (and path) maps to
 * (one of the markers, when a rule has several results), or in the image (undefined). Returns the lines.
 */
function expectPlaced(results: SarifResult[], dockerfile: string, expected: (result: SarifResult) => string | string[] | undefined): number[] {
  const lines = readFileSync(dockerfilePath(dockerfile), 'utf8').split('\n')
  const lineOf = (marker: string) => lines.findIndex((text) => text.startsWith(marker)) + 1
  expect(results.length).toBeGreaterThan(0)
  const placed: number[] = []
  for (const result of results) {
    const [location] = result.locations
    const markers = expected(result)
    if (markers === undefined) {
      expect(location!.physicalLocation.artifactLocation.uri, result.ruleId).toMatch(/^image:/)
      expect(location!.logicalLocations).toBeUndefined()
      continue
    }
    const candidates = [markers].flat().map(lineOf)
    expect(Math.min(...candidates), String(markers)).toBeGreaterThan(0)
    expect(location!.physicalLocation.artifactLocation.uri, result.ruleId).toBe(`fixtures/dockerfiles/${dockerfile}`)
    const {startLine, endLine} = location!.physicalLocation.region!
    expect(candidates, `${result.ruleId} on line ${startLine}, expected ${String(markers)}`).toContain(startLine)
    expect(endLine).toBeGreaterThanOrEqual(startLine)
    expect(location!.logicalLocations![0]!.fullyQualifiedName).toMatch(/^image:/)
    placed.push(startLine)
  }
  return placed
}

describe('SARIF with --dockerfile', () => {
  it('compare of the broken migration: /opt on the COPY --from line, missing files in the image', async () => {
    const report = await runCompare({
      image: image('function-image-broken.docker.tar'),
      function: {layers: [join(FIXTURES, 'zips', 'layer-log-shipper.zip')], functionZip: join(FIXTURES, 'zips', 'function-code.zip'), functionConfig: join(FIXTURES, 'functions', 'function-config.json')},
      dockerfile: dockerfilePath('function-image-broken.Dockerfile'),
    })
    const {results} = sarifOf(report)
    expectPlaced(results, 'function-image-broken.Dockerfile', (r) => (['missing-file', 'wrapper-missing'].includes(r.ruleId) ? undefined : 'COPY --from=layer'))
  })

  it('scan of the classic single-stage build: ARG, ENV and RUN lines', async () => {
    const report = await runScan({image: image('secrets-single-stage.docker.tar'), dockerfile: dockerfilePath('secrets-single-stage.Dockerfile')})
    const {results} = sarifOf(report)
    const byRule: Record<string, string[]> = {
      'credentials-file': ['RUN mkdir'],
      'secret-in-config': ['ENV '],
      'secret-build-arg': ['ARG AWS_ACCESS_KEY_ID', 'ARG AWS_SECRET_ACCESS_KEY'],
      'secret-in-history': ['ENV ', 'RUN aws lambda'],
    }
    const placed = expectPlaced(results, 'secrets-single-stage.Dockerfile', (r) => byRule[r.ruleId])
    // Each of a rule's markers holds one of its results.
    const lines = readFileSync(dockerfilePath('secrets-single-stage.Dockerfile'), 'utf8').split('\n')
    const wanted = Object.values(byRule).flat().map((marker) => lines.findIndex((text) => text.startsWith(marker)) + 1)
    expect([...placed].sort((a, b) => a - b)).toEqual([...wanted].sort((a, b) => a - b))
  })

  it('lint: a file of the base image on the FROM line of the final stage', async () => {
    const report = await runLint({
      image: image('function-image-good.docker.tar'),
      function: {environment: {AWS_LAMBDA_EXEC_WRAPPER: '/etc/os-release'}},
      dockerfile: dockerfilePath('function-image-good.Dockerfile'),
    })
    const {results} = sarifOf(report)
    expectPlaced(results, 'function-image-good.Dockerfile', () => 'FROM example.com/lambda-python-base')
  })

  it('a Dockerfile that does not match: locations in the image, the reason as a warning notification', async () => {
    const report = await runScan({image: image('secrets-single-stage.docker.tar'), dockerfile: dockerfilePath('secrets-doc-example.Dockerfile')})
    const {results, notifications} = sarifOf(report)
    expectPlaced(results, 'secrets-doc-example.Dockerfile', () => undefined)
    expect(notifications.filter((n) => n.level === 'warning').map((n) => n.message.text)).toEqual([expect.stringMatching(/^--dockerfile fixtures\/dockerfiles\/secrets-doc-example\.Dockerfile does not match the image: /)])
  })

  it('without --dockerfile: locations stay in the image', async () => {
    const {results} = sarifOf(await runScan({image: image('secrets-single-stage.docker.tar')}))
    for (const result of results) expect(result.locations[0]!.physicalLocation.artifactLocation.uri).toMatch(/^image:/)
  })

  it('the table names the line beside the layer', async () => {
    const report = await runScan({image: image('secrets-single-stage.docker.tar'), dockerfile: dockerfilePath('secrets-single-stage.Dockerfile')})
    expect(renderTable(report, {verbose: true})).toMatch(/image layer 2, secrets-single-stage\.Dockerfile:\d+/)
  })

  it('Dockerfile URIs: relative with "/", absolute as file: URIs, unsafe characters encoded', () => {
    expect(dockerfileUri('fixtures/dockerfiles/a.Dockerfile')).toBe('fixtures/dockerfiles/a.Dockerfile')
    expect(dockerfileUri('./Dockerfile')).toBe('Dockerfile')
    expect(dockerfileUri('svc\\api\\Dockerfile')).toBe('svc/api/Dockerfile')
    expect(dockerfileUri('/srv/app/Docker file#1')).toBe('file:///srv/app/Docker%20file%231')
    expect(dockerfileUri('C:\\src\\Dockerfile')).toBe('file:///C:/src/Dockerfile')
  })
})
