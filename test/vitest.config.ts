import {fileURLToPath} from 'node:url'
import {defineConfig} from 'vitest/config'

import SkipSummaryReporter from './skip-summary-reporter.js'
import SlowFirstSequencer from './slow-first-sequencer.js'

export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Each CLI test spawns node; two cores, so keep the pool small.
    poolOptions: {forks: {maxForks: 2, minForks: 1}},
    pool: 'forks',
    // The slowest files first, so that no fork ends the run alone with one of them.
    sequence: {sequencer: SlowFirstSequencer},
    // After vitest's summary: how many tests were skipped, and why (the real-world corpus, a tool missing).
    reporters: ['default', new SkipSummaryReporter()],
  },
})
