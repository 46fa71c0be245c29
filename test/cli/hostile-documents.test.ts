/**
 * JSON documents of the wrong shape — a created_by that is an object, an Env holding a number, a field
 * nested 10,000 deep — give one line naming the document and the field, exit 2, nothing on stdout, for
 * every command that opens an image. Never an internal error, a stack overflow or half a report.
 */
import {execFileSync} from 'node:child_process'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {packTar} from '../fs/helpers.js'
import {runCli} from '../helpers/cli.js'
import {OciLayoutBuilder, sha256, tempDir} from '../image/helpers.js'

const MT = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar',
}

const dirs: Array<{cleanup: () => void}> = []
afterAll(() => dirs.forEach((d) => d.cleanup()))

/** Stands for a value nested 10,000 arrays deep (JSON.stringify would overflow building it): put in by `deep`. */
const DEEP = '__nested 10,000 deep__'
const deep = (json: string) => json.replaceAll(JSON.stringify(DEEP), `${'['.repeat(10_000)}"x"${']'.repeat(10_000)}`)

/** An OCI layout of one image whose config is `edit(config)` and whose index is `editIndex(index)`. */
async function layoutWith(edit: (config: Record<string, unknown>) => unknown, editIndex = (index: Record<string, unknown>) => index): Promise<string> {
  const dir = tempDir()
  dirs.push(dir)
  const layout = new OciLayoutBuilder(dir.path)
  const tar = await packTar([{name: 'var/task/app.py', content: 'def handler(e, c): return 1\n'}])
  const layer = layout.blob(tar, MT.layer)
  const config = {
    architecture: 'amd64',
    os: 'linux',
    config: {Env: ['PATH=/usr/bin'], Cmd: ['app.handler']},
    rootfs: {type: 'layers', diff_ids: [sha256(tar)]},
    history: [{created_by: 'COPY app.py /var/task/'}],
  }
  const configDescriptor = layout.blob(deep(JSON.stringify(edit(config))), MT.config)
  const manifest = layout.json({schemaVersion: 2, mediaType: MT.manifest, config: configDescriptor, layers: [layer]}, MT.manifest)
  writeFileSync(join(dir.path, 'index.json'), deep(JSON.stringify(editIndex({schemaVersion: 2, mediaType: MT.index, manifests: [manifest]}))))
  return dir.path
}

const cases: Array<[string, () => Promise<string>, RegExp]> = [
  [
    'history[0].created_by is an object',
    () => layoutWith((c) => ({...c, history: [{created_by: {sh: 'echo'}}]})),
    /config: history\[0\]\.created_by is an object, not a string/,
  ],
  ['config.Env is a number', () => layoutWith((c) => ({...c, config: {Env: 7}})), /config: config\.Env is a number, not an array/],
  [
    'config.Env holds a number',
    () => layoutWith((c) => ({...c, config: {Env: ['A=1', 2]}})),
    /config: config\.Env\[1\] is a number, not a string/,
  ],
  [
    'rootfs.diff_ids[0] nested 10,000 deep',
    () => layoutWith((c) => ({...c, rootfs: {type: 'layers', diff_ids: [DEEP]}})),
    /config nests deeper than 64 levels/,
  ],
  ['created nested 10,000 deep', () => layoutWith((c) => ({...c, created: DEEP})), /config nests deeper than 64 levels/],
  [
    "an index's ref.name annotation nested 10,000 deep",
    () =>
      layoutWith(
        (c) => c,
        (index) => ({
          ...index,
          manifests: (index.manifests as Array<Record<string, unknown>>).map((m) => ({
            ...m,
            annotations: {'org.opencontainers.image.ref.name': DEEP},
          })),
        }),
      ),
    /index\.json nests deeper than 64 levels/,
  ],
  [
    'a label value that is a number',
    () => layoutWith((c) => ({...c, config: {Labels: {team: 42}}})),
    /config: config\.Labels\["team"\] is a number, not a string/,
  ],
]

describe('hostile JSON documents', () => {
  for (const [name, make, message] of cases) {
    it(`${name}: one line naming the field, exit 2, for tree, inspect and scan`, async () => {
      const path = await make()
      for (const command of ['tree', 'inspect', 'scan']) {
        const result = await runCli([command, path, '--json'])
        expect(result.code, `${command}: ${result.stderr}`).toBe(2)
        expect(result.stdout, command).toBe('')
        const lines = result.stderr.trimEnd().split('\n')
        expect(lines, command).toHaveLength(1)
        expect(lines[0], command).toMatch(message)
        expect(lines[0], command).not.toMatch(/internal error|Maximum call stack|RangeError|TypeError/)
      }
    })
  }

  it('a layer descriptor without a digest is named as such (not "invalid digest undefined")', async () => {
    const dir = tempDir()
    dirs.push(dir)
    const layout = new OciLayoutBuilder(dir.path)
    const tar = await packTar([{name: 'a', content: 'x'}])
    const config = layout.json({architecture: 'amd64', os: 'linux', rootfs: {type: 'layers', diff_ids: [sha256(tar)]}}, MT.config)
    const manifest = layout.json({schemaVersion: 2, mediaType: MT.manifest, config, layers: [{mediaType: MT.layer, size: tar.length}]}, MT.manifest)
    layout.writeIndex([manifest])
    const result = await runCli(['tree', dir.path])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/manifest layer 0 has no digest\n$/)
  })

  it("a docker-archive whose first member has a PAX size record 'abc' is one clear line", async () => {
    const dir = tempDir()
    dirs.push(dir)
    const archive = join(dir.path, 'bad.tar')
    const tar = execFileSync('python3', [
      '-c',
      [
        'import io, sys, tarfile',
        'out = io.BytesIO(); t = tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT)',
        'i = tarfile.TarInfo("manifest.json"); i.size = 2; i.pax_headers = {"size": "abc"}',
        't.addfile(i, io.BytesIO(b"[]")); t.close(); sys.stdout.buffer.write(out.getvalue())',
      ].join('\n'),
    ])
    writeFileSync(archive, tar)
    const result = await runCli(['tree', archive])
    expect(result.code).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1)
    expect(result.stderr).not.toMatch(/internal error/)
  })
})
