/**
 * `diff` on pairs of images built with real tools (umoci, skopeo, Python's tarfile; see pairs.ts):
 * the same image in two formats, a rebuild with new mtimes only, a mode-only and an owner-only change, a
 * file turned into a directory and a symlink retargeted, an opaque directory replacing a subtree, an added
 * layer, env and CMD changes. Each expected change list is checked exactly in JSON, and every change is
 * found in the table, Markdown, SARIF and JUnit.
 */
import {mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'

import {runCli} from '../helpers/cli.js'
import {sarifValidator} from '../helpers/sarif.js'
import {buildPairs, EXPECTED, PAIR_NAMES, type ExpectedFileChange, type ImagePair, type PairName} from './pairs.js'

const dir = mkdtempSync(join(tmpdir(), 'la-diff-pairs-'))
let pairs: Record<PairName, ImagePair>

beforeAll(async () => {
  pairs = await buildPairs(dir)
}, 120_000)

interface Change {
  path: string
  kind: string
  fields?: string[]
  entriesBelow?: number
}

/** pairs.ts lists a path inside a replaced directory on its own (`under`); the report folds it into that directory's change. */
function expectedChanges(files: readonly ExpectedFileChange[]): Change[] {
  return files
    .filter((f) => !f.under)
    .map((f) => {
      const below = files.filter((g) => g.under === f.path).length
      return {path: f.path, kind: f.kind, ...(f.fields ? {fields: f.fields} : {}), ...(below ? {entriesBelow: below} : {})}
    })
}

const shape = (c: Change): Change => ({path: c.path, kind: c.kind, ...(c.fields ? {fields: c.fields} : {}), ...(c.entriesBelow ? {entriesBelow: c.entriesBelow} : {})})

describe('diff of image pairs built with umoci, skopeo and Python tarfile', () => {
  for (const name of PAIR_NAMES) {
    it(`${name}: exactly the expected changes, in every format`, async () => {
      const {a, b} = pairs[name]
      const expected = EXPECTED[name]
      const sarifFile = join(dir, `${name}.sarif`)
      // Five runs at once: each reads both images, and their start-up overlaps.
      const [json, table, markdownRun, , junitRun] = await Promise.all([
        runCli(['diff', a, b, '--json']),
        runCli(['diff', a, b]),
        runCli(['diff', a, b, '--format', 'markdown']),
        runCli(['diff', a, b, '--output', sarifFile]),
        runCli(['diff', a, b, '--format', 'junit']),
      ])
      expect(json.stderr).toBe('')
      const report = JSON.parse(json.stdout)
      const changes = expectedChanges(expected.files)
      expect(report.files.map(shape)).toEqual(changes)
      expect([...new Set(report.config.map((c: {key: string}) => c.key))].sort()).toEqual([...expected.config].sort())
      expect(report.a.layers).toBe(expected.layersA)
      expect(report.b.layers).toBe(expected.layersB)
      expect(report.summary.layers.shared).toBe(expected.sharedLayers)
      const same = changes.length === 0 && expected.config.length === 0 && report.manifest.firstDivergingLayer === undefined
      expect(json.code).toBe(same ? 0 : 1)
      expect(report.summary.same).toBe(same)

      expect(table.code).toBe(json.code)
      const code = {added: 'A', removed: 'D', modified: 'M'} as Record<string, string>
      for (const change of changes) expect(table.stdout).toContain(`  ${code[change.kind]} ${change.path}`)
      for (const key of expected.config) expect(table.stdout).toMatch(new RegExp(`^  ${key}\\b`, 'm'))

      const markdown = markdownRun.stdout
      for (const change of changes) expect(markdown).toContain(`| ${code[change.kind]} | \`${change.path}\` |`)

      const sarif = JSON.parse(readFileSync(sarifFile, 'utf8'))
      const validate = sarifValidator()
      expect(validate(sarif), JSON.stringify(validate.errors)).toBe(true)
      const results = sarif.runs[0].results as {ruleId: string; locations: {physicalLocation: {artifactLocation: {uri: string}}}[]}[]
      expect(results.filter((r) => r.ruleId.startsWith('diff-file-')).map((r) => [r.ruleId, r.locations[0]!.physicalLocation.artifactLocation.uri])).toEqual(
        changes.map((c) => [`diff-file-${c.kind}`, `image://${c.path}`]),
      )
      expect(results.filter((r) => r.ruleId === 'diff-config-changed')).toHaveLength(report.config.length)

      const junit = junitRun.stdout
      if (changes.length) expect(junit).toContain(`<failure message="${changes.length} file difference${changes.length === 1 ? '' : 's'}">`)
      else expect(junit).toContain('<testcase classname="layer-audit.diff" name="files"/>')
    })
  }

  it('a rebuild with new mtimes only: changes without --ignore-timestamps, none with it or with --semantic', async () => {
    const {a, b} = pairs.mtimeOnly
    const timestamps = await runCli(['diff', a, b, '--ignore-timestamps', '--json'])
    expect(JSON.parse(timestamps.stdout).files).toEqual([])
    const semantic = await runCli(['diff', a, b, '--semantic'])
    expect(semantic.code).toBe(0)
    expect(semantic.stdout.trimEnd().split('\n').at(-1)).toMatch(/^SAME: no differences \(semantic/)
    // Without --semantic the layer stacks still differ (other bytes, other diff_ids): not the same.
    expect(timestamps.code).toBe(1)
  })

  it('env and CMD: names always, values only with --show-env', async () => {
    const {a, b} = pairs.envCmd
    const hidden = JSON.parse((await runCli(['diff', a, b, '--json'])).stdout)
    expect(hidden.config).toEqual([
      {key: 'cmd', kind: 'modified', a: '["python","/app/main.py"]', b: '["python","/app/main.py","--verbose"]'},
      {key: 'env', name: 'FOO', kind: 'added'},
    ])
    const shown = JSON.parse((await runCli(['diff', a, b, '--json', '--show-env'])).stdout)
    expect(shown.config[1]).toEqual({key: 'env', name: 'FOO', kind: 'added', b: 'bar'})
  })

  it('--layers: an opaque directory is a whiteout marker of layer 1; shared layers are identical and not compared', async () => {
    const {a, b} = pairs.opaqueReplace
    const report = JSON.parse((await runCli(['diff', a, b, '--layers', '--json'])).stdout)
    expect(report.files).toEqual([])
    expect(report.layers.map((l: {index: number; identical: boolean}) => [l.index, l.identical])).toEqual([[0, true], [1, false]])
    expect(report.layers[1].changes.map((c: Change & {b?: {type: string}}) => [c.kind, c.path, c.b?.type])).toEqual([
      ['added', '/opt', 'directory'],
      ['added', '/opt/sub/.wh..wh..opq', 'whiteout'],
    ])
    expect(report.layers[1].changes[0].entriesBelow).toBe(2) // /opt/sub and /opt/sub/new
    // --path and --ignore leave out whiteout markers too, as they do files.
    for (const scope of [['--path', '/app'], ['--ignore', '/opt/**']]) {
      const scoped = JSON.parse((await runCli(['diff', a, b, '--layers', '--json', ...scope])).stdout)
      expect(scoped.layers[1].changes, scope.join(' ')).toEqual([])
    }
  })
})
