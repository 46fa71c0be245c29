/**
 * Memory grows with entries: what one more path costs, held. A layer of 150,000 small files written by
 * Python's tarfile, and a layer zip of 150,000 entries written by Python's zipfile, are read by the built
 * library in a child process (--expose-gc) and the heap held after the tree is built is divided by the
 * entries. The budgets are what 400 MB per million entries leaves after the runtime's own overhead; the
 * peak RSS of whole commands on a million entries is in docs/filesystem.md (Memory).
 */
import {execFileSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'

import {REPO} from '../helpers/cli.js'
import {tmpDir, writeOciLayout} from './helpers.js'

const N = 150_000
const dir = tmpDir('la-memory-')

beforeAll(() => {
  execFileSync('python3', [
    '-c',
    `
import io, tarfile, zipfile
n = ${N}
with tarfile.open('${dir}/layer.tar', 'w', format=tarfile.PAX_FORMAT) as t:
    for i in range(n):
        info = tarfile.TarInfo(f'usr/share/d{i // 1000}/s{(i // 100) % 10}/file-{i}.txt'); info.size = 3
        t.addfile(info, io.BytesIO(b'abc'))
with zipfile.ZipFile('${dir}/layer.zip', 'w') as z:
    for i in range(n):
        info = zipfile.ZipInfo(f'python/d{i // 1000}/s{(i // 100) % 10}/mod_{i}.py', (2024, 1, 1, 0, 0, 0))
        info.external_attr = 0o100644 << 16; info.create_system = 3
        z.writestr(info, b'x')
`,
  ])
  writeOciLayout(join(dir, 'oci'), [readFileSync(join(dir, 'layer.tar'))])
}, 120_000)

/** Heap bytes held per entry once `build` has run, measured in a fresh process. */
function heldPerEntry(build: string): number {
  const script = `
    const heap = () => { global.gc(); global.gc(); return process.memoryUsage().heapUsed }
    const held = []
    const before = heap()
    ${build}
    const after = heap()
    process.stdout.write(String((after - before) / count))
  `
  return Number(execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], {cwd: REPO, encoding: 'utf8', env: {...process.env, LAYER_AUDIT_WORKERS: '0'}}))
}

describe('memory per entry', () => {
  it('an image layer: entries and the merged tree share one object a path (under 300 bytes each)', () => {
    const perEntry = heldPerEntry(`
      const {loadImage} = await import('./dist/audit/load-image.js')
      const loaded = await loadImage('oci:${dir}/oci:img')
      held.push(loaded)
      const count = loaded.tree.size
    `)
    expect(perEntry).toBeGreaterThan(50) // it measured something
    expect(perEntry).toBeLessThan(300)
  }, 120_000)

  it('a layer zip: the zip entry is its layout node (under 280 bytes each)', () => {
    const perEntry = heldPerEntry(`
      const {buildFunctionLayout} = await import('./dist/lambda/layout.js')
      const layout = await buildFunctionLayout({layers: [{path: '${dir}/layer.zip', name: 'layer.zip'}]})
      held.push(layout)
      const count = layout.tree.size
    `)
    expect(perEntry).toBeGreaterThan(50)
    expect(perEntry).toBeLessThan(280)
  }, 120_000)
})
