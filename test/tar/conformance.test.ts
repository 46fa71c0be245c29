/**
 * Conformance with Go's archive/tar, which containerd and Docker apply layers with: layers written by real
 * tools (GNU tar, bsdtar, Python tarfile, Go, busybox, tar-stream, cpio, pax, umoci, commons-compress) and
 * hand-made edge cases (conformance/cases.ts), each wrapped as an image; `layer-audit tree IMAGE --json`
 * (the built CLI: `npm run build` first) must print exactly the tree test/tar/go-reader builds from the
 * same layer blobs — every field, paths and link targets as bytes — or both must refuse the image.
 *
 * Prints `N/M cases agree with Go archive/tar`; each case is a test of its own and fails with what differs.
 * Needs `go` (skipped with a reason without it, a failure when CI=true); a writer whose tool is missing is
 * skipped with a reason (a failure when CI=true, but for commons-compress: CI has no JDK).
 *
 *   LAYER_AUDIT_CONFORMANCE_VERBOSE=1        also list the cases that agree, with what both sides did
 *   LAYER_AUDIT_CONFORMANCE_ALL_WRAPPINGS=1  read every case as docker-archive and oci-archive too
 */
import {mkdirSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {CASES, haveCommand, missingTools, type MatrixCase} from './conformance/cases.js'
import {agrees, compare, describeOutcome, detectFields, fieldsNote, pool, readBoth, type CaseOutcome, type Readings} from './conformance/compare.js'
import {buildGoReader, goOrSkip} from './conformance/go.js'
import {ociLayout, skopeoWrappings, WRAPPINGS, type Wrapping} from './conformance/image.js'
import {PythonBatch} from './conformance/python.js'
import {haveCommonsCompress, JavaBatch} from './conformance/writers.js'

const CI = process.env.CI === 'true'
const haveGo = goOrSkip('tar conformance with Go archive/tar')
/** Most cases are read through the OCI layout only (see cases.ts WRAPPED_EVERY_WAY), unless this is set. */
const ALL_WRAPPINGS = process.env.LAYER_AUDIT_CONFORMANCE_ALL_WRAPPINGS === '1'
/** Also list the cases that agree, with what both sides did. */
const VERBOSE = process.env.LAYER_AUDIT_CONFORMANCE_VERBOSE === '1'

function runnable(c: MatrixCase): boolean {
  const missing = missingTools(c)
  if (c.tools.includes('java')) {
    const commons = haveCommonsCompress()
    if (!commons.ok) {
      console.warn(`conformance: skipping ${c.name}: ${commons.reason}`)
      return false
    }
  }
  if (missing.length === 0) return true
  const reason = `conformance: skipping ${c.name}: ${missing.join(', ')} not found (.ci/run installs them)`
  if (CI && !c.optional) throw new Error(`${reason}, and CI requires it`)
  console.warn(reason)
  return false
}

const cases = haveGo ? CASES.filter(runnable) : []
const haveSkopeo = haveCommand('skopeo')
if (haveGo && !haveSkopeo) {
  if (CI) throw new Error('conformance: skopeo is needed for the docker-archive and oci-archive wrappings, and CI requires it')
  console.warn('conformance: skopeo not found: cases are read through the OCI layout only')
}

describe.skipIf(!haveGo)('tar conformance with Go archive/tar', () => {
  const outcomes = new Map<string, CaseOutcome | Error>()
  let note: string | undefined
  let work = ''
  const timing: string[] = []

  beforeAll(async () => {
    let t0 = Date.now()
    const lap = (what: string) => {
      timing.push(`${what} ${((Date.now() - t0) / 1000).toFixed(1)}s`)
      t0 = Date.now()
    }
    work = mkdtempSync(join(tmpdir(), 'layer-audit-conformance-'))
    const goBinary = buildGoReader(work)
    lap('go build')
    const ctx = {work, python: new PythonBatch(work), java: new JavaBatch(work), goBinary}
    const planned = cases.map((c) => {
      try {
        return {c, realize: c.plan(ctx)}
      } catch (error) {
        outcomes.set(c.name, error as Error)
        return {c, realize: undefined}
      }
    })
    ctx.java.run() // in the background: only the commons-compress cases wait for it
    ctx.python.run()
    lap('python')
    let treeRuns = 0
    const slowest: Array<[number, string]> = []

    const readings = new Map<string, Partial<Record<Wrapping, Readings>>>()
    await pool(
      planned.map(({c, realize}, i) => async () => {
        if (!realize) return
        const started = Date.now()
        try {
          const realized = await realize()
          const written = Date.now()
          const dir = join(work, `case-${i}`)
          mkdirSync(dir, {recursive: true})
          const source = 'location' in realized ? realized.location : ociLayout(join(dir, 'oci'), realized.layers)
          const wrapAll = haveSkopeo && (c.wrappings === 'all' || ALL_WRAPPINGS)
          const locations: Partial<Record<Wrapping, string>> = wrapAll ? await skopeoWrappings(source, dir) : {'oci layout': source}
          const byWrapping: Partial<Record<Wrapping, Readings>> = {}
          for (const wrapping of WRAPPINGS) {
            const location = locations[wrapping]
            if (!location) continue
            byWrapping[wrapping] = await readBoth(goBinary, location, join(dir, `blobs-${wrapping.replace(' ', '-')}`))
            treeRuns++
          }
          readings.set(c.name, byWrapping)
          slowest.push([Date.now() - started, `${c.name} (writing ${written - started} ms)`])
        } catch (error) {
          outcomes.set(c.name, error as Error)
        }
      }),
    )

    lap(`writers, images and ${treeRuns} readings`)
    slowest.sort((a, b) => b[0] - a[0])
    timing.push(`slowest: ${slowest.slice(0, 4).map(([ms, what]) => `${what} ${ms} ms`).join(', ')}`)
    const fields = detectFields([...readings.values()].flatMap((r) => Object.values(r)))
    note = fieldsNote(fields)
    for (const [name, byWrapping] of readings) {
      const wrappings = Object.fromEntries(Object.entries(byWrapping).map(([w, r]) => [w, compare(r.go, r.ours, fields)]))
      outcomes.set(name, {name, wrappings})
    }
  }, 600_000)

  afterAll(() => {
    const all = cases.map((c) => outcomes.get(c.name)).filter((o) => o !== undefined)
    const agreeing = all.filter((o) => !(o instanceof Error) && agrees(o))
    const lines = [`${agreeing.length}/${cases.length} cases agree with Go archive/tar (${timing.join(', ')})`]
    if (note) lines.push(`  (${note})`)
    for (const c of cases) {
      const o = outcomes.get(c.name)
      if (o === undefined) lines.push(`  NOT RUN   ${c.name}`)
      else if (o instanceof Error) lines.push(`  ERROR     ${c.name}: ${o.message.split('\n')[0]}`)
      else if (!agrees(o)) lines.push(`  DISAGREE  ${c.name}: ${Object.entries(o.wrappings).find(([, x]) => !x!.agree)![1]!.summary}`)
      else if (VERBOSE) lines.push(`  agree     ${c.name}: ${Object.values(o.wrappings)[0]!.summary}`)
    }
    // The images stay for a look when something disagrees (each case's are in case-N/, in the order above).
    if (agreeing.length === cases.length && work) rmSync(work, {recursive: true, force: true})
    else if (work) lines.push(`  images, layers and Go's reader kept in ${work}`)
    console.log(lines.join('\n'))
  })

  for (const c of cases) {
    it(c.name, () => {
      const outcome = outcomes.get(c.name)
      if (outcome instanceof Error) throw outcome
      expect(outcome, 'not run').toBeDefined()
      expect(agrees(outcome!), describeOutcome(outcome!)).toBe(true)
    })
  }

  it('every case agrees with Go archive/tar', () => {
    const failing = cases.filter((c) => {
      const o = outcomes.get(c.name)
      return o === undefined || o instanceof Error || !agrees(o)
    })
    expect(failing.map((c) => c.name), `${cases.length - failing.length}/${cases.length} cases agree with Go archive/tar`).toEqual([])
  })
})
