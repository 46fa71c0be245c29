/**
 * Damaged images, made with GNU tar from a good fixture: each gives one line naming the input and the
 * layer, exit 2, nothing on stdout — for every command that reads layers.
 */
import {execFileSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, readFileSync, readdirSync, truncateSync, writeFileSync, copyFileSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'

import {FIXTURES, runCli} from '../helpers/cli.js'

const tmp = mkdtempSync(join(tmpdir(), 'la-bad-images-'))

/** Unpacks a fixture archive, lets `damage` change one member, packs it again with GNU tar. */
function damaged(fixture: string, name: string, damage: (dir: string) => void): string {
  const dir = join(tmp, name)
  mkdirSync(dir)
  execFileSync('tar', ['-xf', join(FIXTURES, 'images', fixture), '-C', dir])
  damage(dir)
  const out = join(tmp, `${name}.tar`)
  execFileSync('tar', ['-cf', out, '-C', dir, ...readdirSync(dir)])
  return out
}

function flipByte(file: string, at: number) {
  const bytes = readFileSync(file)
  bytes[at] ^= 0xff
  writeFileSync(file, bytes)
}

const layerTar = (dir: string, index: number) => {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'))
  return join(dir, manifest[0].Layers[index])
}

/** Offset of the first byte of the first non-empty regular file in a tar (GNU tar's block numbers). */
function firstContentByte(tarFile: string): number {
  const listing = execFileSync('tar', ['-tvR', '-f', tarFile], {encoding: 'utf8'})
  const line = listing.split('\n').find((l) => /^block \d+: -\S+ \S+\s+[1-9]\d* /.test(l))
  if (!line) throw new Error(`no regular file with content in ${tarFile}`)
  return (Number(/^block (\d+)/.exec(line)![1]) + 1) * 512
}

const cases: Record<string, {path: () => string; mentions: RegExp}> = {}

beforeAll(() => {
  cases['a layer whose bytes differ from its diff_id'] = {
    path: () =>
      damaged('function-image-good.docker.tar', 'diffid', (dir) => {
        const layer = layerTar(dir, 3)
        flipByte(layer, firstContentByte(layer)) // file content: still a valid tar, another digest
      }),
    mentions: /layer 3 \(sha256:[0-9a-f]{12}…?\).*diff_id.*digest mismatch/,
  }
  // kaniko-style layers (`<hex>.tar.gz`) have no blob digest to check: the broken gzip is all there is to say.
  cases['a broken gzip stream'] = {
    path: () =>
      damaged('function-image-good.docker-gzip.tar', 'gzip', (dir) => {
        const gz = readdirSync(dir).filter((n) => n.endsWith('.tar.gz')).sort((a, b) => statSync(join(dir, b)).size - statSync(join(dir, a)).size)[0]
        flipByte(join(dir, gz), 100)
      }),
    mentions: /layer \d+ \(sha256:[0-9a-f]{12}…\): broken gzip stream/,
  }
  // With a blob digest (OCI), a byte flipped inside the deflate stream is reported as the cause: the blob
  // is not the one the manifest names. Not the broken gzip or tar it also is.
  cases['a corrupted layer blob in an OCI archive'] = {
    path: () =>
      damaged('function-image-good.oci.tar', 'oci-corrupt', (dir) => {
        const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'))
        const blob = (digest: string) => join(dir, 'blobs', 'sha256', digest.slice(7))
        const manifest = JSON.parse(readFileSync(blob(index.manifests[0].digest), 'utf8'))
        const biggest = [...manifest.layers].sort((a, b) => b.size - a.size)[0]
        flipByte(blob(biggest.digest), biggest.size >> 1)
      }),
    mentions: /: layer \d+ \(sha256:[0-9a-f]{12}…\) blob: digest mismatch, expected sha256:[0-9a-f]{64}, got sha256:[0-9a-f]{64}$/,
  }
  cases['a truncated archive'] = {
    path: () => {
      const out = join(tmp, 'truncated.tar')
      copyFileSync(join(FIXTURES, 'images', 'function-image-good.docker.tar'), out)
      truncateSync(out, 20_000)
      return out
    },
    mentions: /truncated archive: member \S+ is cut short/,
  }
  cases['a manifest naming a layer that is not there'] = {
    path: () =>
      damaged('function-image-good.docker.tar', 'missing-blob', (dir) => {
        const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'))
        manifest[0].Layers[2] = 'ffff/layer.tar'
        writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest))
      }),
    mentions: /layer 2 \(ffff\/layer\.tar\) is missing from the archive/,
  }
})

describe('damaged images give one clear line and exit 2', () => {
  for (const name of [
    'a layer whose bytes differ from its diff_id',
    'a broken gzip stream',
    'a corrupted layer blob in an OCI archive',
    'a truncated archive',
    'a manifest naming a layer that is not there',
  ]) {
    it(name, async () => {
      const path = cases[name].path()
      for (const args of [['tree', path], ['inspect', path, '--json'], ['scan', path], ['compare', path, '--layer', join(FIXTURES, 'zips', 'layer-log-shipper.zip')]]) {
        const result = await runCli(args)
        expect(result.code, `${args[0]}: ${result.stderr}`).toBe(2)
        expect(result.stdout).toBe('')
        const lines = result.stderr.trimEnd().split('\n')
        expect(lines, result.stderr).toHaveLength(1)
        expect(lines[0]).toContain(path)
        expect(lines[0]).toMatch(cases[name].mentions)
      }
    })
  }
})
