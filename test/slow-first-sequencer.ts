/**
 * Starts the slowest test files first. With two forks and no duration cache (a fresh clone, as CI runs),
 * vitest orders files by size, and a 90-second file that starts last leaves one fork idle while it runs
 * alone: most of a minute of the suite's wall time. The list is measured (vitest's per-file times on 2
 * cores); a file missing from it just runs in vitest's own order.
 */
import {BaseSequencer, type TestSpecification} from 'vitest/node'

const SLOWEST_FIRST = [
  'test/tar/conformance.test.ts',
  'test/cli/no-leak.test.ts',
  'test/fleet/fleet.test.ts',
  'test/diff/pairs.test.ts',
  'test/cli/hostile-documents.test.ts',
  'test/layer-image/push.test.ts',
  'test/cli/compare.test.ts',
  'test/cli/lint.test.ts',
  'test/layer-image/layer-image.test.ts',
  'test/fleet/fleet-cli.test.ts',
]

export default class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files)
    const rank = (spec: TestSpecification) => {
      const index = SLOWEST_FIRST.findIndex((path) => spec.moduleId.endsWith(path))
      return index === -1 ? SLOWEST_FIRST.length : index
    }
    // Stable: files off the list keep vitest's order.
    return sorted.map((spec, i) => ({spec, i})).sort((a, b) => rank(a.spec) - rank(b.spec) || a.i - b.i).map(({spec}) => spec)
  }
}
