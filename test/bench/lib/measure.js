// Runs one command and reports wall time and peak RSS. Peak RSS comes from GNU time's %M (the max over
// the process and the children it waited for) when /usr/bin/time exists, else from polling VmHWM in
// /proc/PID/status (the direct child only).
import {spawn} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

const GNU_TIME = '/usr/bin/time'
export const HAVE_GNU_TIME = existsSync(GNU_TIME)

function vmHwmKb(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) : 0
  } catch {
    return 0
  }
}

/**
 * Runs argv (stdout discarded), returns {seconds, rssMb, code, stderr}. `okCodes` are exit codes that
 * count as success (compare/scan exit 1 when they find something).
 */
export function measure(argv, {cwd, env, okCodes = [0]} = {}) {
  return new Promise((resolve) => {
    const scratch = mkdtempSync(join(tmpdir(), 'layer-audit-bench-time-'))
    const timeFile = join(scratch, 'time')
    const command = HAVE_GNU_TIME ? [GNU_TIME, '-f', '%M', '-o', timeFile, ...argv] : argv
    const started = process.hrtime.bigint()
    const child = spawn(command[0], command.slice(1), {cwd, env, stdio: ['ignore', 'ignore', 'pipe']})
    let stderr = ''
    child.stderr.on('data', (c) => {
      if (stderr.length < 64 * 1024) stderr += c
    })
    let peakKb = 0
    const poll = HAVE_GNU_TIME ? undefined : setInterval(() => (peakKb = Math.max(peakKb, vmHwmKb(child.pid))), 20)
    const finish = (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9
      if (poll) clearInterval(poll)
      if (HAVE_GNU_TIME) {
        try {
          const lines = readFileSync(timeFile, 'utf8').trim().split('\n')
          peakKb = Number(lines.at(-1)) || 0
        } catch {
          peakKb = 0
        }
      }
      rmSync(scratch, {recursive: true, force: true})
      resolve({seconds, rssMb: peakKb / 1024, code, ok: okCodes.includes(code), stderr})
    }
    child.on('error', (err) => {
      stderr += String(err)
      finish(127)
    })
    child.on('close', (code) => finish(code ?? 128))
  })
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}
