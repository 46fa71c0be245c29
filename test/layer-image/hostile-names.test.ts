/** A zip is a stranger's: a name no filesystem can hold is refused in one line, and nothing is written. */
import {existsSync, readFileSync, readdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'

import {runCli} from '../helpers/cli.js'
import {cleanup, pythonZip, tempDir} from '../lambda/zips.js'

let dir: string
beforeAll(() => {
  dir = tempDir('la-layer-image-names-')
})
afterAll(() => cleanup(dir))

describe('layer-image and hostile zip names', () => {
  test('a NUL byte in an entry name: one line naming the zip, exit 2, no output', async () => {
    const zip = pythonZip(join(dir, 'nul.zip'), `with zipfile.ZipFile(Z, 'w') as z:\n    z.writestr('python/badXname.py', 'x = 1\\n')`)
    // Python's zipfile cuts names at NUL, so the byte is put in afterwards (local header and central directory).
    const bytes = readFileSync(zip)
    const patched = Buffer.from(bytes.toString('latin1').replaceAll('badXname', 'bad\0name'), 'latin1')
    expect(patched.length).toBe(bytes.length)
    writeFileSync(zip, patched)
    const out = join(dir, 'out')
    const result = await runCli(['layer-image', '--layer', zip, '--output', `oci:${out}`])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/^layer-audit: .*nul\.zip: entry \/opt\/python\/bad\\x00name\.py: its name holds a NUL byte/)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(existsSync(out)).toBe(false)
    expect(readdirSync(dir).filter((name) => name.includes('staging'))).toEqual([])
  })
})
