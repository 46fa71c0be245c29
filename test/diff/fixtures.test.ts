/**
 * `diff` on the fixtures' images: the same image in two formats is the same; the good migration against
 * the broken one gives exactly the changes the broken fixture was built with, in every format.
 */
import {mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {FIXTURES, runCli} from '../helpers/cli.js'
import {sarifValidator} from '../helpers/sarif.js'

const image = (name: string) => join(FIXTURES, 'images', name)
const GOOD = image('function-image-good.docker.tar')
const BROKEN = image('function-image-broken.docker.tar')
const tmp = mkdtempSync(join(tmpdir(), 'la-diff-'))

/** The broken migration fixture, as fixtures/specs describe it, seen from the good one. */
const GOOD_TO_BROKEN = [
  {path: '/opt/extensions/healthcheck', kind: 'modified', fields: ['size']},
  {path: '/opt/extensions/log-shipper', kind: 'modified', fields: ['mode']},
  {path: '/opt/extensions/otel-collector', kind: 'modified', fields: ['size']},
  {path: '/opt/log-shipper/extension.py', kind: 'modified', fields: ['content']},
  {path: '/opt/python/lib/python3.12/site-packages/shipper/batch.py', kind: 'removed'},
  {path: '/opt/wrapper', kind: 'removed'},
  {path: '/usr/bin/sh', kind: 'removed'},
  {path: '/var/lang', kind: 'removed', entriesBelow: 6},
  {path: '/var/runtime/awslambdaric', kind: 'removed', entriesBelow: 1},
  {path: '/var/runtime/bootstrap', kind: 'modified', fields: ['size']},
]

describe('diff of the fixture images', () => {
  it('the same image as docker-archive and as OCI archive is the same: exit 0, no change', async () => {
    const result = await runCli(['diff', GOOD, `oci-archive:${image('function-image-good.oci.tar')}`, '--json'])
    expect(result.code).toBe(0)
    const report = JSON.parse(result.stdout)
    expect(report.summary.same).toBe(true)
    expect(report.files).toEqual([])
    expect(report.config).toEqual([])
    expect(report.summary.layers).toEqual({onlyA: 0, onlyB: 0, shared: 4})
    expect(report.manifest.mediaType).toEqual({a: 'application/vnd.docker.distribution.manifest.v2+json', b: 'application/vnd.oci.image.manifest.v1+json'})
    const table = await runCli(['diff', GOOD, image('function-image-good.oci.tar')])
    expect(table.stdout.trimEnd().split('\n').at(-1)).toBe('SAME: no differences')
  })

  it('good → broken migration: exactly the changes the broken fixture was built with (JSON)', async () => {
    const result = await runCli(['diff', GOOD, BROKEN, '--json'])
    expect(result.code).toBe(1)
    const report = JSON.parse(result.stdout)
    expect(report.files.map((c: {path: string; kind: string; fields?: string[]; entriesBelow?: number}) => ({
      path: c.path,
      kind: c.kind,
      ...(c.fields ? {fields: c.fields} : {}),
      ...(c.entriesBelow ? {entriesBelow: c.entriesBelow} : {}),
    }))).toEqual(GOOD_TO_BROKEN)
    expect(report.summary.files).toEqual({added: 0, removed: 5, modified: 5})
    // A removed directory's files count in the bytes removed (the tree of A says how many bytes it held).
    const lang = JSON.parse((await runCli(['tree', GOOD, '--json', '--path', '/var/lang'])).stdout).entries as {type: string; size: number}[]
    const langBytes = lang.filter((e) => e.type === 'file').reduce((sum, e) => sum + e.size, 0)
    expect(langBytes).toBeGreaterThan(0)
    expect(report.files.find((c: {path: string}) => c.path === '/var/lang').bytesBelow).toBe(langBytes)
    expect(report.summary.bytesRemoved).toBeGreaterThan(langBytes)
    expect(report.summary.lambda).toMatchObject({opt: true, extensions: true, task: false, entrypoint: false, handler: false})
    const mode = report.files.find((c: {path: string}) => c.path === '/opt/extensions/log-shipper')
    expect(mode.a).toMatchObject({type: 'file', mode: 0o755, layer: 2, createdBy: 'COPY /opt/ /opt/ # buildkit'})
    expect(mode.b).toMatchObject({type: 'file', mode: 0o644, layer: 2})
    expect(mode.a.sha256).toBeUndefined() // only with --content
  })

  it('--content shows the sha256 of both copies of a changed file; --verbose lists what a removed directory held', async () => {
    const report = JSON.parse((await runCli(['diff', GOOD, BROKEN, '--json', '--content', '--verbose'])).stdout)
    const content = report.files.find((c: {path: string}) => c.path === '/opt/log-shipper/extension.py')
    expect(content.a.sha256).toMatch(/^[0-9a-f]{64}$/)
    expect(content.b.sha256).toMatch(/^[0-9a-f]{64}$/)
    expect(content.a.sha256).not.toBe(content.b.sha256)
    const lang = report.files.find((c: {path: string}) => c.path === '/var/lang')
    expect(lang.paths).toHaveLength(6)
    expect(lang.paths.every((p: string) => p.startsWith('/var/lang/'))).toBe(true)
  })

  it('--path, --ignore and --fail-on never', async () => {
    const opt = JSON.parse((await runCli(['diff', GOOD, BROKEN, '--json', '--path', '/opt/extensions'])).stdout)
    expect(opt.files.map((c: {path: string}) => c.path)).toEqual(['/opt/extensions/healthcheck', '/opt/extensions/log-shipper', '/opt/extensions/otel-collector'])
    const ignored = JSON.parse((await runCli(['diff', GOOD, BROKEN, '--json', '--ignore', '/var/**', '--ignore', '/opt/extensions/*'])).stdout)
    expect(ignored.files.some((c: {path: string}) => c.path.startsWith('/var/') || c.path.startsWith('/opt/extensions/'))).toBe(false)
    expect(ignored.files.length).toBe(4)
    const never = await runCli(['diff', GOOD, BROKEN, '--fail-on', 'never'])
    expect(never.code).toBe(0)
    expect(never.stdout.trimEnd().split('\n').at(-1)).toBe('DIFFERENT: 10 file changes')
  })

  it('table, markdown, SARIF and JUnit say the same changes', async () => {
    const table = await runCli(['diff', GOOD, BROKEN])
    expect(table.code).toBe(1)
    for (const change of GOOD_TO_BROKEN) expect(table.stdout).toContain(` ${change.kind === 'removed' ? 'D' : 'M'} ${change.path}`)
    expect(table.stdout).toContain('mode 0755 → 0644')
    expect(table.stdout).toContain('directory, 6 entries below')
    // Lines fit 80 columns, except a path or reference that is longer by itself (never cut).
    for (const line of table.stdout.split('\n')) if (!line.includes(FIXTURES)) expect(line.length, line).toBeLessThanOrEqual(80)

    const markdown = (await runCli(['diff', GOOD, BROKEN, '--format', 'markdown'])).stdout
    expect(markdown.split('\n')[0]).toBe('### layer-audit diff: DIFFERENT: 10 file changes')
    for (const change of GOOD_TO_BROKEN) expect(markdown).toContain(`\`${change.path}\``)

    const sarifFile = join(tmp, 'diff.sarif')
    const sarifRun = await runCli(['diff', GOOD, BROKEN, '-o', sarifFile])
    expect(sarifRun.code).toBe(1)
    const sarif = JSON.parse(readFileSync(sarifFile, 'utf8'))
    const validate = sarifValidator()
    expect(validate(sarif), JSON.stringify(validate.errors)).toBe(true)
    const results = sarif.runs[0].results as {ruleId: string; locations: {physicalLocation: {artifactLocation: {uri: string}}}[]}[]
    expect(results.map((r) => [r.ruleId, r.locations[0]!.physicalLocation.artifactLocation.uri])).toEqual(
      GOOD_TO_BROKEN.map((c) => [`diff-file-${c.kind}`, `image://${c.path}`]),
    )

    const junit = (await runCli(['diff', GOOD, BROKEN, '--format', 'junit'])).stdout
    expect(junit).toContain('<testcase classname="layer-audit.diff" name="files">')
    expect(junit).toContain('<failure message="10 file differences">')
    expect(junit).toContain('<testcase classname="layer-audit.diff" name="config"/>')
  })

  it('bad input is one line, exit 2, naming the input; nothing on stdout', async () => {
    const missing = await runCli(['diff', GOOD, join(tmp, 'nope.tar')])
    expect(missing.code).toBe(2)
    expect(missing.stdout).toBe('')
    expect(missing.stderr.trim().split('\n')).toHaveLength(1)
    expect(missing.stderr).toContain('nope.tar')
    const one = await runCli(['diff', GOOD])
    expect(one.code).toBe(2)
  })
})

describe('diff: content of a path written by a shared layer on one side and a new layer on the other', () => {
  it('a same-size rewrite in a layer of its own is a content change (GNU tar layers; the base layer is one blob in both)', async () => {
    const {OciLayoutBuilder, tempDir} = await import('../image/helpers.js')
    const {gnuTar} = await import('../fs/helpers.js')
    const {mkdirSync, writeFileSync} = await import('node:fs')
    const work = tempDir()
    try {
      const src = (name: string, text: string) => {
        const root = join(work.path, name)
        mkdirSync(join(root, 'etc'), {recursive: true})
        writeFileSync(join(root, 'etc', 'motd'), text)
        return gnuTar(root, ['etc'], ['--mtime=@0', '--owner=0', '--group=0'])
      }
      const base = src('base', 'hello\n')
      const rewrite = src('rewrite', 'HELLO\n') // same size, other bytes
      const a = new OciLayoutBuilder(join(work.path, 'a'))
      a.writeIndex([a.image({layers: [{tar: base}]})])
      const b = new OciLayoutBuilder(join(work.path, 'b'))
      b.writeIndex([b.image({layers: [{tar: base}, {tar: rewrite}]})])
      const report = JSON.parse((await runCli(['diff', join(work.path, 'a'), join(work.path, 'b'), '--json', '--content'])).stdout)
      expect(report.files.map((c: {path: string; fields?: string[]}) => [c.path, c.fields])).toEqual([['/etc/motd', ['content']]])
      expect(report.files[0].a.layer).toBe(0)
      expect(report.files[0].b.layer).toBe(1)
      expect(report.files[0].a.sha256).not.toBe(report.files[0].b.sha256)
    } finally {
      work.cleanup()
    }
  })
})
