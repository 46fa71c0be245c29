/**
 * --output FILE: regular files replaced atomically through an exclusive temp file; FIFOs, devices and
 * symlinks such as /dev/stdout written in place, never replaced; bad paths refused before the image is
 * read. Devices and FIFOs here are PRIVATE (mknod/mkfifo in a temp dir): never the system's /dev/full or
 * /dev/null — as root, a test that replaced them would break the machine.
 */
import {spawn} from 'node:child_process'
import {execFileSync} from 'node:child_process'
import {lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import {checkOutputPath, writeOutputFile} from '../../src/cli/output-file.js'
import {LayerAuditError} from '../../src/errors.js'
import {FIXTURES, REPO, runCli} from '../helpers/cli.js'

const tmp = mkdtempSync(join(tmpdir(), 'la-output-'))
afterAll(() => rmSync(tmp, {recursive: true, force: true}))
const IMAGE = join(FIXTURES, 'images', 'layer-image.docker.tar')

let n = 0
/** A fresh directory under the private temp dir. */
function dir(): string {
  const path = join(tmp, `d${n++}`)
  mkdirSync(path)
  return path
}

const isRoot = process.getuid?.() === 0

describe('writeOutputFile', () => {
  it('never follows a symlink planted at its temp name .NAME.PID.tmp, nor removes it', async () => {
    const d = dir()
    const victim = join(d, 'victim')
    writeFileSync(victim, 'precious\n')
    const planted = join(d, `.report.json.${process.pid}.tmp`)
    symlinkSync(victim, planted)
    await writeOutputFile(join(d, 'report.json'), '{"ok": true}\n')
    expect(readFileSync(victim, 'utf8')).toBe('precious\n')
    expect(readlinkSync(planted)).toBe(victim)
    expect(readFileSync(join(d, 'report.json'), 'utf8')).toBe('{"ok": true}\n')
    expect(readdirSync(d).sort()).toEqual([`.report.json.${process.pid}.tmp`, 'report.json', 'victim'])
  })

  it('replaces a regular file whole and leaves no temp file', async () => {
    const d = dir()
    writeFileSync(join(d, 'r.json'), 'old and longer than the new one\n')
    await writeOutputFile(join(d, 'r.json'), 'new\n')
    expect(readFileSync(join(d, 'r.json'), 'utf8')).toBe('new\n')
    expect(readdirSync(d)).toEqual(['r.json'])
  })

  it('writes through a symlink to a regular file, truncating it, and keeps the link', async () => {
    const d = dir()
    writeFileSync(join(d, 'real.json'), 'old and longer than the new one\n')
    symlinkSync('real.json', join(d, 'link.json'))
    await writeOutputFile(join(d, 'link.json'), 'new\n')
    expect(lstatSync(join(d, 'link.json')).isSymbolicLink()).toBe(true)
    expect(readFileSync(join(d, 'real.json'), 'utf8')).toBe('new\n')
  })

  it.runIf(isRoot)('writes into a private character device in place, and reports one that is full', async () => {
    const d = dir()
    execFileSync('mknod', [join(d, 'null'), 'c', '1', '3'])
    execFileSync('mknod', [join(d, 'full'), 'c', '1', '7'])
    await writeOutputFile(join(d, 'null'), 'report\n')
    expect(lstatSync(join(d, 'null')).isCharacterDevice()).toBe(true)
    const error = await writeOutputFile(join(d, 'full'), 'report\n').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(LayerAuditError)
    expect((error as LayerAuditError).line).toBe(`${join(d, 'full')}: cannot write the report: ENOSPC`)
    expect(lstatSync(join(d, 'full')).isCharacterDevice()).toBe(true)
    expect(readdirSync(d).sort()).toEqual(['full', 'null'])
  })

  it('refuses a missing directory, a directory, a dangling symlink, a file as a directory and a trailing slash', async () => {
    const d = dir()
    mkdirSync(join(d, 'sub'))
    symlinkSync(join(d, 'nowhere'), join(d, 'dangling'))
    writeFileSync(join(d, 'file'), '')
    const refused = async (path: string) => ((await checkOutputPath(path).catch((e: unknown) => e)) as LayerAuditError).message
    expect(await refused(join(d, 'missing', 'r.json'))).toBe(`cannot write the report: no directory ${join(d, 'missing')}`)
    expect(await refused(join(d, 'sub'))).toBe('cannot write the report: it is a directory')
    expect(await refused(join(d, 'dangling'))).toBe('cannot write the report: a symlink to nothing')
    expect(await refused(join(d, 'file', 'r.json'))).toBe('cannot write the report: a part of the path is not a directory')
    expect(await refused(`${d}/`)).toBe('cannot write the report: not a file name')
    expect(readdirSync(d).sort()).toEqual(['dangling', 'file', 'sub'])
  })
})

describe('--output on the command line', () => {
  it('refuses a path under a missing directory before reading the image (exit 2, nothing written)', async () => {
    const d = dir()
    const output = join(d, 'no-such-dir', 'report.sarif')
    // The image is missing too: the output's error is the one reported, so it was checked first.
    const result = await runCli(['scan', join(d, 'missing-image.tar'), '--output', output])
    expect(result.code).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr).toBe(`layer-audit: ${output}: cannot write the report: no directory ${join(d, 'no-such-dir')}\n`)
    expect(readdirSync(d)).toEqual([])
  })

  it('several --output: each in the format its FORMAT: prefix, else its extension, says; a bad one refused before reading', async () => {
    const d = dir()
    const result = await runCli(['scan', IMAGE, '-o', join(d, 'scan.sarif'), '-o', join(d, 'scan.md'), '-o', `junit:${join(d, 'tests.txt')}`, '-o', join(d, 'scan.json')])
    expect(result.code === 0 || result.code === 1, result.stderr).toBe(true)
    expect(JSON.parse(readFileSync(join(d, 'scan.sarif'), 'utf8')).version).toBe('2.1.0')
    expect(readFileSync(join(d, 'scan.md'), 'utf8')).toMatch(/^#/)
    expect(readFileSync(join(d, 'tests.txt'), 'utf8')).toMatch(/^<\?xml/)
    expect(JSON.parse(readFileSync(join(d, 'scan.json'), 'utf8')).command).toBe('scan')
    expect(result.stdout.trimEnd().split('\n').at(-1)).toMatch(/^(PASS|FAIL)/) // the table still goes to the terminal
    const bad = await runCli(['diff', join(d, 'missing-a.tar'), join(d, 'missing-b.tar'), '-o', join(d, 'ok.json'), '-o', `markdown:${join(d, 'nope', 'x.md')}`])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toBe(`layer-audit: ${join(d, 'nope', 'x.md')}: cannot write the report: no directory ${join(d, 'nope')}\n`)
    const diff = await runCli(['diff', IMAGE, IMAGE, '-o', join(d, 'diff.sarif'), '-o', `markdown:${join(d, 'diff.txt')}`])
    expect(diff.code).toBe(0)
    expect(JSON.parse(readFileSync(join(d, 'diff.sarif'), 'utf8')).runs[0].results).toEqual([])
    expect(readFileSync(join(d, 'diff.txt'), 'utf8')).toMatch(/^### layer-audit diff: SAME/)
  })

  it.runIf(isRoot)('a private /dev/null-like node stays a device; a /dev/full-like one fails the run and stays too', async () => {
    const d = dir()
    execFileSync('mknod', [join(d, 'null'), 'c', '1', '3'])
    execFileSync('mknod', [join(d, 'full'), 'c', '1', '7'])
    const ok = await runCli(['scan', IMAGE, '--output', join(d, 'null'), '--format', 'json'])
    expect(ok.code === 0 || ok.code === 1, ok.stderr).toBe(true)
    expect(lstatSync(join(d, 'null')).isCharacterDevice()).toBe(true)
    const full = await runCli(['scan', IMAGE, '--output', join(d, 'full'), '--format', 'json'])
    expect(full.code).toBe(2)
    expect(full.stdout).toBe('')
    expect(full.stderr).toBe(`layer-audit: ${join(d, 'full')}: cannot write the report: ENOSPC\n`)
    expect(lstatSync(join(d, 'full')).isCharacterDevice()).toBe(true)
    expect(readdirSync(d).sort()).toEqual(['full', 'null'])
  })

  it('writes into a FIFO (a reader on the other end) and leaves it a FIFO', async () => {
    const d = dir()
    const fifo = join(d, 'report.fifo')
    execFileSync('mkfifo', [fifo])
    const reader = spawn('cat', [fifo], {stdio: ['ignore', 'pipe', 'ignore']})
    const chunks: Buffer[] = []
    reader.stdout.on('data', (c: Buffer) => chunks.push(c))
    const read = new Promise((resolve) => reader.on('close', resolve))
    const result = await runCli(['scan', IMAGE, '--output', fifo, '--format', 'json'])
    expect(result.code === 0 || result.code === 1, result.stderr).toBe(true)
    await read
    expect(JSON.parse(Buffer.concat(chunks).toString('utf8')).command).toBe('scan')
    expect(lstatSync(fifo).isFIFO()).toBe(true)
    expect(readdirSync(d)).toEqual(['report.fifo'])
  })

  it('writes through a symlink to /dev/stdout, which stays a symlink (stdout a socket, as Node gives children)', async () => {
    const d = dir()
    symlinkSync('/dev/stdout', join(d, 'out'))
    const result = await runCli(['scan', IMAGE, '--output', join(d, 'out'), '--format', 'json'])
    expect(result.code === 0 || result.code === 1, result.stderr).toBe(true)
    // The report first, then the table.
    expect(result.stdout.startsWith('{\n  "schemaVersion": 1,\n  "command": "scan"')).toBe(true)
    expect(result.stdout).toMatch(/\n(PASS|FAIL): /)
    expect(readlinkSync(join(d, 'out'))).toBe('/dev/stdout')
    expect(readdirSync(d)).toEqual(['out'])
  })

  it('writes to /dev/stdout and /dev/fd/1 when stdout is a pipe or a file, the table after the report', () => {
    const d = dir()
    const bin = join(REPO, 'bin', 'run.js')
    for (const output of ['/dev/stdout', '/dev/fd/1']) {
      const script = `"$1" "$2" scan "$3" --output "$4" --format json --fail-on never | cat; "$1" "$2" scan "$3" --output "$4" --format json --fail-on never > "$5"`
      const piped = execFileSync('sh', ['-c', script, 'sh', process.execPath, bin, IMAGE, output, join(d, 'stdout.txt')], {env: {...process.env, NO_COLOR: '1'}})
        .toString('utf8')
      const file = readFileSync(join(d, 'stdout.txt'), 'utf8')
      for (const text of [piped, file]) {
        expect(text.startsWith('{\n  "schemaVersion": 1,\n  "command": "scan"')).toBe(true)
        expect(JSON.parse(text.slice(0, text.indexOf('\n}\n') + 3)).command).toBe('scan')
        expect(text).toMatch(/\n}\n\n?(PASS|FAIL): /)
      }
    }
  })
})
