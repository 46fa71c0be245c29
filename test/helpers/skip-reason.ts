/**
 * Tests that skip for a reason the person running them should hear: each is tagged with the reason
 * (its task's meta), so the closing lines of `npm test` (test/skip-summary-reporter.ts) can count the
 * skipped tests and say why, instead of leaving a bare "skipped" in the summary.
 */
import {describe, it, type TestFunction} from 'vitest'
import {getCurrentSuite} from 'vitest/suite'

declare module 'vitest' {
  interface TaskMeta {
    /** Why this test, or every test of this suite, was skipped. */
    skipReason?: string
  }
}

/** `describe`, or when there is a reason to skip it, `describe.skip` tagged with that reason. */
export function describeUnless(skipReason: string | undefined, name: string, factory: () => void): void {
  describe.skipIf(skipReason !== undefined)(name, factory)
  if (skipReason !== undefined) tagLastDeclared(skipReason)
}

/** `it`, or when there is a reason to skip it, `it.skip` tagged with that reason. */
export function itUnless(skipReason: string | undefined, name: string, fn: TestFunction, timeout?: number): void {
  it.skipIf(skipReason !== undefined)(name, fn, timeout)
  if (skipReason !== undefined) tagLastDeclared(skipReason)
}

/** The suite or test just declared is the last task of the suite being collected. */
function tagLastDeclared(skipReason: string): void {
  const last = getCurrentSuite().tasks.at(-1)
  const task = last?.type === 'collector' ? last.suite : last
  if (!task) throw new Error('skip-reason: no suite or test was declared to tag')
  task.meta.skipReason = skipReason
}
