// The fleet bench (`npm run bench -- --only fleet`, run by bench.js through vite-node, or on its own:
// `npx vite-node test/bench/fleet.ts -- --json`): the 200-function account of test/fleet on loopback,
// with a bigger shared base layer, audited
//   (a) as a shell loop would: `compare --function` once for each of the 20 distinct images;
//   (b) as `fleet` of all 205 functions, with an empty layer cache.
// Targets (issue 18): fleet's bytes read within 1.2x of the unique layer bytes; fleet's time at most
// 1.5x of (a). Prints one JSON line with the figures when --json is given.
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'
import {parseArgs} from 'node:util'
import {awsTestEnvironment, REGIONS, startFleetWorld} from '../fleet/helpers/fleet-world.js'
import {IMAGE_COUNT} from '../fleet/helpers/fleet-images.js'
// @ts-expect-error: a JS module of the bench
import {measure} from './lib/measure.js'

const REPO = resolve(import.meta.dirname, '../..')
const RUN_JS = join(REPO, 'bin/run.js')
const {values: opts} = parseArgs({options: {json: {type: 'boolean', default: false}, 'base-mb': {type: 'string', default: '64'}}, allowPositionals: true})

const baseFileBytes = 256 * 1024
const baseFiles = Math.max(1, Math.round((Number(opts['base-mb']) * 1024 * 1024) / baseFileBytes))
const log = (line: string) => process.stderr.write(`${line}\n`)
log(`fleet bench: ${IMAGE_COUNT} images on a ${baseFiles * baseFileBytes / 2 ** 20} MiB base layer, 205 functions`)
const world = await startFleetWorld({baseFiles, baseFileBytes})
const dir = mkdtempSync(join(tmpdir(), 'layer-audit-fleet-bench-'))
try {
  const env = {...process.env, ...awsTestEnvironment(world, join(dir, 'cache')), NO_COLOR: '1'}
  let loopSeconds = 0
  let loopRss = 0
  for (let i = 0; i < IMAGE_COUNT; i++) {
    const name = world.imageFunctions[i]
    const r = await measure(['node', RUN_JS, 'compare', '--function', name, '--region', world.regionOf.get(name)!, '--no-cache', '--json'], {cwd: REPO, env, okCodes: [0, 1]})
    if (!r.ok) throw new Error(`compare --function ${name}: exit ${r.code}: ${r.stderr.slice(0, 300)}`)
    loopSeconds += r.seconds
    loopRss = Math.max(loopRss, r.rssMb)
  }
  log(`  compare --function x ${IMAGE_COUNT} (one per image, no cache): ${loopSeconds.toFixed(2)} s, peak ${loopRss.toFixed(0)} MB`)
  const report = join(dir, 'fleet.json')
  const fleetEnv = {...env, LAYER_AUDIT_CACHE_DIR: join(dir, 'layer-cache')}
  const r = await measure(['node', RUN_JS, 'fleet', '--region', REGIONS[0], '--region', REGIONS[1], '--format', 'json', '-o', report], {cwd: REPO, env: fleetEnv, okCodes: [0, 1]})
  if (!r.ok) throw new Error(`fleet: exit ${r.code}: ${r.stderr.slice(0, 300)}`)
  const stats = JSON.parse(readFileSync(report, 'utf8')).stats
  const bytesRatio = stats.bytesRead / world.uniqueLayerBytes
  const timeRatio = r.seconds / loopSeconds
  log(`  fleet of ${stats.functions} functions, empty layer cache: ${r.seconds.toFixed(2)} s, peak ${r.rssMb.toFixed(0)} MB`)
  log(`  bytes read ${stats.bytesRead} of ${stats.bytesReferenced} referenced; unique layer bytes ${world.uniqueLayerBytes} (${bytesRatio.toFixed(3)}x)`)
  log(`  fleet / (compare x ${IMAGE_COUNT}) time: ${timeRatio.toFixed(2)}`)
  if (opts.json) process.stdout.write(JSON.stringify({loopSeconds, loopRss, fleetSeconds: r.seconds, fleetRss: r.rssMb, bytesRatio, timeRatio, stats, uniqueLayerBytes: world.uniqueLayerBytes}) + '\n')
} finally {
  await world.stop()
  rmSync(dir, {recursive: true, force: true})
}
