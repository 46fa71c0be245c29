// The benchmark image, planned as data: which entries each layer holds, from (scale, seed) alone, so a
// worker process can rebuild its layer's part of the plan without being sent 150k entries.
//
// At scale 1: 8 gzip layers, ~148k files, ~2.3 GB of layer tars; /opt (python, nodejs, extensions,
// lib) is about 0.9 GB and is also written as layer zips for the compare bench.
//
// Real layers hold deep trees (node_modules inside node_modules, site-packages data directories): in
// the `deep` groups 8% of the files sit in directories whose tar names run past 100 bytes (about 4% of
// the image's files), and the layers holding them are written in different writers' shapes
// (tar-writers.js): PAX as Python's tarfile writes it, GNU long names as GNU tar does, and our own.
import {xorshift32} from '../../../fixtures/lib/content.js'

export const PLAN_VERSION = 4
/**
 * The variant image `diff` is timed on: the bench image with one layer changed, the others byte-identical
 * (same diff_ids). In that layer's first group, at scale 1: 300 files get new content (same size, same
 * mode and mtime: only a content hash tells), 300 are gone, and 300 new ones sit in directories that were
 * already there (none is a whole directory added or removed). Files a later layer overwrites are left alone, so every change shows
 * in the merged tree. Bump VARIANT_VERSION when this changes (the base image is not regenerated for it).
 */
export const VARIANT_VERSION = 1
export const VARIANT = {layer: 2, group: 0, modified: 300, added: 300, removed: 300}
/** The content pool: 64 MiB at full scale, smaller for tiny test images so workers start fast. */
export function poolSizeFor(scale) {
  return scale >= 0.05 ? 64 * 1024 * 1024 : 4 * 1024 * 1024
}
const MB = 1024 * 1024

/** Layer recipes at scale 1. `files`/`bytes` are scaled; overwrites and whiteouts refer to earlier groups. */
const RECIPES = [
  {createdBy: '/bin/sh -c #(nop) ADD file:bench-base in / ', groups: [
    {prefix: '/usr/lib/x86_64-linux-gnu', files: 38000, bytes: 290 * MB, ext: '.so', exec: 0.3},
    {prefix: '/usr/share/doc-old', files: 2000, bytes: 12 * MB, ext: '.txt'},
  ], fixed: 'base'},
  {createdBy: 'COPY /var/lang /var/lang # buildkit', groups: [
    {prefix: '/var/lang/lib/python3.12', files: 25000, bytes: 260 * MB, ext: '.py', deep: true},
  ], fixed: 'python'},
  {createdBy: 'COPY /opt/python /opt/python # buildkit', groups: [
    {prefix: '/opt/python/lib/python3.12/site-packages', files: 30000, bytes: 520 * MB, ext: '.py', deep: true},
  ], writer: 'pax'},
  {createdBy: 'COPY /opt/nodejs /opt/extensions /opt/bin /opt/ # buildkit', groups: [
    {prefix: '/opt/nodejs/node_modules', files: 25000, bytes: 300 * MB, ext: '.js', deep: true},
  ], fixed: 'extensions', writer: 'gnu'},
  {createdBy: 'RUN /bin/sh -c fetch-models /usr/share/models # buildkit', groups: [
    {prefix: '/usr/share/models', files: 20, bytes: 440 * MB, ext: '.bin', big: true},
    {prefix: '/usr/share/models/index', files: 10000, bytes: 50 * MB, ext: '.json'},
  ]},
  {createdBy: 'RUN /bin/sh -c apt-get upgrade && rm -rf /usr/share/doc-old && mkdir /usr/share/doc-old # buildkit', groups: [
    {prefix: '/usr/local/lib', files: 6000, bytes: 100 * MB, ext: '.a'},
    {prefix: '/usr/share/doc-old', files: 10, bytes: 40000, ext: '.md', opaque: true},
  ], overwrite: {layer: 0, group: 0, every: 19}, whiteout: {layer: 0, group: 0, every: 251, offset: 7}},
  {createdBy: 'COPY /opt/lib /opt/lib # buildkit', groups: [
    {prefix: '/opt/lib', files: 2000, bytes: 60 * MB, ext: '.so', exec: 1},
  ], overwrite: {layer: 2, group: 0, every: 61}, whiteout: {layer: 3, group: 0, every: 250, offset: 3}, whiteoutDir: {layer: 3, group: 0}, fixed: 'credentials'},
  {createdBy: 'COPY . /var/task/ # buildkit', groups: [
    {prefix: '/var/task', files: 8000, bytes: 80 * MB, ext: '.py'},
  ], whiteout: {layer: 1, group: 0, every: 500, offset: 11}, fixed: 'task'},
]

export const LAYER_COUNT = RECIPES.length

function scaled(n, scale) {
  return Math.max(1, Math.round(n * scale))
}

/** Path of file i of a group: ~20 files a directory, ~10 directories a package; in `deep` groups 8% deeper. */
export function groupPath(group, i) {
  const file = `f${i}${group.ext}`
  if (group.deep && (i % 25 === 1 || i % 25 === 2)) return `${deepDirectory(group, Math.floor(i / 200), deepKind(i))}/${file}`
  return `${group.prefix}/pkg${Math.floor(i / 200)}/mod${Math.floor(i / 20) % 10}/${file}`
}

/**
 * The shapes of a deep directory, by where its tar name (no leading '/') puts a '/': 0 at byte 99 (a
 * file's first 100 bytes end in '/'), 1 at byte 100 (they are exactly this directory's path), 2 a
 * directory of 101–180 bytes, 3 one of 260–380 (too long for a ustar prefix + name split). The first
 * deep files of a group are kinds 0 and 1, so even a tiny image has both cuts.
 */
export function deepKind(i) {
  return ((i % 25) - 1 + 2 * Math.floor(i / 25)) % 4
}

const DEEP_WORDS = {
  '.py': ['botocore', 'data', 'cognito-identity-provider', '2016-04-18', 'googleapiclient', 'discovery_cache', 'documents', 'tests', 'integration', 'vendored', 'requests_toolbelt', 'adapters', 'pandas', '_libs', 'tslibs'],
  '.js': ['node_modules', '@aws-sdk', 'client-cognito-identity-provider', 'dist-cjs', 'commands', '@smithy', 'middleware-endpoint', 'dist-types', 'ts3.4', 'adaptors', 'internal', 'esm', 'protocols'],
}

/**
 * A deep directory for files of package `pkg`, '/'-rooted, its tar name as long as `kind` says. Five
 * packages share one deep tree (under the first one's directory) and every kind cuts the same chain of
 * names, so the image gains ~2k directories, not one chain per file.
 */
function deepDirectory(group, pkg, kind) {
  const bucket = pkg - (pkg % 5)
  const head = `${group.prefix}/pkg${bucket}`
  const h = (bucket * 2654435761) >>> 0
  const length = kind === 0 ? 99 : kind === 1 ? 100 : kind === 2 ? 101 + (h % 80) : 260 + (h % 121)
  const words = DEEP_WORDS[group.ext] ?? DEEP_WORDS['.py']
  let chain = ''
  for (let w = h; chain.length < 400; w = (w * 1103515245 + 12345) >>> 0) chain += `${chain ? '/' : ''}${words[(w >>> 8) % words.length]}`
  // The tar name drops the leading '/': `head` adds head.length - 1 bytes, the '/' after it one more.
  let rest = chain.slice(0, length - head.length)
  if (rest.endsWith('/')) rest = `${rest.slice(0, -1)}x`
  return `${head}/${rest}`
}

/** How layer `index` is written (tar-writers.js): 'own', 'pax' or 'gnu'. */
export function layerWriter(index) {
  return RECIPES[index].writer ?? 'own'
}

/** Sizes for a group's files: heavy-tailed, summing to about `bytes`, each below the content pool. */
function groupSizes(group, scale, seed) {
  const poolSize = poolSizeFor(scale)
  const count = scaled(group.files, scale)
  const bytes = Math.max(count, Math.round(group.bytes * scale))
  const next = xorshift32(seed)
  const weights = Array.from({length: count}, () => (group.big ? 1 + (next() % 100) / 100 : Math.exp((next() / 0xffffffff) * 6)))
  const sum = weights.reduce((a, b) => a + b, 0)
  return weights.map((w) => Math.min(poolSize - 1, Math.max(1, Math.floor((bytes * w) / sum))))
}

/** Small fixed files that make the image a plausible Lambda function (and give scan one credential file). */
function fixedEntries(kind, secrets) {
  const text = (path, body, mode = 0o644) => ({path, type: 'file', mode, text: body})
  switch (kind) {
    case 'base':
      return [
        text('/bin/sh', '\x7fELF-stub\n', 0o755),
        text('/usr/bin/env', '\x7fELF-stub\n', 0o755),
        text('/lib64/ld-linux-x86-64.so.2', '\x7fELF-stub\n', 0o755),
        text('/lambda-entrypoint.sh', '#!/bin/sh\nexec /var/runtime/bootstrap "$@"\n', 0o755),
        text('/etc/os-release', 'NAME="Amazon Linux"\nVERSION="2023"\n'),
      ]
    case 'python':
      return [text('/var/lang/bin/python3.12', '\x7fELF-stub\n', 0o755), {path: '/var/lang/bin/python3', type: 'symlink', target: 'python3.12'}]
    case 'extensions':
      return [
        text('/opt/extensions/log-shipper', '#!/bin/sh\nexec python3 /opt/log-shipper/extension.py\n', 0o755),
        text('/opt/extensions/py-metrics', '#!/usr/bin/env python3\nprint("metrics")\n', 0o755),
        text('/opt/extensions/health', '#!/bin/sh\necho ok\n', 0o755),
        text('/opt/log-shipper/extension.py', 'import sys\nprint("log shipper")\n'),
        text('/opt/wrapper', '#!/bin/sh\nexec "$@"\n', 0o755),
        {path: '/opt/bin/log-shipper', type: 'symlink', target: '../extensions/log-shipper'},
      ]
    case 'credentials':
      return [text('/root/.aws/credentials', `[default]\naws_access_key_id = ${secrets.accessKeyId}\naws_secret_access_key = ${secrets.secretAccessKey}\n`, 0o600)]
    case 'task':
      return [text('/var/task/app.py', 'def lambda_handler(event, context):\n    return {"statusCode": 200}\n'), {whiteout: '/root/.aws/credentials'}]
    default:
      return []
  }
}

/**
 * Entries of layer `index`: {path, type, mode, size, contentSeed} for generated files, {path, type,
 * mode, text} for fixed ones, {whiteout: path} and {opaque: dir}. Parent directories are implied;
 * the writer emits them.
 */
export function layerEntries(index, {scale, seed, secrets, variant = false}) {
  const recipe = RECIPES[index]
  const out = []
  const fileMode = (group, i) => (group.exec && (group.exec >= 1 || (i * 2654435761) % 1000 < group.exec * 1000) ? 0o755 : 0o644)
  recipe.groups.forEach((group, g) => {
    const sizes = groupSizes(group, scale, seed * 1000 + index * 10 + g)
    if (group.opaque) out.push({opaque: group.prefix})
    const change = variant && index === VARIANT.layer && g === VARIANT.group ? variantChanges(sizes.length, scale) : undefined
    sizes.forEach((size, i) => {
      const contentSeed = (seed * 7919 + index * 104729 + g * 1299709 + i * 15485863) >>> 0
      const kind = change?.get(i)
      if (kind === 'removed') return
      out.push({path: groupPath(group, i), type: 'file', mode: fileMode(group, i), size, contentSeed: kind === 'modified' ? (contentSeed ^ 0x5bd1e995) >>> 0 : contentSeed})
      if (kind === 'added') {
        const path = `${groupPath(group, i).replace(/\/[^/]+$/, '')}/new${i}${group.ext}`
        out.push({path, type: 'file', mode: fileMode(group, i), size, contentSeed: (contentSeed * 31 + 0x9e3779b9) >>> 0})
      }
    })
  })
  const lower = (ref) => RECIPES[ref.layer].groups[ref.group]
  const lowerCount = (ref) => scaled(lower(ref).files, scale)
  if (recipe.overwrite) {
    const group = lower(recipe.overwrite)
    const sizes = groupSizes(group, scale, seed * 1000 + recipe.overwrite.layer * 10 + recipe.overwrite.group)
    for (let i = 0; i < lowerCount(recipe.overwrite); i += recipe.overwrite.every) {
      out.push({path: groupPath(group, i), type: 'file', mode: 0o644, size: sizes[i], contentSeed: (seed * 31 + index * 977 + i * 7) >>> 0})
    }
  }
  if (recipe.whiteout) {
    const group = lower(recipe.whiteout)
    const count = lowerCount(recipe.whiteout)
    for (let i = recipe.whiteout.offset % count; i < count; i += recipe.whiteout.every) out.push({whiteout: groupPath(group, i)})
  }
  if (recipe.whiteoutDir) {
    // the last package directory of the group goes away whole (a `.wh.pkgN` over a directory)
    const group = lower(recipe.whiteoutDir)
    const last = Math.floor((lowerCount(recipe.whiteoutDir) - 1) / 200)
    if (last > 0) out.push({whiteout: `${group.prefix}/pkg${last}`})
  }
  out.push(...fixedEntries(recipe.fixed, secrets))
  return out
}

/**
 * Which files of the variant's group change, by index: {i → 'modified' | 'removed' | 'added'} ('added':
 * a new file next to file i). Spread over the group, never a file a later layer overwrites or whites out.
 */
function variantChanges(count, scale) {
  const taken = new Set()
  for (const later of RECIPES.slice(VARIANT.layer + 1)) {
    for (const ref of [later.overwrite, later.whiteout]) {
      if (ref?.layer !== VARIANT.layer || ref.group !== VARIANT.group) continue
      for (let i = (ref.offset ?? 0) % count; i < count; i += ref.every) taken.add(i)
    }
  }
  const change = new Map()
  const kinds = ['modified', 'removed', 'added']
  kinds.forEach((kind, k) => {
    const n = Math.min(scaled(VARIANT[kind], scale), Math.floor(count / kinds.length))
    const step = count / n
    for (let j = 0; j < n; j++) {
      // the j-th pick of each kind is in the same stretch of the group, a third of the step apart; the
      // shift by j % 25 lands picks on deep paths as often as the group has them (groupPath)
      let i = Math.floor(j * step + (k * step) / kinds.length) + (j % 25)
      while (i < count - 1 && (taken.has(i) || change.has(i))) i++
      if (i < count && !taken.has(i) && !change.has(i)) change.set(i, kind)
    }
  })
  return change
}

/** How many files the variant modifies, adds and removes at `scale`: {modified, added, removed}. */
export function variantCounts(scale) {
  const counts = {modified: 0, added: 0, removed: 0}
  for (const kind of variantChanges(scaled(RECIPES[VARIANT.layer].groups[VARIANT.group].files, scale), scale).values()) counts[kind]++
  return counts
}

export function layerCreatedBy(index) {
  return RECIPES[index].createdBy
}

/** The merged /opt after all layers, as {path → entry}: what the layer zips must hold. */
export function mergedOpt(options) {
  const opt = new Map()
  for (let index = 0; index < LAYER_COUNT; index++) {
    const entries = layerEntries(index, options)
    const opaque = entries.filter((e) => e.opaque?.startsWith('/opt/'))
    for (const {opaque: dir} of opaque) for (const key of [...opt.keys()]) if (key.startsWith(dir + '/')) opt.delete(key)
    for (const e of entries) {
      if (e.whiteout?.startsWith('/opt/')) {
        opt.delete(e.whiteout)
        for (const key of [...opt.keys()]) if (key.startsWith(e.whiteout + '/')) opt.delete(key)
      } else if (e.path?.startsWith('/opt/')) {
        opt.set(e.path, e)
      }
    }
  }
  return opt
}
