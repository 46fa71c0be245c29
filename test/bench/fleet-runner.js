// Runs test/bench/fleet.ts (TypeScript: it shares the account builder with test/fleet) through vite-node
// and returns its figures; see fleet.ts for what is measured.
import {spawn} from 'node:child_process'
import {join} from 'node:path'

export const FLEET_TARGETS = {bytesRatio: 1.2, timeRatio: 1.5}

export function runFleetBench(repo, {log = console.log} = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(join(repo, 'node_modules/.bin/vite-node'), [join(repo, 'test/bench/fleet.ts'), '--', '--json'], {cwd: repo, stdio: ['ignore', 'pipe', 'pipe']})
    let out = ''
    let err = ''
    child.stdout.on('data', (c) => (out += c))
    child.stderr.on('data', (c) => {
      err += c
      for (const line of String(c).split('\n')) if (line.trim()) log(line)
    })
    child.on('error', reject)
    child.on('exit', (code) => {
      const line = out.trim().split('\n').pop()
      if (code !== 0 || !line) return reject(new Error(`fleet bench exited ${code}: ${err.trim().split('\n').slice(-3).join(' | ').slice(0, 300)}`))
      resolve(JSON.parse(line))
    })
  })
}
