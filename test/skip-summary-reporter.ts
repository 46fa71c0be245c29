/**
 * The last lines of a test run: how many tests were skipped and why, so a suite that silently lost its
 * real-world corpus (or a tool) says so where the summary is read, e.g.
 *   skipped: 37 tests — real-world corpus not found at /x (set LAYER_AUDIT_REALDATA)
 *   skipped: none
 * The reason is the one the test was tagged with (test/helpers/skip-reason.ts), or `ctx.skip(note)`'s
 * note; an untagged skip names its files. Printed after vitest's own summary (this reporter is listed
 * after the default one, and both print when the run has finished); it changes nothing else, not the
 * exit code.
 */
import {relative} from 'node:path'
import type {RunnerTask, RunnerTestFile} from 'vitest'
import type {Reporter, Vitest} from 'vitest/node'

export default class SkipSummaryReporter implements Reporter {
  private vitest?: Vitest

  onInit(vitest: Vitest): void {
    this.vitest = vitest
  }

  onFinished(files: RunnerTestFile[] = []): void {
    // No file ran: vitest has said no test was found, and a line about skips would only add noise.
    if (files.length === 0) return
    const config = this.vitest?.config
    for (const line of skipSummary(files, config?.root ?? process.cwd(), config?.testNamePattern)) {
      if (this.vitest) this.vitest.logger.log(line)
      else console.log(line)
    }
  }
}

/** One line when every skipped test has the same reason, else a total and a line per reason, most first. */
export function skipSummary(files: RunnerTestFile[], root: string, namePattern?: RegExp): string[] {
  const counts = new Map<string, number>()
  const untaggedFiles = new Set<string>()
  for (const file of files) {
    for (const test of testsOf(file)) {
      if (!skipped(test)) continue
      let reason = reasonOf(test) ?? (namePattern && !namePattern.test(fullName(test)) ? `left out by -t ${namePattern.source}` : undefined)
      if (reason === undefined) {
        untaggedFiles.add(relative(root, file.filepath))
        reason = UNTAGGED
      }
      counts.set(reason, (counts.get(reason) ?? 0) + 1)
    }
  }
  const reasons = [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([reason, count]) => ({count, text: reason === UNTAGGED ? `${reason} (${[...untaggedFiles].sort().join(', ')})` : reason}))
  const total = reasons.reduce((sum, r) => sum + r.count, 0)
  if (total === 0) return ['skipped: none']
  if (reasons.length === 1) return [`skipped: ${tests(total)} — ${reasons[0].text}`]
  return [`skipped: ${tests(total)}`, ...reasons.map((r) => `  ${tests(r.count)} — ${r.text}`)]
}

// A skip nobody tagged: `.skip`, `.skipIf` without a reason, `.todo`, or left out by `.only`.
const UNTAGGED = 'no reason recorded'

function tests(count: number): string {
  return `${count} test${count === 1 ? '' : 's'}`
}

function* testsOf(task: RunnerTask): Generator<RunnerTask> {
  if (task.type === 'test') yield task
  else if (task.type === 'suite') for (const child of task.tasks) yield* testsOf(child)
}

function skipped(test: RunnerTask): boolean {
  const state = test.result?.state ?? test.mode
  return state === 'skip' || state === 'todo'
}

/** `ctx.skip(note)`'s note, else the tag of the test or of the nearest suite around it that has one. */
function reasonOf(test: RunnerTask): string | undefined {
  // The runner sets `note` on the result, though its type does not declare it.
  const note = (test.result as {note?: string} | undefined)?.note
  if (note) return note
  for (let task: RunnerTask | undefined = test; task; task = task.suite) {
    const reason = (task.meta as {skipReason?: string} | undefined)?.skipReason
    if (reason) return reason
  }
  return undefined
}

/** The test's name after its suites' (the file left out), as `-t` matches it. */
function fullName(test: RunnerTask): string {
  const names: string[] = []
  for (let task: RunnerTask | undefined = test; task?.suite; task = task.suite) names.unshift(task.name)
  return names.join(' ')
}
