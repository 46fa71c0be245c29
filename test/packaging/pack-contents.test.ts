/**
 * `npm pack` ships what runs (the bin, dist/ with its types, the oclif manifest, docs, LICENSE, README)
 * and nothing it should not: no sources, tests, fixtures, source maps (they point at src/, which is not
 * shipped), build stamp or development scripts.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {REPO} from '../helpers/cli.js'
import {packedFiles} from './packed.js'

const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
  bin: Record<string, string>
  main: string
  types: string
  exports: Record<string, string>
  oclif: {commands: string}
}
const manifest = JSON.parse(readFileSync(join(REPO, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, unknown>}

function clean(path: string): string {
  return path.replace(/^\.\//, '')
}

describe('npm pack', () => {
  it('ships the bin (executable), the entry points and every command the manifest names', () => {
    const files = new Map(packedFiles().map((file) => [file.path, file.mode]))
    for (const bin of Object.values(pkg.bin)) {
      expect(files.has(clean(bin)), bin).toBe(true)
      expect(files.get(clean(bin))! & 0o111, `${bin} is executable`).not.toBe(0)
    }
    for (const entry of [pkg.main, pkg.types, ...Object.values(pkg.exports)]) expect(files.has(clean(entry)), entry).toBe(true)
    const commandsDir = clean(pkg.oclif.commands)
    for (const id of Object.keys(manifest.commands)) {
      expect(files.has(`${commandsDir}/${id.replace(/:/g, '/')}.js`), `command ${id}`).toBe(true)
    }
  })

  it('ships the manifest, the docs (every rule page), LICENSE and README', () => {
    const paths = new Set(packedFiles().map((file) => file.path))
    for (const path of ['package.json', 'oclif.manifest.json', 'LICENSE', 'README.md', 'docs/commands.md', 'docs/ci.md', 'docs/ci/layer-audit.gitlab-ci.yml']) {
      expect(paths.has(path), path).toBe(true)
    }
    const rulePages = [...paths].filter((path) => /^docs\/rules\/[a-z0-9-]+\.md$/.test(path))
    expect(rulePages.length).toBeGreaterThan(20)
  })

  it('ships no sources, tests, fixtures, source maps, build stamp or development scripts', () => {
    const unwanted = packedFiles()
      .map((file) => file.path)
      .filter((path) => /^(src|test|fixtures|node_modules|\.ci|\.git)\//.test(path) || path.endsWith('.map') || path === 'dist/.build-inputs')
    expect(unwanted).toEqual([])
    expect(packedFiles().filter((file) => file.path.startsWith('bin/')).map((file) => file.path)).toEqual(Object.values(pkg.bin).map(clean))
  })
})
