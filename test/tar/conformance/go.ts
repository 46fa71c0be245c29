/**
 * The Go side of the conformance suite: test/tar/go-reader built once per run, then used to read layer
 * blobs (the reference tree) and to write tars with archive/tar's Writer.
 */
import {execFile, execFileSync} from 'node:child_process'
import {mkdirSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {specJson, type SpecEntry} from './spec.js'

const SOURCE = join(dirname(fileURLToPath(import.meta.url)), '..', 'go-reader')

export function haveGo(): boolean {
  try {
    execFileSync('go', ['version'], {stdio: 'ignore'})
    return true
  } catch {
    return false
  }
}

/**
 * Without Go the suite skips with a reason, except in CI (CI=true), where .ci/run installs golang-go and a
 * missing Go is a failure, never a silent skip.
 */
export function goOrSkip(suite: string): boolean {
  if (haveGo()) return true
  const reason = `${suite} skipped: Go is needed to build test/tar/go-reader (apt-get install -y golang-go)`
  if (process.env.CI === 'true') throw new Error(`${reason}, and CI requires it`)
  console.warn(reason)
  return false
}

/**
 * Builds the reader into `outDir`. Stdlib only and offline: a tiny go.mod, GOPROXY=off, GOFLAGS=-mod=mod;
 * the build cache lives in the system temp dir (kept between runs: a warm build takes a second).
 */
export function buildGoReader(outDir: string): string {
  const cache = join(tmpdir(), 'layer-audit-go-build')
  mkdirSync(cache, {recursive: true})
  const binary = join(outDir, 'go-tar-reader')
  execFileSync('go', ['build', '-o', binary, '.'], {
    cwd: SOURCE,
    env: {...process.env, GOCACHE: join(cache, 'cache'), GOPATH: join(cache, 'gopath'), GOFLAGS: '-mod=mod', GOPROXY: 'off', GO111MODULE: 'on', CGO_ENABLED: '0'},
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  return binary
}

/** Go's reading of layer blobs (bottom first), as go-reader prints it. */
export type GoResult = {ok: true; entries: GoEntry[]} | {ok: false; error: string}

export interface GoEntry {
  path_b64: string
  type: string
  mode: number
  uid: number
  gid: number
  size: number
  mtime: number
  linkTarget_b64?: string
  xattrs?: Record<string, string>
  layer: number
}

export function goRead(binary: string, blobs: string[]): Promise<GoResult> {
  return new Promise((resolve, reject) => {
    execFile(binary, blobs, {maxBuffer: 1 << 28}, (error, stdout, stderr) => {
      if (error) reject(new Error(`go-tar-reader ${blobs.join(' ')}: ${stderr || error.message}`))
      else resolve(JSON.parse(stdout) as GoResult)
    })
  })
}

/**
 * A tar written by archive/tar's Writer in `format`. `end`: `close` writes the end blocks, `flush` only
 * the last member's padding, `none` neither (a writer never closed).
 */
export function goWrite(
  binary: string,
  format: 'pax' | 'gnu' | 'ustar',
  entries: SpecEntry[],
  options: {end?: 'close' | 'flush' | 'none'; global?: Record<string, Buffer>} = {},
): Buffer {
  const spec = {
    ...(options.global ? {global: Object.fromEntries(Object.entries(options.global).map(([k, v]) => [k, v.toString('base64')]))} : {}),
    entries: entries.map((entry) => {
      const json = specJson(entry)
      const pax = Object.fromEntries(Object.entries(entry.xattrs ?? {}).map(([k, v]) => [`SCHILY.xattr.${k}`, v.toString('base64')]))
      return {...json, name: (entry.type === 'directory' ? Buffer.concat([entry.name, Buffer.from('/')]) : entry.name).toString('base64'), pax}
    }),
  }
  return execFileSync(binary, ['-write', format, '-close', options.end ?? 'close'], {input: JSON.stringify(spec), maxBuffer: 1 << 28, stdio: ['pipe', 'pipe', 'pipe']})
}
