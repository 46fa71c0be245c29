/**
 * compare end to end on inputs made by real tools: function and layer images built layer by layer with
 * umoci (and converted by skopeo), layer zips made by Info-ZIP `zip`, plus the real layer zips of the
 * corpus. One migration scenario per case, as background.md describes them.
 */
import {execFileSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {compareImage, type CompareResult} from '../../src/audit/compare.js'
import {openImage} from '../../src/image/open.js'
import {parseFunctionConfig, type FunctionConfig} from '../../src/lambda/function-config.js'
import {buildFunctionLayout, type FunctionLayout} from '../../src/lambda/layout.js'
import type {Finding} from '../../src/rules/types.js'
import {REALDATA_MISSING, realdata} from '../helpers/realdata.js'
import {describeUnless} from '../helpers/skip-reason.js'
import {cleanup, infoZip, tempDir, type Spec} from '../lambda/zips.js'
import {EM_X86_64, elf} from './helpers.js'

function haveTool(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], {stdio: 'ignore'})
    return true
  } catch {
    return false
  }
}
const tools = ['umoci', 'skopeo', 'zip', 'unzip'].every(haveTool)
if (!tools) console.warn('compare e2e tests skipped: umoci, skopeo, zip and unzip are needed')

const sh = (cmd: string, args: string[], cwd?: string) => execFileSync(cmd, args, {cwd, stdio: ['ignore', 'ignore', 'pipe']})

const extBinary = elf({machine: EM_X86_64}).toString('latin1')
/** The layer as its publisher zipped it: an extension binary, a script extension, a Node module, a wrapper, a lib with a symlink. */
const layerSpec: Spec = {
  'extensions/telemetry': {content: extBinary, mode: 0o755},
  'extensions/log-forwarder': {content: '#!/bin/sh\nexec /opt/log-forwarder/run\n', mode: 0o755},
  'log-forwarder/run': {content: '#!/bin/sh\necho forwarding\n', mode: 0o755},
  'nodejs/node_modules/tracer/index.js': 'module.exports = {trace() {}}\n',
  'nodejs/node_modules/tracer/package.json': '{"name":"tracer","version":"1.0.0"}\n',
  'tracer_wrapper': {content: '#!/bin/sh\nexport TRACED=1\nexec "$@"\n', mode: 0o755},
  'lib/libtrace.so.1': 'not really a library\n',
  'lib/libtrace.so': {link: 'libtrace.so.1'},
}

/** A stand-in for a Node.js AWS base image: glibc loader, /bin/sh, env, node, the entrypoint, the code. */
function writeRuntime(rootfs: string, options: {python?: boolean} = {}): void {
  const files: Record<string, [string, number]> = {
    'lib64/ld-linux-x86-64.so.2': ['ld', 0o755],
    'usr/bin/sh': ['sh', 0o755],
    'usr/bin/env': ['env', 0o755],
    'var/lang/bin/node': ['node', 0o755],
    'lambda-entrypoint.sh': ['#!/bin/sh\nexec /var/runtime/bootstrap "$@"\n', 0o755],
    'var/task/index.mjs': ['export const handler = async () => ({ok: true})\n', 0o644],
  }
  if (options.python) files['var/lang/bin/python3'] = ['python', 0o755]
  for (const [path, [content, mode]] of Object.entries(files)) {
    mkdirSync(join(rootfs, path, '..'), {recursive: true})
    writeFileSync(join(rootfs, path), content)
    chmodSync(join(rootfs, path), mode)
  }
  execFileSync('ln', ['-s', 'usr/bin', join(rootfs, 'bin')])
}

interface Built {
  work: string
  layout: string
  layerZip: string
  pythonZip: string
}

let built: Built

/** unpack BASE, change the rootfs, repack as TAG: one more layer on top of the base. */
function variant(tag: string, change: (rootfs: string) => void, base = 'base'): string {
  const bundle = join(built.work, `bundle-${tag}`)
  sh('umoci', ['unpack', '--rootless', '--image', `${built.layout}:${base}`, bundle])
  change(join(bundle, 'rootfs'))
  sh('umoci', ['repack', '--image', `${built.layout}:${tag}`, bundle])
  rmSync(bundle, {recursive: true, force: true})
  return `oci:${built.layout}:${tag}`
}

/** What `COPY --from=<layer> /opt/ /opt/` or an unzip into /opt does: the zip's files under /opt. */
function unzipInto(rootfs: string, zip: string): void {
  mkdirSync(join(rootfs, 'opt'), {recursive: true})
  sh('unzip', ['-q', '-o', zip, '-d', join(rootfs, 'opt')])
}

function functionConfig(overrides: Record<string, unknown> = {}): FunctionConfig {
  return parseFunctionConfig({
    FunctionName: 'orders',
    Runtime: 'nodejs20.x',
    Handler: 'index.handler',
    Architectures: ['x86_64'],
    Environment: {Variables: {AWS_LAMBDA_EXEC_WRAPPER: '/opt/tracer_wrapper', NODE_OPTIONS: '--require /opt/nodejs/node_modules/tracer'}},
    PackageType: 'Zip',
    ...overrides,
  })
}

async function compare(input: string, layers: string[], options: {config?: FunctionConfig; kind?: 'auto' | 'layer' | 'function'} = {}): Promise<CompareResult> {
  const image = await openImage(input)
  let layout: FunctionLayout | undefined
  try {
    layout = await buildFunctionLayout({layers: layers.map((path) => ({path}))})
    return await compareImage({image, expected: layout, functionConfig: options.config ?? functionConfig(), kind: options.kind})
  } finally {
    await layout?.close()
    await image.close()
  }
}

const errors = (r: CompareResult) => r.findings.filter((f) => f.severity === 'error')
const byRule = (r: CompareResult, rule: string): Finding[] => r.findings.filter((f) => f.rule === rule)
const summary = (r: CompareResult) => r.findings.map((f) => `${f.severity} ${f.rule} ${f.path ?? ''}`)

describe.skipIf(!tools)('compare, end to end (umoci, skopeo, Info-ZIP)', () => {
  beforeAll(() => {
    const work = tempDir('la-compare-e2e-')
    const layout = join(work, 'oci')
    built = {work, layout, layerZip: join(work, 'tracer-layer.zip'), pythonZip: join(work, 'py-layer.zip')}
    infoZip(built.layerZip, layerSpec, ['-y'])
    infoZip(built.pythonZip, {'extensions/py-logs': {content: '#!/usr/bin/env python3\nprint("hi")\n', mode: 0o755}})
    sh('umoci', ['init', '--layout', layout])
    sh('umoci', ['new', '--image', `${layout}:empty`])
    const bundle = join(work, 'bundle-base')
    sh('umoci', ['unpack', '--rootless', '--image', `${layout}:empty`, bundle])
    writeRuntime(join(bundle, 'rootfs'))
    sh('umoci', ['repack', '--image', `${layout}:base`, bundle])
    rmSync(bundle, {recursive: true, force: true})
    sh('umoci', [
      'config', '--image', `${layout}:base`, '--architecture', 'amd64', '--os', 'linux',
      '--config.entrypoint', '/lambda-entrypoint.sh', '--config.cmd', 'index.handler',
      '--config.env', 'PATH=/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin', '--config.env', 'LAMBDA_TASK_ROOT=/var/task',
    ])
  }, 120_000)

  afterAll(() => {
    if (built) cleanup(built.work)
  })

  it('the faithful migration: no error, no warning (OCI layout and skopeo docker-archive)', async () => {
    const input = variant('faithful', (rootfs) => unzipInto(rootfs, built.layerZip))
    const result = await compare(input, [built.layerZip])
    expect(summary(result)).toEqual([])
    expect(result.kind).toBe('function')
    expect(result.stats.hashedFiles).toBeGreaterThanOrEqual(6)

    const archive = join(built.work, 'faithful-docker.tar')
    sh('skopeo', ['--insecure-policy', 'copy', '-q', `oci:${built.layout}:faithful`, `docker-archive:${archive}`])
    expect(summary(await compare(archive, [built.layerZip]))).toEqual([])
  })

  it('a missing file, and a missing wrapper', async () => {
    const input = variant('missing', (rootfs) => {
      unzipInto(rootfs, built.layerZip)
      rmSync(join(rootfs, 'opt/nodejs/node_modules/tracer/package.json'))
      rmSync(join(rootfs, 'opt/tracer_wrapper'))
    })
    const result = await compare(input, [built.layerZip])
    expect(byRule(result, 'missing-file').map((f) => f.path).sort()).toEqual(['/opt/nodejs/node_modules/tracer/package.json', '/opt/tracer_wrapper'])
    expect(byRule(result, 'wrapper-missing')).toHaveLength(1)
    expect(byRule(result, 'missing-file')[0].source).toBe(built.layerZip)
  })

  it('an altered file: same size, different bytes', async () => {
    const input = variant('altered', (rootfs) => {
      unzipInto(rootfs, built.layerZip)
      writeFileSync(join(rootfs, 'opt/nodejs/node_modules/tracer/package.json'), '{"name":"tracer","version":"1.0.1"}\n')
    })
    const result = await compare(input, [built.layerZip])
    expect(summary(result)).toEqual(['error content-mismatch /opt/nodejs/node_modules/tracer/package.json'])
    expect(byRule(result, 'content-mismatch')[0].layer).toBe(1)
  })

  it('reads the copy that won: a file altered in one layer and restored in the next', async () => {
    variant('altered-below', (rootfs) => {
      unzipInto(rootfs, built.layerZip)
      writeFileSync(join(rootfs, 'opt/nodejs/node_modules/tracer/package.json'), '{"name":"tracer","version":"9.9.9"}\n')
    })
    const restored = variant('restored', (rootfs) => unzipInto(rootfs, built.layerZip), 'altered-below')
    expect(summary(await compare(restored, [built.layerZip]))).toEqual([])
    variant('faithful-again', (rootfs) => unzipInto(rootfs, built.layerZip))
    const realteredOnTop = variant('altered-on-top', (rootfs) => {
      writeFileSync(join(rootfs, 'opt/nodejs/node_modules/tracer/package.json'), '{"name":"tracer","version":"1.0.2"}\n')
    }, 'faithful-again')
    const result = await compare(realteredOnTop, [built.layerZip])
    expect(summary(result)).toEqual(['error content-mismatch /opt/nodejs/node_modules/tracer/package.json'])
    expect(result.findings[0].layer).toBe(2)
  })

  it('an extension that lost its exec bit', async () => {
    const input = variant('noexec', (rootfs) => {
      unzipInto(rootfs, built.layerZip)
      chmodSync(join(rootfs, 'opt/extensions/log-forwarder'), 0o644)
    })
    const result = await compare(input, [built.layerZip])
    expect(summary(result).sort()).toEqual(['error extension-not-executable /opt/extensions/log-forwarder', 'error mode-mismatch /opt/extensions/log-forwarder'])
  })

  it('a python extension on an image without python', async () => {
    const input = variant('nopython', (rootfs) => {
      unzipInto(rootfs, built.layerZip)
      unzipInto(rootfs, built.pythonZip)
    })
    const result = await compare(input, [built.layerZip, built.pythonZip])
    expect(summary(result)).toEqual(['error extension-interpreter-missing /opt/extensions/py-logs'])
  })

  it('a CRLF extension script', async () => {
    const crlfZip = join(built.work, 'crlf.zip')
    infoZip(crlfZip, {'extensions/health': {content: '#!/bin/sh\r\necho ok\r\n', mode: 0o755}})
    const input = variant('crlf', (rootfs) => unzipInto(rootfs, crlfZip))
    const result = await compare(input, [crlfZip], {config: functionConfig({Environment: {Variables: {}}})})
    expect(summary(result)).toEqual(['error extension-crlf-shebang /opt/extensions/health'])
  })

  it('an image index with a buildx attestation', async () => {
    variant('toindex', (rootfs) => unzipInto(rootfs, built.layerZip))
    addAttestedIndex(built.layout, 'toindex', 'attested')
    const result = await compare(`oci:${built.layout}:attested`, [built.layerZip])
    const findings = byRule(result, 'unsupported-manifest')
    expect(findings).toHaveLength(1)
    expect(findings[0].message).toContain('--provenance=false')
    expect(errors(result).map((f) => f.rule)).toEqual(['unsupported-manifest'])
  })

  it('a layer image checked against its zip: detected, function-only checks listed as not applicable', async () => {
    const input = variant('layer-image', (rootfs) => unzipInto(rootfs, built.layerZip), 'empty')
    const result = await compare(input, [built.layerZip])
    expect(result.kind).toBe('layer')
    expect(result.findings).toEqual([])
    // The function's Architectures is known (x86_64): the architecture rules still run on the layer image.
    expect(result.notApplicable.map((n) => n.rule)).toEqual(['extension-interpreter-missing', 'handler-missing', 'handler-differs', 'entrypoint-invalid'])
    for (const n of result.notApplicable) expect(n.reason).toContain('a layer image')
    // Forced to a function image it is judged as one: no entrypoint.
    const forced = await compare(input, [built.layerZip], {kind: 'function'})
    expect(byRule(forced, 'entrypoint-invalid')).toHaveLength(1)
  })

  describeUnless(REALDATA_MISSING, 'real layer zips from the corpus', () => {
    const armZip = realdata('lambda/garysassano-otlp-stdout-kinesis-extension-layer.zip')
    const lumigoZip = realdata('lambda/lumigo-node-tracer-layer.zip')

    it('the arm64 otlp-stdout-kinesis extension in an amd64 image', async () => {
      const input = variant('real-arm64', (rootfs) => unzipInto(rootfs, armZip))
      const result = await compare(input, [armZip], {config: functionConfig({Environment: {Variables: {}}})})
      expect(summary(result)).toEqual(['error extension-arch-mismatch /opt/extensions/otlp-stdout-kinesis-extension-layer'])
      expect(byRule(result, 'extension-arch-mismatch')[0].actual).toMatchObject({architecture: 'arm64', elfMachine: 183})
      // The same bytes in an arm64 image (with the aarch64 glibc loader the binary asks for) for an arm64 function are fine.
      variant('real-arm64-loader', (rootfs) => {
        unzipInto(rootfs, armZip)
        mkdirSync(join(rootfs, 'lib'), {recursive: true})
        writeFileSync(join(rootfs, 'lib/ld-linux-aarch64.so.1'), 'ld')
        chmodSync(join(rootfs, 'lib/ld-linux-aarch64.so.1'), 0o755)
      })
      sh('umoci', ['config', '--image', `${built.layout}:real-arm64-loader`, '--tag', 'real-arm64-ok', '--architecture', 'arm64'])
      const ok = await compare(`oci:${built.layout}:real-arm64-ok`, [armZip], {config: functionConfig({Architectures: ['arm64'], Environment: {Variables: {}}})})
      expect(summary(ok)).toEqual([])
    })

    it('the Lumigo Node tracer with its exec wrapper: faithful, then with the wrapper not executable', async () => {
      const env = {Environment: {Variables: {AWS_LAMBDA_EXEC_WRAPPER: '/opt/lumigo_wrapper'}}}
      const good = variant('real-lumigo', (rootfs) => unzipInto(rootfs, lumigoZip))
      expect(summary(await compare(good, [lumigoZip], {config: functionConfig(env)}))).toEqual([])
      const bad = variant('real-lumigo-bad', (rootfs) => {
        unzipInto(rootfs, lumigoZip)
        chmodSync(join(rootfs, 'opt/lumigo_wrapper'), 0o744)
      })
      const result = await compare(bad, [lumigoZip], {config: functionConfig(env)})
      expect(summary(result).sort()).toEqual(['error mode-mismatch /opt/lumigo_wrapper', 'error wrapper-not-executable /opt/lumigo_wrapper'])
    })
  })
})

/** What buildx's OCI exporter writes: an index holding the image manifest and an attestation manifest. */
function addAttestedIndex(layout: string, fromTag: string, newTag: string): void {
  const indexPath = join(layout, 'index.json')
  const top = JSON.parse(readFileSync(indexPath, 'utf8'))
  const image = top.manifests.find((d: {annotations?: Record<string, string>}) => d.annotations?.['org.opencontainers.image.ref.name'] === fromTag)
  const blob = (data: string) => {
    const digest = 'sha256:' + createHash('sha256').update(data).digest('hex')
    writeFileSync(join(layout, 'blobs/sha256', digest.slice(7)), data)
    return {digest, size: Buffer.byteLength(data)}
  }
  const config = blob('{"architecture":"unknown","os":"unknown","config":{},"rootfs":{"type":"layers","diff_ids":[]}}')
  const statement = blob('{"_type":"https://in-toto.io/Statement/v0.1","predicateType":"https://slsa.dev/provenance/v0.2"}')
  const attestation = blob(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {mediaType: 'application/vnd.oci.image.config.v1+json', ...config},
      layers: [{mediaType: 'application/vnd.in-toto+json', ...statement, annotations: {'in-toto.io/predicate-type': 'https://slsa.dev/provenance/v0.2'}}],
    }),
  )
  const index = blob(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        {mediaType: image.mediaType, digest: image.digest, size: image.size, platform: {architecture: 'amd64', os: 'linux'}},
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          ...attestation,
          annotations: {'vnd.docker.reference.digest': image.digest, 'vnd.docker.reference.type': 'attestation-manifest'},
          platform: {architecture: 'unknown', os: 'unknown'},
        },
      ],
    }),
  )
  top.manifests.push({mediaType: 'application/vnd.oci.image.index.v1+json', ...index, annotations: {'org.opencontainers.image.ref.name': newTag}})
  writeFileSync(indexPath, JSON.stringify(top))
}
