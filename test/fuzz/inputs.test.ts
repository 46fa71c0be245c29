/**
 * A fuzz campaign over what strangers hand layer-audit: layer tars written by real tools, image archives,
 * layer zips, each mutated (bytes flipped, fields overwritten, blocks cut, dropped or repeated). Whatever
 * the bytes say, reading must end — in a result, or in one of our typed errors (LayerAuditError: a clear
 * line, exit 2) — never in a TypeError, a RangeError or a hang, and a tar must read the same however its
 * bytes are cut into chunks. The CLI part checks what a user sees: exit 0/1/2, no "internal error", no
 * raw control byte on stdout, bounded memory.
 *
 * Bounded for `npm test`; LAYER_AUDIT_FUZZ=1 runs ~20x more cases (and LAYER_AUDIT_FUZZ_SEED replays one).
 */
import {execFileSync, spawnSync} from 'node:child_process'
import {existsSync, linkSync, mkdirSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import fc from 'fast-check'
import {beforeAll, describe, expect, it} from 'vitest'
import {LayerAuditError} from '../../src/errors.js'
import {loadImage} from '../../src/audit/load-image.js'
import {openZip} from '../../src/lambda/zip-reader.js'
import {chunked, gnuTar, layerInfo, tmpDir} from '../fs/helpers.js'
import {walkLayerTar} from '../../src/fs/layer-walker.js'
import {FIXTURES, REPO} from '../helpers/cli.js'

const LONG = process.env.LAYER_AUDIT_FUZZ === '1'
const SEED = process.env.LAYER_AUDIT_FUZZ_SEED ? Number(process.env.LAYER_AUDIT_FUZZ_SEED) : undefined
const runs = (quick: number) => ({numRuns: LONG ? quick * 20 : quick, ...(SEED !== undefined ? {seed: SEED} : {})})

const work = tmpDir('la-fuzz-')
const tars: Buffer[] = []

beforeAll(() => {
  // Real writers' layers: long names (cut on "/" too), links, a setuid file, xattrs, a sparse file.
  const dir = join(work, 'src')
  mkdirSync(join(dir, 'opt', `${'n'.repeat(85)}`), {recursive: true})
  writeFileSync(join(dir, 'opt', `${'n'.repeat(85)}`, 'module.py'), 'print(1)\n'.repeat(100))
  writeFileSync(join(dir, 'opt', 'app'), 'x'.repeat(3000), {mode: 0o4755})
  symlinkSync(`../${'t'.repeat(120)}`, join(dir, 'opt', 'link'))
  linkSync(join(dir, 'opt', 'app'), join(dir, 'opt', 'hard'))
  for (const format of ['gnu', 'posix', 'ustar']) {
    try {
      tars.push(gnuTar(dir, ['opt'], [`--format=${format}`]))
    } catch {
      // ustar cannot hold the long link target: the others still run
    }
  }
  tars.push(
    execFileSync('python3', [
      '-c',
      [
        'import io, sys, tarfile',
        'out = io.BytesIO(); t = tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT)',
        'i = tarfile.TarInfo("opt/x"); i.size = 5; i.pax_headers = {"SCHILY.xattr.user.k": "v", "mtime": "1.5"}',
        't.addfile(i, io.BytesIO(b"hello"))',
        'i = tarfile.TarInfo("opt/.wh.gone"); t.addfile(i)',
        't.close(); sys.stdout.buffer.write(out.getvalue())',
      ].join('\n'),
    ]),
  )
  if (spawnSync('sh', ['-c', 'command -v bsdtar']).status === 0) {
    writeFileSync(join(dir, 'holes'), '')
    execFileSync('truncate', ['-s', '2M', join(dir, 'holes')])
    writeFileSync(join(dir, 'holes'), 'end', {flag: 'a'})
    tars.push(execFileSync('bsdtar', ['-C', dir, '-cf', '-', '--format', 'pax', 'holes']))
  }
})

/** One change to a byte string, as a fuzzer makes it. */
const mutation = fc.oneof(
  fc.record({kind: fc.constant('flip' as const), at: fc.nat(), value: fc.integer({min: 0, max: 255})}),
  fc.record({kind: fc.constant('field' as const), block: fc.nat(), field: fc.constantFrom(100, 108, 116, 124, 136, 148, 156, 157, 257, 329, 345), bytes: fc.uint8Array({minLength: 1, maxLength: 12})}),
  fc.record({kind: fc.constant('cut' as const), at: fc.nat()}),
  fc.record({kind: fc.constant('zero-block' as const), block: fc.nat()}),
  fc.record({kind: fc.constant('repeat-block' as const), block: fc.nat()}),
  fc.record({kind: fc.constant('drop-block' as const), block: fc.nat()}),
)
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never

function mutate(input: Buffer, changes: Mutation[]): Buffer {
  let buf = Buffer.from(input)
  for (const change of changes) {
    if (buf.length === 0) break
    const blocks = Math.max(1, Math.floor(buf.length / 512))
    switch (change.kind) {
      case 'flip':
        buf[change.at % buf.length] = change.value
        break
      case 'field': {
        const at = (change.block % blocks) * 512 + change.field
        Buffer.from(change.bytes).copy(buf, at)
        break
      }
      case 'cut':
        buf = buf.subarray(0, change.at % buf.length)
        break
      case 'zero-block':
        buf.fill(0, Math.min(buf.length, (change.block % blocks) * 512), Math.min(buf.length, (change.block % blocks) * 512 + 512))
        break
      case 'repeat-block': {
        const at = (change.block % blocks) * 512
        buf = Buffer.concat([buf.subarray(0, at + 512), buf.subarray(at, at + 512), buf.subarray(at + 512)])
        break
      }
      case 'drop-block': {
        const at = (change.block % blocks) * 512
        buf = Buffer.concat([buf.subarray(0, at), buf.subarray(at + 512)])
        break
      }
    }
  }
  return buf
}

/** The outcome of a walk: its entries, or the message of the typed error it ended in (anything else fails). */
async function outcome(promise: Promise<unknown>): Promise<{ok: unknown} | {error: string}> {
  try {
    return {ok: await promise}
  } catch (error) {
    if (!(error instanceof LayerAuditError)) throw error
    return {error: error.message}
  }
}

describe('fuzz: layer tars from real writers, mutated', () => {
  it('every mutation ends in entries or a typed error, the same however the bytes are chunked', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.array(mutation, {minLength: 1, maxLength: 4}), fc.integer({min: 1, max: 3000}), async (which, changes, chunk) => {
        const tar = mutate(tars[which % tars.length]!, changes)
        const whole = await outcome(walkLayerTar(chunked(tar, tar.length || 1), layerInfo(0)))
        const pieces = await outcome(walkLayerTar(chunked(tar, chunk), layerInfo(0)))
        expect(pieces).toEqual(whole)
      }),
      runs(300),
    )
  })
})

describe('fuzz: layer zips, mutated', () => {
  it('open and read every entry: a result or a typed error', async () => {
    const zips = ['layer-log-shipper.zip', 'function-code.zip', 'layer-log-shipper-windows.zip'].map((z) => readFileSync(join(FIXTURES, 'zips', z)))
    let n = 0
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.array(mutation, {minLength: 1, maxLength: 3}), async (which, changes) => {
        const file = join(work, `fuzz-${n++}.zip`)
        writeFileSync(file, mutate(zips[which % zips.length]!, changes))
        await outcome(
          (async () => {
            const zip = await openZip(file)
            try {
              for (const entry of zip.entries) {
                if (entry.type !== 'file') continue
                for await (const _ of await zip.openEntry(entry)) void _
              }
            } finally {
              await zip.close()
            }
          })(),
        )
      }),
      runs(150),
    )
  })
})

describe('fuzz: image archives, mutated', () => {
  it('open, read every layer, flatten: a result or a typed error', async () => {
    const archives = ['layer-image.oci.tar', 'layer-image.docker.tar', 'function-image-good.docker-gzip.tar'].map((a) => readFileSync(join(FIXTURES, 'images', a)))
    let n = 0
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.array(mutation, {minLength: 1, maxLength: 3}), async (which, changes) => {
        const file = join(work, `fuzz-${n++}.tar`)
        writeFileSync(file, mutate(archives[which % archives.length]!, changes))
        await outcome(loadImage(file, {}))
      }),
      runs(60),
    )
  })
})

const TIME = '/usr/bin/time'

describe('fuzz: what a user sees', () => {
  it('exit 0, 1 or 2; no internal error; no raw control byte on stdout; under 1 GiB', () => {
    const cases: Array<{args: string[]; file: string}> = []
    const archives = ['layer-image.oci.tar', 'secrets-single-stage.docker.tar', 'function-image-broken.docker.tar']
    fc.assert(
      fc.property(fc.nat(), fc.array(mutation, {minLength: 1, maxLength: 3}), fc.constantFrom('tree', 'scan', 'inspect'), (which, changes, command) => {
        const file = join(work, `cli-${cases.length}.tar`)
        writeFileSync(file, mutate(readFileSync(join(FIXTURES, 'images', archives[which % archives.length]!)), changes))
        cases.push({args: [command, file], file})
      }),
      runs(6),
    )
    const measured = existsSync(TIME)
    for (const {args} of cases) {
      const argv = [join(REPO, 'bin', 'run.js'), ...args]
      const result = measured
        ? spawnSync(TIME, ['-f', '%M', process.execPath, ...argv], {encoding: 'buffer', env: {...process.env, NO_COLOR: '1'}, timeout: 60_000})
        : spawnSync(process.execPath, argv, {encoding: 'buffer', env: {...process.env, NO_COLOR: '1'}, timeout: 60_000})
      const stderr = result.stderr.toString('utf8')
      expect(result.signal, `${args.join(' ')}: killed (hang?)`).toBeNull()
      expect([0, 1, 2], `${args.join(' ')}: exit ${result.status}\n${stderr}`).toContain(result.status)
      expect(stderr, args.join(' ')).not.toMatch(/internal error|TypeError|RangeError|Maximum call stack/)
      expect(result.stdout.some((b) => (b < 0x20 && b !== 0x0a) || b === 0x7f), `${args.join(' ')}: raw control byte on stdout`).toBe(false)
      if (measured) {
        const rssKb = Number(stderr.trimEnd().split('\n').at(-1))
        expect(rssKb, `${args.join(' ')}: peak RSS`).toBeLessThan(1024 * 1024)
      }
    }
  })
})
