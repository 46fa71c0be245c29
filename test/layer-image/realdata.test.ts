/**
 * Real-world Lambda layer zips (the corpus's `lambda/`, MANIFEST.md §9) through `layer-image`: `umoci raw
 * unpack` of the result equals `unzip -o` of the zips in order, and `compare` of it against the same zips
 * is PASS with no finding at all.
 */
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, expect, it} from 'vitest'

import {runCli} from '../helpers/cli.js'
import {REALDATA_MISSING, realdata} from '../helpers/realdata.js'
import {describeUnless} from '../helpers/skip-reason.js'
import {cleanup, tempDir, unzipInOrder} from '../lambda/zips.js'
import {umociView} from './umoci-view.js'

/** The corpus's layer zips, each with the architecture its origin builds for (MANIFEST.md §9). */
const EXTENSION_ARM64 = 'lambda/garysassano-otlp-stdout-kinesis-extension-layer.zip' // an aarch64 extension binary
const NODE_TRACER = 'lambda/lumigo-node-tracer-layer.zip' // npm's 1985 mtimes, an exec wrapper at the top
const FONTCONFIG = 'lambda/xevolab-libfontconfig-layer.zip' // x86-64 libraries under an extra package/

const CASES: {name: string; zips: string[]; platform: string}[] = [
  {name: 'the arm64 extension layer', zips: [EXTENSION_ARM64], platform: 'linux/arm64'},
  {name: 'the Node.js tracer layer', zips: [NODE_TRACER], platform: 'linux/amd64'},
  {name: 'the native-library layer', zips: [FONTCONFIG], platform: 'linux/amd64'},
  {name: 'the tracer and native-library layers, in that order', zips: [NODE_TRACER, FONTCONFIG], platform: 'linux/amd64'},
]

let dir: string
beforeAll(() => {
  dir = tempDir('la-layer-image-realdata-')
})
afterAll(() => cleanup(dir))

describeUnless(REALDATA_MISSING, 'layer-image of real-world layer zips', () => {
  it.each(CASES.map((c, n) => [c.name, c, n] as const))('%s: umoci unpack equals unzip -o; compare PASS with no finding', async (_name, {zips, platform}, n) => {
    const paths = zips.map((zip) => realdata(zip))
    for (const path of paths) expect(existsSync(path), `${path} is in MANIFEST.md §9`).toBe(true)
    const layers = paths.flatMap((path) => ['--layer', path])
    const layout = join(dir, `case-${n}`)
    const made = await runCli(['layer-image', ...layers, '--platform', platform, '--output', `oci:${layout}:real`])
    expect(made.stderr).toBe('')
    expect(made.code).toBe(0)
    expect(umociView(layout, 'real', dir)).toEqual(unzipInOrder(paths, '/opt'))
    const compare = await runCli(['compare', `oci:${layout}:real`, ...layers])
    expect(compare.stdout).toContain('PASS: no findings')
    expect(compare.code).toBe(0)
  }, 30_000)
})
