/** The import rules of docs/style.md: the library never needs oclif, rendering stays in report/, AWS in two files. */
import {readFileSync, readdirSync, statSync} from 'node:fs'
import {join, relative} from 'node:path'
import {describe, expect, it} from 'vitest'

import {REPO} from '../helpers/cli.js'

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : []
  })
}

const files = sources(join(REPO, 'src')).map((path) => ({
  path: relative(join(REPO, 'src'), path),
  imports: [...readFileSync(path, 'utf8').matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+'([^']+)'|import\('([^']+)'\)/g)].map((m) => m[1] ?? m[2]),
}))

function importersOf(pattern: RegExp): string[] {
  return files.filter((f) => f.imports.some((i) => pattern.test(i))).map((f) => f.path).sort()
}

describe('import rules', () => {
  it('found the sources', () => expect(files.length).toBeGreaterThan(50))

  it('only commands and cli import oclif', () => {
    for (const path of importersOf(/^@oclif\//)) expect(path).toMatch(/^(commands|cli)\//)
  })

  it('only report imports chalk and cli-table3', () => {
    for (const path of importersOf(/^(chalk|cli-table3)$/)) expect(path).toMatch(/^report\//)
  })

  it('only the ECR keychain, the Lambda client and the fleet inventory import the AWS SDK', () => {
    expect(importersOf(/^@aws-sdk\//)).toEqual(['fleet/inventory.ts', 'image/sources/registry/ecr-keychain.ts', 'lambda/aws.ts'])
  })

  it('the library below commands never imports commands or cli', () => {
    for (const f of files.filter((f) => !/^(commands|cli)\//.test(f.path))) {
      for (const i of f.imports) expect(i, f.path).not.toMatch(/(^|\/)(commands|cli)\//)
    }
  })

  it('sources never import each other', () => {
    // Each medium is one module (or folder); shared pieces (tar index, blob stores) are not media.
    const medium = (path: string) => /^image\/sources\/(docker-archive|oci-layout|oci-archive|registry)\b/.exec(path)?.[1]
    const sourceFiles = files.filter((f) => medium(f.path))
    expect(new Set(sourceFiles.map((f) => medium(f.path)))).toEqual(new Set(['docker-archive', 'oci-layout', 'oci-archive', 'registry']))
    for (const f of sourceFiles) {
      for (const i of f.imports) {
        const target = /(docker-archive|oci-layout|oci-archive|registry)(\.js|\/)/.exec(i)?.[1]
        if (target && (i.startsWith('./') || i.includes('sources/'))) expect(target, `${f.path} imports ${i}`).toBe(medium(f.path))
      }
    }
  })
})
