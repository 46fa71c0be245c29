/**
 * Test inputs made by real tools: Info-ZIP `zip`, Python's zipfile, and `unzip` as the reference extractor.
 */
import {execFileSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync, chmodSync, symlinkSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

export function tempDir(prefix = 'la-lambda-'): string {
  return mkdtempSync(join(tmpdir(), prefix))
}

export function cleanup(dir: string): void {
  rmSync(dir, {recursive: true, force: true})
}

/** Files to put in a tree: content string, {link}, {dir}; mode optional. */
export type Spec = Record<string, string | {content: string; mode: number} | {link: string} | {dir: true; mode?: number}>

export function writeTree(dir: string, spec: Spec): void {
  for (const [path, what] of Object.entries(spec)) {
    const full = join(dir, path)
    mkdirSync(join(full, '..'), {recursive: true})
    if (typeof what === 'string') writeFileSync(full, what)
    else if ('link' in what) symlinkSync(what.link, full)
    else if ('dir' in what) {
      mkdirSync(full, {recursive: true})
      if (what.mode !== undefined) chmodSync(full, what.mode)
    } else {
      writeFileSync(full, what.content)
      chmodSync(full, what.mode)
    }
  }
}

/** Zips a tree with Info-ZIP `zip -r` (plus flags such as -y, -X) run inside it. */
export function infoZip(out: string, spec: Spec, flags: string[] = []): string {
  const src = tempDir('la-src-')
  try {
    writeTree(src, spec)
    execFileSync('zip', ['-q', '-r', ...flags, out, '.'], {cwd: src})
  } finally {
    cleanup(src)
  }
  return out
}

/** Runs a Python zipfile script; `Z` is the path of the zip to write. */
export function pythonZip(out: string, body: string): string {
  const script = `import zipfile, sys\nZ = sys.argv[1]\n${body}\n`
  execFileSync('python3', ['-c', script, out], {stdio: ['ignore', 'ignore', 'pipe']})
  return out
}

export interface Seen {
  type: 'file' | 'directory' | 'symlink'
  mode: number
  size: number
  linkTarget?: string
}

/** Extracts zips in order with `unzip -o` (umask 022) into root+mount, then lists what lstat sees. */
export function unzipInOrder(zips: string[], mount: string): Map<string, Seen> {
  const root = tempDir('la-unzip-')
  try {
    const dest = join(root, mount)
    mkdirSync(dest, {recursive: true})
    for (const zip of zips) {
      execFileSync('sh', ['-c', 'umask 022; unzip -q -o "$1" -d "$2"', 'sh', zip, dest], {stdio: ['ignore', 'ignore', 'pipe']})
    }
    const seen = new Map<string, Seen>()
    walk(dest, mount, seen)
    return seen
  } finally {
    cleanup(root)
  }
}

/** What lstat sees under dir, each path named as if dir were mounted at `as`. */
export function listTree(dir: string, as: string): Map<string, Seen> {
  const seen = new Map<string, Seen>()
  walk(dir, as, seen)
  return seen
}

function walk(dir: string, as: string, into: Map<string, Seen>): void {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name)
    const path = `${as}/${name}`
    const st = lstatSync(full)
    if (st.isSymbolicLink()) into.set(path, {type: 'symlink', mode: st.mode & 0o7777, size: st.size, linkTarget: readlinkSync(full)})
    else if (st.isDirectory()) {
      into.set(path, {type: 'directory', mode: st.mode & 0o7777, size: 0})
      walk(full, path, into)
    } else into.set(path, {type: 'file', mode: st.mode & 0o7777, size: st.size})
  }
}

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex')
}

export function sha256Base64(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('base64')
}

/** Patches a 32-bit little-endian field of the first central directory header (offset from its signature). */
export function patchCentralDirectory(zip: string, fieldOffset: number, value: number, which = 0): void {
  const buf = readFileSync(zip)
  let at = -1
  for (let i = 0; i <= which; i++) at = buf.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), at + 1)
  if (at < 0) throw new Error('no central directory header')
  buf.writeUInt32LE(value >>> 0, at + fieldOffset)
  writeFileSync(zip, buf)
}
