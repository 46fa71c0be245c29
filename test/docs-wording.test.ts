/**
 * What the docs may not say and must say: they are read by people outside the project, so no internal
 * issue numbers ("issue 14", "#14") or paths outside the repository (../shared/); and the README's list
 * of test tools names everything .ci/run installs.
 */
import {readdirSync, readFileSync} from 'node:fs'
import {join, relative} from 'node:path'
import {describe, expect, it} from 'vitest'

import {REPO} from './helpers/cli.js'

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return markdownFiles(path)
    return entry.name.endsWith('.md') ? [path] : []
  })
}

// Issue trackers of other projects, cited by short name (go-containerregistry's).
const EXTERNAL_TRACKER = /\bggcr $/

const docs = [join(REPO, 'README.md'), ...markdownFiles(join(REPO, 'docs'))]

describe('the docs', () => {
  it.each(docs.map((file) => [relative(REPO, file)]))('%s names no internal issue and no path outside the repository', (file) => {
    const text = readFileSync(join(REPO, file), 'utf8')
    // "issue 14", "issues 4 and 5", "#14" — but an external one, "owner/repo#14" or "ggcr #2399", is a citation.
    expect(text.match(/\bissues? #?\d+/gi) ?? []).toEqual([])
    const bare = [...text.matchAll(/(?<![\w./-])#\d+\b/g)].filter((m) => !EXTERNAL_TRACKER.test(text.slice(0, m.index)))
    expect(bare.map((m) => m[0])).toEqual([])
    expect(text.match(/\.\.\/shared\b/g) ?? []).toEqual([])
  })

  it('the README lists every tool .ci/run installs, with its Debian package where the name differs', () => {
    const run = readFileSync(join(REPO, '.ci', 'run'), 'utf8')
    const pairs = [...run.matchAll(/\b([\w-]+):([\w.-]+)\b/g)].map(([, command, pkg]) => [command, pkg])
    expect(pairs.length).toBeGreaterThan(10)
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8')
    const tests = readme.slice(readme.indexOf('\n## Tests\n'), readme.indexOf('\n## ', readme.indexOf('\n## Tests\n') + 1))
    expect(tests.length).toBeGreaterThan(0)
    for (const [command, pkg] of pairs) {
      // Go is named as "Go (`golang-go`)": its command is `go`, too short a word to look for.
      if (command !== 'go') expect(tests, command).toContain(`\`${command}\``)
      if (pkg !== command) expect(tests, pkg).toContain(`\`${pkg}\``)
    }
  })
})
