/** runCompare and runLint as a library caller uses them: no oclif, typed errors, the not-applicable list. */
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {compareImage} from '../../src/audit/compare.js'
import {NO_ZIP_SIDE, runCompare, runLint} from '../../src/audit/run-audit.js'
import {UsageError} from '../../src/errors.js'
import {openImage} from '../../src/image/open.js'
import {imageOnlyRules} from '../../src/rules/compare/all.js'
import {commandsRunning, getRule, rulesFor} from '../../src/rules/registry.js'
import {FIXTURES} from '../helpers/cli.js'

const image = (name: string) => join(FIXTURES, 'images', name)
const ZIP_SIDE_RULES = ['content-mismatch', 'extra-file', 'missing-file', 'mode-mismatch', 'symlink-target-mismatch', 'type-mismatch', 'zip-limits']

describe('runCompare needs the zip side', () => {
  it('rejects a compare without one, or with an empty input, as a UsageError', async () => {
    const broken = image('function-image-broken.docker.tar')
    for (const fn of [undefined, {layers: []}]) {
      const error = await runCompare({image: broken, function: fn}).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(UsageError)
      expect((error as UsageError).message).toBe(NO_ZIP_SIDE)
    }
    for (const [fn, flag] of [
      [{layers: [join(FIXTURES, 'zips', 'layer-log-shipper.zip'), ' ']}, '--layer'],
      [{layers: [], functionZip: ''}, '--function-zip'],
    ] as const) {
      const empty = await runCompare({image: broken, function: {...fn, layers: [...fn.layers]}}).catch((e: unknown) => e)
      expect(empty).toBeInstanceOf(UsageError)
      expect((empty as UsageError).message).toContain(`${flag} is empty`)
    }
  })
})

describe('runLint', () => {
  it('reports the image-only errors and the rules that could not run', async () => {
    const report = await runLint({image: image('function-image-broken.docker.tar')})
    expect(report.command).toBe('lint')
    expect(report.findings.map((f) => f.rule).sort()).toEqual([
      'extension-arch-mismatch',
      'extension-crlf-shebang',
      'extension-interpreter-missing',
      'extension-not-executable',
      'wrapper-missing',
    ])
    expect(report.notApplicable?.map((n) => n.rule)).toEqual(['handler-missing', 'handler-differs'])
    expect(report.summary.error).toBe(5)
    expect(report.function).toBeUndefined()
  })

  it("takes the function's settings as data: architecture, runtime, handler, environment", async () => {
    const report = await runLint({
      image: image('function-image-good.docker.tar'),
      function: {architectures: ['arm64'], runtime: 'python3.12', handler: 'gone.handler', command: ['gone.handler'], environment: {NODE_OPTIONS: '--require /opt/nodejs/tracer'}},
    })
    expect(report.findings.map((f) => f.rule).sort()).toEqual(['agent-path-missing', 'architecture-mismatch', 'extension-arch-mismatch', 'handler-differs', 'handler-missing'])
    expect(report.notApplicable).toEqual([])
    expect(report.function).toEqual({runtime: 'python3.12', handler: 'gone.handler', architectures: ['arm64'], layers: []})
  })
})

describe('compareImage without a zip side', () => {
  it('runs nothing that needs one, and says so', async () => {
    const opened = await openImage(image('function-image-good.docker.tar'))
    try {
      const result = await compareImage({image: opened})
      expect(result.findings).toEqual([])
      const zipSide = result.notApplicable.filter((n) => n.reason === 'no zip side to compare with').map((n) => n.rule)
      expect(zipSide.sort()).toEqual(ZIP_SIDE_RULES)
      expect(result.stats.expectedEntries).toBeUndefined()
    } finally {
      await opened.close()
    }
  })
})

describe('the rules each command runs', () => {
  it('lint runs the compare rules that need no zip side, and the scan rules', () => {
    const lint = rulesFor('lint').map((r) => r.id)
    for (const id of ZIP_SIDE_RULES) expect(lint).not.toContain(id)
    expect(lint).toEqual([...imageOnlyRules.map((r) => r.meta.id), ...rulesFor('scan').map((r) => r.id)])
    expect(commandsRunning(getRule('missing-file')!)).toEqual(['compare'])
    expect(commandsRunning(getRule('entrypoint-invalid')!)).toEqual(['compare', 'lint'])
    expect(commandsRunning(getRule('secret-in-layer')!)).toEqual(['scan', 'compare', 'lint'])
  })
})
