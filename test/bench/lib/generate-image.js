// Generates (or reuses) the benchmark inputs in a directory outside the repo:
//   layers/<hex>.tar.gz      the 8 gzip layers (also what `tar -tzf`/`zcat` read), in several writers' shapes (tar-writers.js)
//   image.tar                docker-archive, go-containerregistry layout (config `sha256:<hex>`, `<hex>.tar.gz` layers)
//   zips/NN-<name>.zip       layer zips holding the image's final /opt, in function layer order
//   bench-image.json         the spec it was made from and facts about it; reused when the spec matches
//   variant.tar              the diff bench's second image: the same but layer VARIANT.layer (plan.js), whose blob
//                            is in variant-layers/<hex>.tar.gz; the other layers are the same blobs (same diff_ids)
//   bench-variant.json       its spec (the base image's config digest included) and facts, reused the same way
import {spawn, spawnSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {once} from 'node:events'
import {createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {cpus} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {fakeAccessKeyId, fakeSecretAccessKey} from '../../../fixtures/lib/fake-secrets.js'
import {sortedJson} from '../../../fixtures/lib/image.js'
import {contentPadding, entryHeader, tarEnd} from '../../../fixtures/lib/tar.js'
import {centralHeader, endOfCentralDirectory, localHeader, zipRecord} from '../../../fixtures/lib/zip.js'
import {LAYER_COUNT, layerCreatedBy, mergedOpt, PLAN_VERSION, VARIANT, VARIANT_VERSION, variantCounts} from './plan.js'
import {buildPool, contentOf} from './pool.js'

const HERE = dirname(fileURLToPath(import.meta.url))
const STATE = 'bench-image.json'
const VARIANT_STATE = 'bench-variant.json'

/** Fake credentials planted in one layer (and deleted by the next) so `scan` has work; see docs/fixtures.md. */
export const BENCH_SECRETS = {accessKeyId: fakeAccessKeyId('bench'), secretAccessKey: fakeSecretAccessKey('bench')}

export function hasCommand(name) {
  return spawnSync('sh', ['-c', `command -v ${name}`], {stdio: 'ignore'}).status === 0
}

function runWorker(job) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(HERE, 'layer-worker.js'), JSON.stringify(job)], {stdio: ['ignore', 'pipe', 'inherit']})
    let out = ''
    child.stdout.on('data', (c) => (out += c))
    child.on('error', reject)
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`layer ${job.index}: worker exited with ${code}`))))
  })
}

async function buildLayers(spec, dir, log) {
  const layersDir = join(dir, 'layers')
  mkdirSync(layersDir, {recursive: true})
  const usePigz = spec.pigz && hasCommand('pigz')
  const concurrency = Math.max(1, Math.min(spec.jobs ?? cpus().length, LAYER_COUNT))
  // biggest layers first so the last worker is not left with a big one alone
  const queue = [4, 2, 0, 3, 1, 5, 7, 6].filter((i) => i < LAYER_COUNT)
  const results = []
  const next = async () => {
    while (queue.length > 0) {
      const index = queue.shift()
      const started = Date.now()
      const result = await runWorker({index, scale: spec.scale, seed: spec.seed, secrets: BENCH_SECRETS, out: join(layersDir, `layer-${index}.tar.gz`), level: spec.level, pigz: usePigz})
      const named = join(layersDir, `${result.digest.slice(7)}.tar.gz`)
      renameSync(join(layersDir, `layer-${index}.tar.gz`), named)
      results[index] = {...result, file: named}
      const names = result.longNames > 0 ? `, ${result.longNames} names over 100 bytes` : ''
      log(`  layer ${index} (${result.writer} tar): ${result.files} files${names}, ${mb(result.uncompressedSize)} MB tar, ${mb(result.size)} MB gzip, ${((Date.now() - started) / 1000).toFixed(1)} s`)
    }
  }
  log(`generating ${LAYER_COUNT} layers with ${concurrency} processes (${usePigz ? 'pigz' : 'zlib'} -${spec.level})`)
  await Promise.all(Array.from({length: concurrency}, next))
  return results
}

const mb = (n) => (n / 1e6).toFixed(1)

async function writeArchive(path, layers, config, repoTag = 'layer-audit/bench:latest') {
  const configBytes = Buffer.from(sortedJson(config))
  const configName = 'sha256:' + createHash('sha256').update(configBytes).digest('hex')
  const layerNames = layers.map((l) => `${l.digest.slice(7)}.tar.gz`)
  const manifest = Buffer.from(sortedJson([{Config: configName, RepoTags: [repoTag], Layers: layerNames}]))
  const tmp = `${path}.partial`
  const out = createWriteStream(tmp, {highWaterMark: 1 << 20})
  const write = async (buf) => {
    if (!out.write(buf)) await once(out, 'drain')
  }
  await write(entryHeader({name: configName, size: configBytes.length}))
  await write(configBytes)
  await write(contentPadding(configBytes.length))
  for (const [i, layer] of layers.entries()) {
    await write(entryHeader({name: layerNames[i], size: layer.size}))
    for await (const chunk of createReadStream(layer.file, {highWaterMark: 1 << 20})) await write(chunk)
    await write(contentPadding(layer.size))
  }
  await write(entryHeader({name: 'manifest.json', size: manifest.length}))
  await write(manifest)
  await write(contentPadding(manifest.length))
  await write(tarEnd())
  out.end()
  await once(out, 'close')
  renameSync(tmp, path)
  return {configName, layerNames}
}

/** /opt split into layer zips the way a function would list them: python, nodejs, then the rest. */
async function writeZips(spec, dir) {
  const zipsDir = join(dir, 'zips')
  rmSync(zipsDir, {recursive: true, force: true})
  mkdirSync(zipsDir, {recursive: true})
  const opt = mergedOpt({scale: spec.scale, seed: spec.seed, secrets: BENCH_SECRETS})
  const groups = [
    ['01-python', (p) => p.startsWith('/opt/python/')],
    ['02-nodejs', (p) => p.startsWith('/opt/nodejs/')],
    ['03-extensions', () => true],
  ]
  const assigned = new Map()
  for (const path of [...opt.keys()].sort()) {
    const name = groups.find(([, match]) => match(path))[0]
    if (!assigned.has(name)) assigned.set(name, [])
    assigned.get(name).push(opt.get(path))
  }
  const pool = buildPool(spec.seed, spec.scale)
  const zips = []
  for (const [name] of groups) {
    const entries = assigned.get(name)
    if (!entries) continue
    const file = join(zipsDir, `${name}.zip`)
    zips.push({file, entries: await writeStoredZip(file, entries, pool)})
  }
  return zips
}

/** A stored (not deflated) zip, streamed: Lambda accepts either, and compare reads CRCs from the directory. */
async function writeStoredZip(file, entries, pool) {
  const out = createWriteStream(file, {highWaterMark: 1 << 20})
  const central = []
  let offset = 0
  const write = async (buf) => {
    offset += buf.length
    if (!out.write(buf)) await once(out, 'drain')
  }
  const dirs = new Set()
  const add = async (entry) => {
    const rec = zipRecord(entry, {method: 'store'})
    central.push(centralHeader(rec, offset))
    await write(localHeader(rec))
    await write(rec.data)
  }
  for (const entry of entries) {
    const rel = entry.path.slice('/opt/'.length)
    const parts = rel.split('/').slice(0, -1)
    for (let i = 1; i <= parts.length; i++) {
      const d = parts.slice(0, i).join('/')
      if (dirs.has(d)) continue
      dirs.add(d)
      await add({name: d, type: 'directory', mode: 0o755})
    }
    if (entry.type === 'symlink') await add({name: rel, type: 'symlink', target: entry.target})
    else await add({name: rel, type: 'file', mode: entry.mode, data: contentOf(pool, entry)})
  }
  const cd = Buffer.concat(central)
  const cdOffset = offset
  await write(cd)
  await write(endOfCentralDirectory(central.length, cd.length, cdOffset))
  out.end()
  await once(out, 'close')
  return central.length
}

function configFor(layers, spec) {
  const created = '2024-05-01T12:00:00Z'
  return {
    architecture: 'amd64',
    os: 'linux',
    created,
    config: {
      Env: ['PATH=/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin', 'LAMBDA_TASK_ROOT=/var/task', 'AWS_LAMBDA_EXEC_WRAPPER=/opt/wrapper'],
      Entrypoint: ['/lambda-entrypoint.sh'],
      Cmd: ['app.lambda_handler'],
      WorkingDir: '/var/task',
      Labels: {'layer-audit.bench.scale': String(spec.scale)},
    },
    rootfs: {type: 'layers', diff_ids: layers.map((l) => l.diffId)},
    history: layers.map((_, i) => ({created, created_by: layerCreatedBy(i)})),
  }
}

function stateMatches(state, spec) {
  if (!state || sortedJson(state.spec) !== sortedJson(spec)) return false
  const files = [state.archive, ...state.layers.map((l) => l.file), ...state.zips.map((z) => z.file)]
  return files.every((f) => existsSync(f)) && statSync(state.archive).size === state.archiveSize
}

/**
 * Returns the bench image's facts, generating it when `dir` holds none for this spec.
 * spec: {scale, seed, level, pigz, jobs?}
 */
export async function ensureBenchImage(dir, spec, log = console.log) {
  const fullSpec = {version: PLAN_VERSION, scale: spec.scale, seed: spec.seed, level: spec.level}
  const statePath = join(dir, STATE)
  let state
  try {
    state = JSON.parse(readFileSync(statePath, 'utf8'))
  } catch {
    state = undefined
  }
  if (stateMatches(state, fullSpec)) {
    log(`reusing the bench image in ${dir} (scale ${spec.scale}, seed ${spec.seed})`)
    return {...state, reused: true}
  }
  const started = Date.now()
  rmSync(join(dir, 'layers'), {recursive: true, force: true})
  mkdirSync(dir, {recursive: true})
  const layers = await buildLayers({...spec, ...fullSpec}, dir, log)
  const archive = join(dir, 'image.tar')
  const config = configFor(layers, fullSpec)
  const {configName, layerNames} = await writeArchive(archive, layers, config)
  log('writing layer zips of /opt')
  const zips = await writeZips(fullSpec, dir)
  state = {
    spec: fullSpec,
    archive,
    archiveSize: statSync(archive).size,
    configName,
    layers: layers.map((l, i) => ({...l, name: layerNames[i]})),
    zips: zips.map((z) => ({file: z.file, entries: z.entries, size: statSync(z.file).size})),
    totals: {
      uncompressed: layers.reduce((s, l) => s + l.uncompressedSize, 0),
      compressed: layers.reduce((s, l) => s + l.size, 0),
      files: layers.reduce((s, l) => s + l.files, 0),
      whiteouts: layers.reduce((s, l) => s + l.whiteouts, 0),
      longNames: layers.reduce((s, l) => s + l.longNames, 0),
    },
    generatedSeconds: (Date.now() - started) / 1000,
  }
  writeFileSync(statePath, JSON.stringify(state, null, 2) + '\n')
  log(`generated in ${state.generatedSeconds.toFixed(1)} s`)
  return {...state, reused: false}
}

/**
 * Returns the variant image's facts (see plan.js VARIANT), generating it when `dir` holds none for this
 * spec and this base image. `state` is what ensureBenchImage returned; spec as for ensureBenchImage.
 */
export async function ensureVariantImage(dir, state, spec, log = console.log) {
  const fullSpec = {version: PLAN_VERSION, variant: VARIANT_VERSION, scale: spec.scale, seed: spec.seed, level: spec.level, base: state.configName}
  const statePath = join(dir, VARIANT_STATE)
  let variant
  try {
    variant = JSON.parse(readFileSync(statePath, 'utf8'))
  } catch {
    variant = undefined
  }
  if (variant && sortedJson(variant.spec) === sortedJson(fullSpec) && existsSync(variant.archive) && statSync(variant.archive).size === variant.archiveSize) {
    log(`reusing the variant image in ${dir}`)
    return {...variant, reused: true}
  }
  const started = Date.now()
  const layersDir = join(dir, 'variant-layers')
  rmSync(layersDir, {recursive: true, force: true})
  mkdirSync(layersDir, {recursive: true})
  ensureLayersExtracted(state, dir)
  const index = VARIANT.layer
  const usePigz = spec.pigz && hasCommand('pigz')
  log(`generating the variant image: layer ${index} changed (${usePigz ? 'pigz' : 'zlib'} -${spec.level})`)
  const out = join(layersDir, `layer-${index}.tar.gz`)
  const result = await runWorker({index, scale: spec.scale, seed: spec.seed, secrets: BENCH_SECRETS, out, level: spec.level, pigz: usePigz, variant: true})
  const file = join(layersDir, `${result.digest.slice(7)}.tar.gz`)
  renameSync(out, file)
  const layers = state.layers.map((l, i) => (i === index ? {...result, file} : l))
  const archive = join(dir, 'variant.tar')
  const {configName, layerNames} = await writeArchive(archive, layers, configFor(layers, fullSpec), 'layer-audit/bench:variant')
  variant = {
    spec: fullSpec,
    archive,
    archiveSize: statSync(archive).size,
    configName,
    layer: {...result, file, name: layerNames[index]},
    changes: variantCounts(spec.scale),
    generatedSeconds: (Date.now() - started) / 1000,
  }
  writeFileSync(statePath, JSON.stringify(variant, null, 2) + '\n')
  log(`generated the variant in ${variant.generatedSeconds.toFixed(1)} s`)
  return {...variant, reused: false}
}

/** Makes sure every layer blob sits in layers/ (extracting them from the archive once if not). */
export function ensureLayersExtracted(state, dir) {
  const missing = state.layers.filter((l) => !existsSync(l.file) || statSync(l.file).size !== l.size)
  if (missing.length === 0) return
  mkdirSync(join(dir, 'layers'), {recursive: true})
  const r = spawnSync('tar', ['-xf', state.archive, '-C', join(dir, 'layers'), ...missing.map((l) => l.name)], {stdio: 'inherit'})
  if (r.status !== 0) throw new Error(`could not extract layers from ${state.archive}`)
}

/** sha256 of a file, streamed (the test checks diff_ids and digests with it). */
export async function fileSha256(path) {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path, {highWaterMark: 1 << 20})) hash.update(chunk)
  return 'sha256:' + hash.digest('hex')
}
