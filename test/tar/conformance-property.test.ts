/**
 * Property: for random entry lists (names on the 100/155/255-byte edges, Latin-1 and UTF-8 bytes, links,
 * directories, modes, sizes, owners and times past octal), the layers Python tarfile (PAX, GNU), GNU tar
 * (posix, gnu) and Go's archive/tar (PAX, GNU) write from them read the same in `layer-audit tree --json`
 * as in Go's archive/tar (test/tar/go-reader). Each writer writes the same entries under its own `pN/`
 * directory, one layer each, so one image per sample holds every writer's version.
 *
 * Samples are drawn up front (fast-check, a printed seed) and run as a batch: one Python process, one
 * `tree` per sample. 15 samples by default; LAYER_AUDIT_FUZZ=1 runs 200 (LAYER_AUDIT_FUZZ_RUNS=N for
 * another count, LAYER_AUDIT_FUZZ_SEED=S to replay a run).
 */
import {mkdirSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import fc from 'fast-check'
import {beforeAll, describe, expect, it} from 'vitest'
import {haveCommand} from './conformance/cases.js'
import {agrees, compare, describeOutcome, detectFields, fieldsNote, pool, readBoth, type Readings} from './conformance/compare.js'
import {buildGoReader, goOrSkip} from './conformance/go.js'
import {ociLayout} from './conformance/image.js'
import {PythonBatch} from './conformance/python.js'
import {describeEntries, randomLayer, toSpec, underPrefix} from './conformance/random.js'
import type {SpecEntry} from './conformance/spec.js'
import {gnuTar, goTar, JavaBatch, pythonTarfile, type Writer} from './conformance/writers.js'

const haveGo = goOrSkip('tar conformance property test')
const FUZZ = process.env.LAYER_AUDIT_FUZZ === '1'
const RUNS = Number(process.env.LAYER_AUDIT_FUZZ_RUNS ?? (FUZZ ? 200 : 15))
const SEED = Number(process.env.LAYER_AUDIT_FUZZ_SEED ?? Date.now() % 2 ** 31)

const WRITERS: Writer[] = [pythonTarfile('pax'), pythonTarfile('gnu'), gnuTar('posix'), gnuTar('gnu'), goTar('pax'), goTar('gnu')].filter((w) => {
  const missing = w.tools.filter((t) => !haveCommand(t))
  if (missing.length === 0) return true
  const reason = `conformance property: leaving out ${w.id}: ${missing.join(', ')} not found (.ci/run installs them)`
  if (process.env.CI === 'true') throw new Error(`${reason}, and CI requires it`)
  console.warn(reason)
  return false
})

describe.skipIf(!haveGo)('tar conformance property: random entries, several writers, Go archive/tar', () => {
  const samples: SpecEntry[][] = fc.sample(randomLayer, {numRuns: RUNS, seed: SEED}).map(toSpec)
  const readings: Readings[] = []
  let errors: Array<Error | undefined> = []
  let work = ''

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'layer-audit-conformance-property-'))
    const goBinary = buildGoReader(work)
    const ctx = {work, python: new PythonBatch(work), java: new JavaBatch(work), goBinary}
    const thunks = samples.map((entries) => WRITERS.map((w, k) => w.layer(underPrefix(entries, k), ctx)))
    ctx.python.run()
    errors = new Array(samples.length).fill(undefined)
    await pool(
      thunks.map((layerThunks, i) => async () => {
        try {
          const tars = await Promise.all(layerThunks.map((t) => t()))
          const dir = join(work, `sample-${i}`)
          mkdirSync(dir, {recursive: true})
          const location = ociLayout(join(dir, 'oci'), tars.map((tar) => ({tar, compression: 'gzip' as const})))
          readings[i] = await readBoth(goBinary, location, join(dir, 'blobs'))
        } catch (error) {
          errors[i] = error as Error
        }
      }),
    )
  }, 600_000)

  it(`${RUNS} random samples (seed ${SEED}) read the same as Go archive/tar`, () => {
    const fields = detectFields(readings.filter(Boolean))
    const failures: string[] = []
    samples.forEach((entries, i) => {
      if (errors[i]) {
        failures.push(`sample ${i}: ${errors[i]!.message}`)
        return
      }
      const outcome = {name: `sample ${i}`, wrappings: {'oci layout': compare(readings[i]!.go, readings[i]!.ours, fields)}}
      if (agrees(outcome)) return
      // The first few in full (details and the entries drawn), the rest in a line each.
      failures.push(
        failures.length < 3
          ? `${describeOutcome(outcome, 8)}\n  entries drawn (each writer's copy under p0/…p${WRITERS.length - 1}/):\n${describeEntries(entries)}`
          : `sample ${i}: ${outcome.wrappings['oci layout'].summary}`,
      )
    })
    const note = fieldsNote(fields)
    // The images stay for a look when a sample disagrees (sample-N/).
    if (failures.length === 0) rmSync(work, {recursive: true, force: true})
    console.log(
      `${samples.length - failures.length}/${samples.length} random samples agree with Go archive/tar (seed ${SEED}; LAYER_AUDIT_FUZZ_SEED=${SEED} replays)` +
        (note ? `\n  (${note})` : '') +
        (failures.length ? `\n  images kept in ${work}` : ''),
    )
    expect(failures, `writers, layer by layer: ${WRITERS.map((w, k) => `p${k}/ ${w.id}`).join('; ')}\n${failures.join('\n\n')}`).toEqual([])
  })
})
