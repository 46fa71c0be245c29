#!/usr/bin/env node
// `npm run bench`: generates (on demand, outside the repo) a large docker-archive and times layer-audit
// on it next to the reference tools, printing seconds, peak RSS and the ratios the issues set as targets.
// Usage: node test/bench/bench.js [--scale 1] [--runs 3] [--slow-runs 1] [--dir DIR] [--only a,b] [--skip a,b]
//                              [--generate-only] [--check] [--seed 1] [--level 6] [--jobs N] [--no-pigz]
import {spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'
import {parseArgs} from 'node:util'
import {ensureBenchImage, ensureLayersExtracted, ensureVariantImage, hasCommand} from './lib/generate-image.js'
import {HAVE_GNU_TIME, measure, median} from './lib/measure.js'
import {runRegistryBench} from './registry.js'
import {FLEET_TARGETS, runFleetBench} from './fleet-runner.js'

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const RUN_JS = join(REPO, 'bin/run.js')

const {values: opts} = parseArgs({
  options: {
    scale: {type: 'string', default: '1'},
    seed: {type: 'string', default: '1'},
    runs: {type: 'string', default: '3'},
    'slow-runs': {type: 'string', default: '1'},
    dir: {type: 'string'},
    only: {type: 'string'},
    skip: {type: 'string'},
    level: {type: 'string', default: '6'},
    jobs: {type: 'string'},
    'no-pigz': {type: 'boolean', default: false},
    'generate-only': {type: 'boolean', default: false},
    check: {type: 'boolean', default: false},
    help: {type: 'boolean', short: 'h', default: false},
  },
})

if (opts.help) {
  console.log(`usage: node test/bench/bench.js [options]   (npm run bench -- [options])
  --scale F         image size factor (1 = >= 2 GB, 148k files, 8 gzip layers; 0.001 for a smoke test)
  --runs N          timed runs per command, median reported (default 3)
  --slow-runs N     runs of skopeo copy / umoci unpack (default 1; they take minutes)
  --dir DIR         where the image lives (default $LAYER_AUDIT_BENCH_DIR or ${join(tmpdir(), 'layer-audit-bench')})
  --only/--skip L   comma-separated ids: tree,inspect,compare,scan,diff,tar-tzf,zcat,pigz-dc,skopeo-copy,umoci-unpack,
                    diff-peer,layer-image,unzip-tar,registry,fleet (fleet: 205 functions over 20 images on loopback; diff: the image against its variant, one layer changed;
                    diff-peer: skopeo copy + umoci unpack of both, then diff -r; layer-image: the layer zips to an
                    OCI layout; unzip-tar: its peer, unzip -o of the zips into a temp dir, then tar -czf of it)
  --generate-only   build (or reuse) the images and stop
  --check           exit 1 when a target is missed
  --seed, --level, --jobs, --no-pigz   generation: content seed, gzip level, worker processes, use zlib not pigz`)
  process.exit(0)
}

const scale = Number(opts.scale)
const runs = Math.max(1, Number(opts.runs))
const slowRuns = Math.max(1, Number(opts['slow-runs']))
const dir = resolve(opts.dir ?? process.env.LAYER_AUDIT_BENCH_DIR ?? join(tmpdir(), 'layer-audit-bench'))
const only = opts.only ? new Set(opts.only.split(',')) : undefined
const skip = new Set(opts.skip ? opts.skip.split(',') : [])
const wanted = (id) => (!only || only.has(id)) && !skip.has(id)

const gb = (n) => (n / 1e9).toFixed(2)

// The fleet bench builds its own account (20 images, 205 functions on loopback): alone, it needs no bench image.
async function fleetBench() {
  console.log('\nfleet on a loopback account:')
  try {
    return await runFleetBench(REPO, {log: (line) => console.log(line)})
  } catch (error) {
    console.log(`FAILED fleet: ${error.message.slice(0, 300)}`)
    return undefined
  }
}
const fleetTargets = (fleet) => [
  {name: 'fleet bytes read / unique layer bytes', value: fleet?.bytesRatio, max: FLEET_TARGETS.bytesRatio, source: 'fleet'},
  {name: 'fleet / (compare --function x 20)', value: fleet?.timeRatio, max: FLEET_TARGETS.timeRatio, source: 'fleet'},
  {name: 'fleet peak RSS (MB)', value: fleet?.fleetRss},
]
if (only && [...only].every((id) => id === 'fleet')) {
  const fleet = await fleetBench()
  let missedFleet = 0
  for (const target of fleetTargets(fleet)) {
    const pass = target.value !== undefined && (target.max === undefined || target.value <= target.max)
    if (!pass && target.max !== undefined) missedFleet++
    console.log(`${target.name.padEnd(40)}${(target.value === undefined ? 'n/a' : target.value.toFixed(2)).padStart(10)}${(target.max === undefined ? '' : `<= ${target.max}`).padStart(10)}  ${target.max === undefined ? 'info' : pass ? 'PASS' : 'MISS'}`)
  }
  process.exit(opts.check && missedFleet > 0 ? 1 : 0)
}

const spec = {scale, seed: Number(opts.seed), level: Number(opts.level), pigz: !opts['no-pigz'], jobs: opts.jobs ? Number(opts.jobs) : undefined}
const state = await ensureBenchImage(dir, spec)
const t = state.totals
console.log(
  `image: ${state.archive}\n  ${state.layers.length} gzip layers, ${gb(t.uncompressed)} GB uncompressed (${gb(t.compressed)} GB gzip), ` +
    `${t.files} files, ${t.whiteouts} whiteouts, ${t.longNames} names over 100 bytes ` +
    `(${state.layers.map((l, i) => `${i}: ${l.writer}`).join(', ')}); layer zips: ${state.zips.map((z) => z.file).join(' ')}`,
)
if (scale >= 1 && (t.uncompressed < 2e9 || t.files < 140_000 || state.layers.length < 8)) {
  console.log('  warning: below the issue\'s bench size (>= 2 GB, 140k files, 8 layers)')
}
// The diff benches' second image: the bench image with one layer changed (plan.js VARIANT).
const variant = wanted('diff') || wanted('diff-peer') ? await ensureVariantImage(dir, state, spec) : undefined
if (variant) {
  const c = variant.changes
  console.log(
    `variant: ${variant.archive}\n  layer ${variant.layer.index} changed (${c.modified} files modified, ${c.added} added, ${c.removed} removed; ` +
      `${gb(variant.layer.size)} GB gzip), the other ${state.layers.length - 1} layers shared`,
  )
}
if (opts['generate-only']) process.exit(0)

ensureLayersExtracted(state, dir)
const layerFiles = state.layers.map((l) => l.file)
const image = state.archive
const ociDir = join(dir, 'skopeo-oci')
const layerImageDir = join(dir, 'layer-image-oci')
const unzipDir = join(dir, 'unzip-opt')
const unzipTar = join(dir, 'unzip-opt.tar.gz')
const zipFiles = state.zips.map((z) => z.file)
const bundle = join(dir, 'umoci-bundle')

/** Whether `layer-audit COMMAND --help` works: commands still being written are skipped with the reason. */
function cliCommand(command) {
  const r = spawnSync(process.execPath, [RUN_JS, command, '--help'], {cwd: REPO, encoding: 'utf8'})
  if (r.status === 0) return {ok: true}
  if (!existsSync(join(REPO, 'dist/commands'))) return {ok: false, reason: 'dist/ is missing: run `npm run build` (npm run bench does)'}
  const why = (r.stderr || r.stdout || '').trim().split('\n').find((l) => l.trim()) ?? ''
  return {ok: false, reason: `\`layer-audit ${command} --help\` exited ${r.status}${why ? `: ${why.slice(0, 160)}` : ''}`}
}

const cli = (...args) => [process.execPath, RUN_JS, ...args]

/**
 * The peer of `diff`: skopeo copy of both images to OCI layouts, umoci unpack of both, `diff -r` of the
 * two rootfs (exit 1: they differ), in a temp dir removed afterwards. Each step is timed on its own; the
 * run's time is their sum, its peak RSS the largest step's.
 */
async function diffPeer() {
  const work = mkdtempSync(join(dir, 'diff-peer-'))
  const steps = []
  try {
    const step = async (name, argv, okCodes) => {
      const r = await measure(argv, {cwd: REPO, okCodes})
      steps.push({name, seconds: r.seconds, rssMb: r.rssMb})
      return r.ok ? undefined : {...r, stderr: `${name}: ${r.stderr}`}
    }
    const sides = [['a', image], ['b', variant.archive]]
    for (const [side, archive] of sides) {
      const failed = await step(`skopeo copy ${side}`, ['skopeo', 'copy', '-q', `docker-archive:${archive}`, `oci:${join(work, `oci-${side}`)}:bench`])
      if (failed) return failed
    }
    for (const [side] of sides) {
      const failed = await step(`umoci unpack ${side}`, ['umoci', 'unpack', '--rootless', '--image', `${join(work, `oci-${side}`)}:bench`, join(work, `bundle-${side}`)])
      if (failed) return failed
    }
    const failed = await step('diff -r', ['diff', '-r', join(work, 'bundle-a/rootfs'), join(work, 'bundle-b/rootfs')], [1])
    if (failed) return failed
    const of = (prefix) => steps.filter((s) => s.name.startsWith(prefix)).map((s) => s.seconds.toFixed(2))
    return {
      ok: true,
      code: 0,
      stderr: '',
      seconds: steps.reduce((sum, s) => sum + s.seconds, 0),
      rssMb: Math.max(...steps.map((s) => s.rssMb)),
      steps,
      detail: `skopeo copy ${of('skopeo').join(' + ')} s, umoci unpack ${of('umoci').join(' + ')} s, diff -r ${of('diff').join('')} s`,
    }
  } finally {
    rmSync(work, {recursive: true, force: true})
  }
}

const seqLoop = (cmd) => ['sh', '-c', `for f in "$@"; do ${cmd} "$f" > /dev/null || exit 1; done`, 'sh', ...layerFiles]

const benches = [
  {id: 'tree', label: 'layer-audit tree --json', argv: cli('tree', image, '--json'), cli: 'tree'},
  {id: 'inspect', label: 'layer-audit inspect --json', argv: cli('inspect', image, '--json'), cli: 'inspect'},
  {
    id: 'compare',
    label: `layer-audit compare --layer x${state.zips.length}`,
    argv: cli('compare', image, ...state.zips.flatMap((z) => ['--layer', z.file]), '--json'),
    cli: 'compare',
    okCodes: [0, 1],
  },
  {id: 'scan', label: 'layer-audit scan', argv: cli('scan', image, '--json'), cli: 'scan', okCodes: [0, 1]},
  // exit 1: the images differ (0 would mean diff saw no change, a wrong answer)
  {id: 'diff', label: 'layer-audit diff --format json', argv: variant && cli('diff', image, variant.archive, '--format', 'json'), cli: 'diff', okCodes: [1]},
  {id: 'tar-tzf', label: 'tar -tzf, layers in sequence', argv: seqLoop('tar -tzf')},
  {id: 'zcat', label: 'zcat, layers in sequence', argv: seqLoop('zcat')},
  {id: 'pigz-dc', label: 'pigz -dc, layers in sequence', argv: seqLoop('pigz -dc'), tool: 'pigz'},
  {
    id: 'skopeo-copy',
    label: 'skopeo copy docker-archive: oci:',
    argv: ['skopeo', 'copy', '-q', `docker-archive:${image}`, `oci:${ociDir}:bench`],
    tool: 'skopeo',
    slow: true,
    before: () => rmSync(ociDir, {recursive: true, force: true}),
  },
  {
    id: 'umoci-unpack',
    label: 'umoci unpack (of the skopeo copy)',
    argv: ['umoci', 'unpack', '--rootless', '--image', `${ociDir}:bench`, bundle],
    tool: 'umoci',
    slow: true,
    needs: 'skopeo-copy',
    before: () => rmSync(bundle, {recursive: true, force: true}),
    after: () => rmSync(bundle, {recursive: true, force: true}),
  },
  {id: 'diff-peer', label: 'skopeo copy+umoci unpack x2, diff -r', run: diffPeer, tools: ['skopeo', 'umoci', 'diff'], slow: true},
  // The layer zips (the image's /opt) as a layer image, next to what a Dockerfile's unzip stage does with
  // them: extract to disk in layer order, then one gzip tar of the result (the layer a build would write).
  {
    id: 'layer-image',
    label: `layer-audit layer-image x${state.zips.length} oci:`,
    argv: cli('layer-image', ...zipFiles.flatMap((file) => ['--layer', file]), '--output', `oci:${layerImageDir}:bench`),
    cli: 'layer-image',
    before: () => rmSync(layerImageDir, {recursive: true, force: true}),
    after: () => rmSync(layerImageDir, {recursive: true, force: true}),
  },
  {
    id: 'unzip-tar',
    label: `unzip -o x${state.zips.length}, tar -czf`,
    argv: ['sh', '-c', 'd="$1"; out="$2"; shift 2; mkdir -p "$d" && for z; do unzip -q -o "$z" -d "$d" || exit 1; done && tar -czf "$out" -C "$d" .', 'sh', unzipDir, unzipTar, ...zipFiles],
    tools: ['unzip', 'tar'],
    before: () => rmSync(unzipDir, {recursive: true, force: true}),
    after: () => {
      rmSync(unzipDir, {recursive: true, force: true})
      rmSync(unzipTar, {force: true})
    },
  },
]

// warm the page cache so the first timed command is not charged for disk reads
spawnSync('sh', ['-c', 'cat "$@" > /dev/null', 'sh', image, ...layerFiles, ...(wanted('layer-image') || wanted('unzip-tar') ? zipFiles : [])], {stdio: 'ignore'})
console.log(`\nruns: ${runs} (skopeo/umoci: ${slowRuns}); peak RSS from ${HAVE_GNU_TIME ? '/usr/bin/time %M' : '/proc/PID/status VmHWM'}\n`)

// Runs go round-robin, one run of each command per round: this VM's speed drifts over minutes, and
// running each command's runs back to back let a slow minute land on one command and move its ratio.
const results = {}
const plans = []
for (const bench of benches) {
  if (!wanted(bench.id)) continue
  let reason
  if (bench.cli) {
    const available = cliCommand(bench.cli)
    if (!available.ok) reason = available.reason
  } else if (bench.tool && !hasCommand(bench.tool)) {
    reason = `${bench.tool} is not installed`
  } else if (bench.tools?.some((tool) => !hasCommand(tool))) {
    reason = `${bench.tools.filter((tool) => !hasCommand(tool)).join(', ')} not installed (the peer needs ${bench.tools.join(', ')})`
  }
  if (reason) {
    results[bench.id] = {id: bench.id, label: bench.label, skipped: reason}
    console.log(`skip ${bench.id}: ${reason}`)
    continue
  }
  plans.push({bench, n: bench.slow ? slowRuns : runs, samples: []})
}
const rounds = Math.max(0, ...plans.map((plan) => plan.n))
for (let i = 0; i < rounds; i++) {
  for (const plan of plans) {
    const {bench} = plan
    if (i >= plan.n || plan.failure || plan.skipped) continue
    if (bench.needs) {
      const dependency = plans.find((p) => p.bench.id === bench.needs)
      if (!dependency || dependency.failure || dependency.samples.length <= i) {
        plan.skipped = `needs ${bench.needs}, which did not run`
        console.log(`skip ${bench.id}: ${plan.skipped}`)
        continue
      }
    }
    bench.before?.()
    const r = bench.run ? await bench.run() : await measure(bench.argv, {cwd: REPO, okCodes: bench.okCodes})
    bench.after?.()
    if (!r.ok) {
      plan.failure = `exit ${r.code}: ${r.stderr.trim().split('\n').slice(-3).join(' | ').slice(0, 300)}`
      console.log(`FAILED ${bench.id}: ${plan.failure}`)
      continue
    }
    plan.samples.push(r)
    process.stdout.write(`${bench.id} run ${i + 1}/${plan.n}: ${r.seconds.toFixed(2)} s, ${r.rssMb.toFixed(0)} MB${r.detail ? ` (${r.detail})` : ''}\n`)
  }
}
for (const {bench, samples, failure, skipped} of plans) {
  if (skipped) results[bench.id] = {id: bench.id, label: bench.label, skipped}
  else if (failure) results[bench.id] = {id: bench.id, label: bench.label, failed: failure}
  else {
    results[bench.id] = {
      id: bench.id,
      label: bench.label,
      ok: true,
      runs: samples.length,
      seconds: median(samples.map((s) => s.seconds)),
      min: Math.min(...samples.map((s) => s.seconds)),
      max: Math.max(...samples.map((s) => s.seconds)),
      rssMb: Math.max(...samples.map((s) => s.rssMb)),
      ...(samples[0].steps ? {steps: samples[0].steps.map(({name}, k) => ({name, seconds: median(samples.map((s) => s.steps[k].seconds)), rssMb: Math.max(...samples.map((s) => s.steps[k].rssMb))}))} : {}),
    }
  }
}
rmSync(ociDir, {recursive: true, force: true})

// The registry source: the same image read from Debian's docker-registry on loopback, next to skopeo copy docker://.
let registry
if (wanted('registry')) {
  if (!hasCommand('docker-registry') || !hasCommand('skopeo')) console.log('skip registry: docker-registry or skopeo is not installed')
  else {
    console.log('\nregistry on loopback:')
    try {
      registry = await runRegistryBench({image, runs, slowRuns, log: (line) => console.log(line)})
    } catch (error) {
      console.log(`FAILED registry: ${error.message.slice(0, 300)}`)
    }
  }
}

const fleet = wanted('fleet') && hasCommand('docker-registry') && hasCommand('skopeo') ? await fleetBench() : undefined

// --- report --------------------------------------------------------------------------------------
const pad = (s, n) => String(s).padEnd(n)
const lpad = (s, n) => String(s).padStart(n)
const tree = results.tree?.ok ? results.tree : undefined
console.log(`\n${pad('command', 40)}${lpad('runs', 5)}${lpad('median s', 10)}${lpad('min s', 8)}${lpad('max s', 8)}${lpad('peak RSS MB', 13)}${lpad('x tree', 8)}`)
for (const r of Object.values(results)) {
  if (!r.ok) {
    console.log(`${pad(r.label, 40)}  ${r.skipped ? `skipped: ${r.skipped}` : `failed: ${r.failed}`}`)
    continue
  }
  const ratio = tree ? (r.seconds / tree.seconds).toFixed(2) : '-'
  console.log(`${pad(r.label, 40)}${lpad(r.runs, 5)}${lpad(r.seconds.toFixed(2), 10)}${lpad(r.min.toFixed(2), 8)}${lpad(r.max.toFixed(2), 8)}${lpad(r.rssMb.toFixed(0), 13)}${lpad(ratio, 8)}`)
}

const ratio = (a, b) => (results[a]?.ok && results[b]?.ok ? results[a].seconds / results[b].seconds : undefined)
const targets = [
  {name: 'tree / tar -tzf (sequential)', value: ratio('tree', 'tar-tzf'), max: 0.5, source: 'tree'},
  {name: 'tree peak RSS (MB)', value: tree?.rssMb, max: 400, strict: true, source: 'tree'},
  {name: 'compare / tree', value: ratio('compare', 'tree'), max: 1.3, source: 'compare'},
  {name: 'scan / tree', value: ratio('scan', 'tree'), max: 1.3, source: 'scan'},
  {name: 'inspect / tree', value: ratio('inspect', 'tree')},
  {name: 'diff / tree', value: ratio('diff', 'tree'), max: 2.0, source: 'diff'},
  {name: 'diff peak RSS (MB)', value: results.diff?.ok ? results.diff.rssMb : undefined, max: 600, strict: true, source: 'diff'},
  {name: 'diff / (skopeo+umoci x2, diff -r)', value: ratio('diff', 'diff-peer')},
  {name: 'registry read (verified) / skopeo copy', value: registry?.readRatio, max: 0.7, source: 'registry'},
  {name: 'tree from registry / skopeo copy', value: registry?.ratio},
  {name: 'tree / zcat (sequential)', value: ratio('tree', 'zcat')},
  {name: 'layer-image / (unzip -o, tar -czf)', value: ratio('layer-image', 'unzip-tar')},
  ...fleetTargets(fleet),
  {
    name: '(skopeo copy + umoci unpack) / tree',
    value: results['skopeo-copy']?.ok && results['umoci-unpack']?.ok && tree ? (results['skopeo-copy'].seconds + results['umoci-unpack'].seconds) / tree.seconds : undefined,
  },
]
console.log(`\n${pad('ratio', 40)}${lpad('value', 10)}${lpad('target', 10)}  verdict`)
let missed = 0
for (const target of targets) {
  const shown = target.value === undefined ? 'n/a' : target.value.toFixed(2)
  let verdict = target.value === undefined ? 'not measured' : 'info'
  if (target.max !== undefined && target.value !== undefined) {
    const pass = target.strict ? target.value < target.max : target.value <= target.max
    verdict = pass ? 'PASS' : 'MISS'
    if (!pass) missed++
  }
  const goal = target.max === undefined ? '' : `${target.strict ? '<' : '<='} ${target.max}`
  console.log(`${pad(target.name, 40)}${lpad(shown, 10)}${lpad(goal, 10)}  ${verdict}${target.source ? ` (${target.source})` : ''}`)
}

mkdirSync(dir, {recursive: true})
const resultsFile = join(dir, 'results.json')
const variantFacts = variant && {archive: variant.archive, layer: variant.layer.index, changes: variant.changes}
writeFileSync(resultsFile, JSON.stringify({date: new Date().toISOString(), image: {archive: image, totals: t, layers: state.layers.length}, variant: variantFacts, runs, results, registry, fleet, targets}, null, 2) + '\n')
console.log(`\nresults written to ${resultsFile}`)
if (opts.check && missed > 0) process.exit(1)
