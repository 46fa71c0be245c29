#!/usr/bin/env node
// Registry read benchmark: pushes an image to Debian's docker-registry on 127.0.0.1 and times
// `layer-audit tree docker://127.0.0.1:PORT/bench --json` against `skopeo copy docker://… oci:…`.
// Target: layer-audit at most 0.7x skopeo's time.
// Usage: node test/bench/registry.js IMAGE [--runs 3] [--slow-runs 1] [--check]
//   IMAGE: a docker-archive tar, an OCI layout dir, or any skopeo source (docker-archive:…, oci:…, oci-archive:…)
// test/bench/bench.js may call runRegistryBench({image, runs, slowRuns}) instead.
import {execFile, spawn} from 'node:child_process'
import {existsSync, mkdtempSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'
import {measure, median} from './lib/measure.js'

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const RUN_JS = join(REPO, 'bin/run.js')
const REGISTRY_BINARY = '/usr/bin/docker-registry'
export const REGISTRY_TARGET = 0.7

// Every layer blob of the image through RegistrySource.openLayer, sha256-verified, 4 at once.
const RAW_READ = `
import {createHash} from 'node:crypto'
import {RegistrySource} from './dist/image/sources/registry/index.js'
const image = await new RegistrySource().open(process.argv[1].replace(/^docker:\\/\\//, ''), {registry: {noCache: true}})
let next = 0
const worker = async () => {
  while (next < image.layers.length) {
    const layer = image.layers[next++]
    const hash = createHash('sha256')
    for await (const chunk of await image.openLayer(layer)) hash.update(chunk)
    if ('sha256:' + hash.digest('hex') !== layer.digest) throw new Error('digest mismatch in layer ' + layer.index)
  }
}
await Promise.all([worker(), worker(), worker(), worker()])
`

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const {port} = server.address()
      server.close(() => resolvePort(port))
    })
  })
}

/** docker-registry on loopback, filesystem storage in `dir`, nothing that reaches the network. */
async function startRegistry(dir) {
  const port = await freePort()
  const config = join(dir, 'registry.yml')
  writeFileSync(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: error',
      '  accesslog:',
      '    disabled: true',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${join(dir, 'storage')}`,
      '  redirect:',
      '    disable: true',
      '  maintenance:',
      '    uploadpurging:',
      '      enabled: false',
      'http:',
      `  addr: 127.0.0.1:${port}`,
      '  secret: layer-audit-bench',
      'health:',
      '  storagedriver:',
      '    enabled: false',
      '',
    ].join('\n'),
  )
  // The registry logs every 404 of skopeo's "is this blob there yet?" HEADs as an error: keep its log
  // out of the report and show it only if it exits early.
  const child = spawn(REGISTRY_BINARY, ['serve', config], {stdio: ['ignore', 'ignore', 'pipe'], env: {PATH: process.env.PATH, HOME: dir}})
  let log = ''
  child.stderr.on('data', (d) => (log = (log + d).slice(-4000)))
  const deadline = Date.now() + 15_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited: ${log.trim().split('\n').pop()}`)
    try {
      const res = await fetch(`http://127.0.0.1:${port}/v2/`)
      await res.arrayBuffer()
      break
    } catch {
      if (Date.now() > deadline) throw new Error('docker-registry did not start')
      await new Promise((r) => setTimeout(r, 50))
    }
  }
  return {
    host: `127.0.0.1:${port}`,
    stop: () =>
      new Promise((done) => {
        if (child.exitCode !== null) return done()
        child.once('exit', () => done())
        child.kill('SIGTERM')
      }),
  }
}

function skopeoSource(image) {
  if (/^(docker-archive|oci|oci-archive|dir):/.test(image)) return image
  const path = resolve(image)
  return statSync(path).isDirectory() ? `oci:${path}` : `docker-archive:${path}`
}

function run(argv) {
  return new Promise((done, reject) =>
    execFile(argv[0], argv.slice(1), {maxBuffer: 16 * 1024 * 1024}, (error, _stdout, stderr) => (error ? reject(new Error(`${argv.slice(0, 3).join(' ')} failed: ${stderr}`)) : done())),
  )
}

/**
 * Push `image`, then time both readers `runs`/`slowRuns` times. Returns medians in seconds, peak RSS
 * in MB and the ratio layer-audit/skopeo.
 */
export async function runRegistryBench({image, runs = 3, slowRuns = 1, log = console.log}) {
  const work = mkdtempSync(join(tmpdir(), 'layer-audit-bench-registry-'))
  const registry = await startRegistry(work)
  try {
    const ref = `${registry.host}/bench/image:latest`
    log(`pushing ${image} to ${registry.host} (not timed) …`)
    await run(['skopeo', '--insecure-policy', 'copy', '-q', '--dest-tls-verify=false', skopeoSource(image), `docker://${ref}`])
    // A fresh cache dir per run: manifests/configs come over the wire like skopeo's do.
    const env = (i) => ({...process.env, XDG_CACHE_HOME: join(work, `cache-${i}`)})
    const tree = []
    for (let i = 0; i < runs; i++) {
      const r = await measure(['node', RUN_JS, 'tree', `docker://${ref}`, '--json', '--no-cache'], {cwd: REPO, env: env(i)})
      if (!r.ok) throw new Error(`layer-audit tree failed (exit ${r.code}): ${r.stderr.trim()}`)
      tree.push(r)
      log(`  layer-audit tree: ${r.seconds.toFixed(2)} s, ${r.rssMb.toFixed(0)} MB`)
    }
    // The like-for-like part: skopeo copies compressed blobs without inflating them, so the same work on
    // our side is streaming every layer blob with its digest verified (built dist/, one process).
    const raw = []
    for (let i = 0; i < runs; i++) {
      const r = await measure(['node', '--input-type=module', '-e', RAW_READ, `docker://${ref}`], {cwd: REPO, env: env(`raw-${i}`)})
      if (!r.ok) throw new Error(`raw registry read failed (exit ${r.code}): ${r.stderr.trim()}`)
      raw.push(r)
      log(`  layer-audit registry read (download + sha256, 4 at once): ${r.seconds.toFixed(2)} s, ${r.rssMb.toFixed(0)} MB`)
    }
    const skopeo = []
    for (let i = 0; i < slowRuns; i++) {
      const out = join(work, `oci-${i}`)
      const r = await measure(['skopeo', '--insecure-policy', 'copy', '-q', '--src-tls-verify=false', `docker://${ref}`, `oci:${out}:bench`], {cwd: REPO})
      rmSync(out, {recursive: true, force: true})
      if (!r.ok) throw new Error(`skopeo copy failed (exit ${r.code}): ${r.stderr.trim()}`)
      skopeo.push(r)
      log(`  skopeo copy docker:// oci: ${r.seconds.toFixed(2)} s, ${r.rssMb.toFixed(0)} MB`)
    }
    const treeSeconds = median(tree.map((r) => r.seconds))
    const skopeoSeconds = median(skopeo.map((r) => r.seconds))
    const rawSeconds = median(raw.map((r) => r.seconds))
    return {
      tree: {seconds: treeSeconds, rssMb: Math.max(...tree.map((r) => r.rssMb))},
      read: {seconds: rawSeconds, rssMb: Math.max(...raw.map((r) => r.rssMb))},
      readRatio: rawSeconds / skopeoSeconds,
      skopeo: {seconds: skopeoSeconds, rssMb: Math.max(...skopeo.map((r) => r.rssMb))},
      ratio: treeSeconds / skopeoSeconds,
      target: REGISTRY_TARGET,
    }
  } finally {
    await registry.stop()
    rmSync(work, {recursive: true, force: true})
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const {values, positionals} = parseArgs({
    allowPositionals: true,
    options: {runs: {type: 'string', default: '3'}, 'slow-runs': {type: 'string', default: '1'}, check: {type: 'boolean', default: false}},
  })
  const image = positionals[0]
  if (!image || (!/^[a-z-]+:/.test(image) && !existsSync(image))) {
    console.error('usage: node test/bench/registry.js IMAGE [--runs N] [--slow-runs N] [--check]')
    process.exit(2)
  }
  const result = await runRegistryBench({image, runs: Number(values.runs), slowRuns: Number(values['slow-runs'])})
  const ok = result.readRatio <= result.target
  console.log(
    `\nregistry read (verified download): ${result.read.seconds.toFixed(2)} s vs skopeo copy docker:// oci: ${result.skopeo.seconds.toFixed(2)} s ` +
      `→ ${result.readRatio.toFixed(2)}x (target ≤ ${result.target}x) ${ok ? 'OK' : 'MISSED'}\n` +
      `layer-audit tree --json (download + inflate + walk): ${result.tree.seconds.toFixed(2)} s (${result.tree.rssMb.toFixed(0)} MB) → ${result.ratio.toFixed(2)}x skopeo ` +
      `(skopeo does not inflate layers; the tree time is bounded by inflate, see docs/performance.md)`,
  )
  if (values.check && !ok) process.exitCode = 1
}
