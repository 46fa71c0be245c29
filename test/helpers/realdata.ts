/**
 * Where the real-world corpus lives (../shared/realdata by default, LAYER_AUDIT_REALDATA to override).
 * Absent: tests skip with a visible reason — except in CI (.ci/run sets LAYER_AUDIT_REQUIRE_REALDATA),
 * where a missing corpus is a failure, never a silent skip.
 */
import {existsSync} from 'node:fs'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
export const REALDATA = process.env.LAYER_AUDIT_REALDATA ?? resolve(repo, '../shared/realdata')
export const HAVE_REALDATA = existsSync(join(REALDATA, 'MANIFEST.md'))
/** Why the corpus tests skip, for describeUnless/itUnless (and so for the skip summary after the run). */
export const REALDATA_MISSING = HAVE_REALDATA ? undefined : `real-world corpus not found at ${REALDATA} (set LAYER_AUDIT_REALDATA)`

if (!HAVE_REALDATA) {
  if (process.env.LAYER_AUDIT_REQUIRE_REALDATA) {
    throw new Error(`real-world corpus not found at ${REALDATA} (LAYER_AUDIT_REALDATA), and CI requires it`)
  }
  console.warn(`[realdata] skipping real-world corpus tests: ${REALDATA} not found (set LAYER_AUDIT_REALDATA)`)
}

export function realdata(...parts: string[]): string {
  return join(REALDATA, ...parts)
}
