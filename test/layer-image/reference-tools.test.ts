/**
 * skopeo and umoci, the reference tools, accept every form `layer-image` writes: `skopeo copy` of
 * oci:DIR:TAG, oci-archive:FILE and docker-archive:FILE to `oci:` and `dir:` succeeds and reads back
 * (manifest and config digests kept where skopeo keeps them, diff_ids always), and `umoci unpack
 * --rootless` of every copy gives what `unzip -o` makes of the zips, in order.
 */
import {execFileSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'

import {runCli} from '../helpers/cli.js'
import {cleanup, infoZip, listTree, tempDir, unzipInOrder} from '../lambda/zips.js'
import {umociView} from './umoci-view.js'

let dir: string
let zips: string[]
/** The three outputs of the same zips: what each output form's digest printed, and skopeo's name for it. */
const outputs: {form: string; reference: string; printed: string}[] = []

beforeAll(async () => {
  dir = tempDir('la-layer-image-ref-')
  zips = [
    infoZip(join(dir, 'agent.zip'), {
      'extensions/agent': {content: '#!/bin/sh\nexec /opt/agent/bin/agent\n', mode: 0o755},
      'agent/bin/agent': {content: 'ELF-ish', mode: 0o755},
      'lib/libagent.so.1': 'lib',
      'lib/libagent.so': {link: 'libagent.so.1'},
      'agent/state': {dir: true, mode: 0o700},
      'agent/state/seed': {content: 'seed', mode: 0o600},
    }, ['-y']),
    infoZip(join(dir, 'overrides.zip'), {
      'lib/libagent.so.1': 'newer lib, longer than the first',
      'python/agent_hook.py': 'hook = True\n',
    }, ['-y']),
  ]
  const forms = [
    {form: 'oci', output: `oci:${join(dir, 'layout')}:1.0`, reference: `oci:${join(dir, 'layout')}:1.0`},
    {form: 'oci-archive', output: `oci-archive:${join(dir, 'image.oci.tar')}:1.0`, reference: `oci-archive:${join(dir, 'image.oci.tar')}:1.0`},
    {form: 'docker-archive', output: `docker-archive:${join(dir, 'image.docker.tar')}:layers/agent:1.0`, reference: `docker-archive:${join(dir, 'image.docker.tar')}`},
  ]
  for (const {form, output, reference} of forms) {
    const result = await runCli(['layer-image', ...zips.flatMap((zip) => ['--layer', zip]), '--output', output])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    outputs.push({form, reference, printed: result.stdout.split(' ')[0]!})
  }
}, 60_000)
afterAll(() => cleanup(dir))

const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`
const skopeo = (...args: string[]) => execFileSync('skopeo', args, {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']})
const configOf = (reference: string) => JSON.parse(skopeo('inspect', '--config', reference)) as {rootfs: {diff_ids: string[]}; architecture: string}

describe('layer-image output, read by the reference tools', () => {
  test.each(['oci', 'oci-archive', 'docker-archive'])('%s: skopeo copy to oci: and dir: reads back; umoci unpack of the copy equals unzip -o', (form) => {
    const {reference, printed} = outputs.find((o) => o.form === form)!
    const ours = configOf(reference)
    expect(ours.rootfs.diff_ids).toHaveLength(2)

    // oci: → oci:, digests preserved: skopeo writes back the very manifest we wrote.
    const ociCopy = join(dir, `${form}-copy-oci`)
    skopeo('copy', '-q', ...(form === 'docker-archive' ? [] : ['--preserve-digests']), reference, `oci:${ociCopy}:copy`)
    const index = JSON.parse(readFileSync(join(ociCopy, 'index.json'), 'utf8'))
    expect(index.manifests).toHaveLength(1)
    const copiedManifest = readFileSync(join(ociCopy, 'blobs/sha256', index.manifests[0].digest.slice(7)))
    const copiedConfigDigest = JSON.parse(copiedManifest.toString('utf8')).config.digest
    if (form === 'docker-archive') {
      // A docker archive has no manifest: the digest printed is the image ID, the config's digest, which a copy keeps.
      expect(copiedConfigDigest).toBe(printed)
    } else {
      expect(index.manifests[0].digest).toBe(printed)
      expect(sha256(copiedManifest)).toBe(printed)
    }
    expect(configOf(`oci:${ociCopy}:copy`).rootfs.diff_ids).toEqual(ours.rootfs.diff_ids)
    expect(configOf(`oci:${ociCopy}:copy`).architecture).toBe('amd64')

    // dir:: skopeo's own layout, one file per blob plus the manifest.
    const dirCopy = join(dir, `${form}-copy-dir`)
    skopeo('copy', '-q', ...(form === 'docker-archive' ? [] : ['--preserve-digests']), reference, `dir:${dirCopy}`)
    const dirManifest = readFileSync(join(dirCopy, 'manifest.json'))
    if (form !== 'docker-archive') expect(sha256(dirManifest)).toBe(printed)
    expect(JSON.parse(dirManifest.toString('utf8')).config.digest).toBe(copiedConfigDigest)
    expect(configOf(`dir:${dirCopy}`).rootfs.diff_ids).toEqual(ours.rootfs.diff_ids)

    // umoci: the whole unpack (bundle, runtime config) and the raw one.
    const bundle = join(dir, `${form}-bundle`)
    execFileSync('umoci', ['unpack', '--rootless', '--image', `${ociCopy}:copy`, bundle], {stdio: ['ignore', 'ignore', 'pipe']})
    const expected = unzipInOrder(zips, '/opt')
    expect(listTree(join(bundle, 'rootfs/opt'), '/opt')).toEqual(expected)
    expect(umociView(ociCopy, 'copy', dir)).toEqual(expected)
  }, 30_000)
})
