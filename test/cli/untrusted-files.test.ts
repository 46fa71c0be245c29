/**
 * What layer-audit reads and leaves behind, end to end (docs/security.md): layouts read only inside
 * themselves, error lines that quote no input bytes, pipes given as paths, capped JSON files, and stdin
 * spools removed on every exit — signals included. Each child gets a private TMPDIR to look into.
 */
import {spawn} from 'node:child_process'
import {execFileSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, symlinkSync, truncateSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import {FIXTURES, REPO, runCli, type CliResult} from '../helpers/cli.js'

const tmp = mkdtempSync(join(tmpdir(), 'la-untrusted-cli-'))
afterAll(() => rmSync(tmp, {recursive: true, force: true}))
const IMAGE = join(FIXTURES, 'images', 'function-image-good.docker.tar')
const OCI_IMAGE = join(FIXTURES, 'images', 'function-image-good.oci.tar')
const ZIP = join(FIXTURES, 'zips', 'layer-log-shipper.zip')

let n = 0
function dir(): string {
  const path = join(tmp, `d${n++}`)
  mkdirSync(path)
  return path
}

/** Exit 2, nothing on stdout, exactly one line on stderr (escaped: no control character in it). */
function expectOneLine(result: CliResult, line: string | RegExp): void {
  expect(result.code, result.stderr).toBe(2)
  expect(result.stdout).toBe('')
  expect(result.stderr.endsWith('\n')).toBe(true)
  const text = result.stderr.slice(0, -1)
  expect(text).not.toMatch(/[\u0000-\u001f]/)
  if (typeof line === 'string') expect(text).toBe(line)
  else expect(text).toMatch(line)
}

/** A FIFO in a private dir, with `sh -c script` writing into it ($1 is the FIFO). */
function fifoFedBy(script: string, ...args: string[]): {path: string; writer: Promise<number | null>} {
  const path = join(dir(), 'input.fifo')
  execFileSync('mkfifo', [path])
  const child = spawn('sh', ['-c', script, 'sh', path, ...args], {stdio: 'ignore'})
  return {path, writer: new Promise((resolve) => child.on('exit', (code) => resolve(code)))}
}

describe('an OCI layout is read only inside itself', () => {
  it('index.json as a symlink to /etc/passwd: refused, and not a byte of it shown', async () => {
    const layout = dir()
    execFileSync('tar', ['-xf', OCI_IMAGE, '-C', layout])
    renameSync(join(layout, 'index.json'), join(layout, 'index.real'))
    symlinkSync('/etc/passwd', join(layout, 'index.json'))
    const result = await runCli(['tree', layout])
    expectOneLine(result, `layer-audit: ${layout}: index.json leads outside the layout (a symlink out of it): not read`)
  })

  it('a config blob as a symlink to /proc/self/environ: refused, the environment never shown', async () => {
    const layout = dir()
    execFileSync('tar', ['-xf', OCI_IMAGE, '-C', layout])
    const blobs = join(layout, 'blobs', 'sha256')
    const configs = readdirSync(blobs).filter((name) => execFileSync('cat', [join(blobs, name)]).toString('latin1').includes('"rootfs"'))
    expect(configs).toHaveLength(1)
    rmSync(join(blobs, configs[0]!))
    symlinkSync('/proc/self/environ', join(blobs, configs[0]!))
    const secret = 'ghp_EnvironmentSecret0123456789abcdefABCD'
    const result = await runCli(['inspect', layout], {env: {LA_SECRET: secret}})
    expectOneLine(result, new RegExp(`^layer-audit: ${layout}: blob sha256:${configs[0]} leads outside the layout`))
    expect(result.stderr).not.toContain(secret)
  })
})

describe('error lines never quote the bytes of a document', () => {
  it('a config holding a bare token and a newline: named by digest and byte offset', async () => {
    const d = dir()
    mkdirSync(join(d, 'img'))
    writeFileSync(join(d, 'img', 'manifest.json'), JSON.stringify([{Config: 'cfg', RepoTags: [], Layers: []}]))
    writeFileSync(join(d, 'img', 'cfg'), 'ghp_BareTokenAsConfig0123456789abcdefABCD\nx')
    execFileSync('tar', ['-cf', join(d, 'image.tar'), '-C', join(d, 'img'), 'manifest.json', 'cfg'])
    const result = await runCli(['inspect', join(d, 'image.tar')])
    expectOneLine(result, new RegExp(`^layer-audit: ${join(d, 'image.tar')}: config sha256:[a-f0-9]{12}… is not valid JSON \\(at byte 0\\)$`))
    expect(result.stderr).not.toContain('ghp_')
  })

  it('names from an input are escaped and cut; the whole line is escaped once more', async () => {
    const tag = `evil\n\u001b]0;title\u0007${'t'.repeat(500)}`
    const result = await runCli(['inspect', IMAGE, '--image', tag])
    expectOneLine(result, /^layer-audit: .*: no image evil\\n\\x1b\]0;title\\x07t+… in the archive \(/)
    expect(result.stderr.length).toBeLessThan(400)
    // A message no site quoted (a rule id from --config): the CLI's escaping keeps it one line.
    const config = join(dir(), 'config.json')
    writeFileSync(config, JSON.stringify({rules: {'no-such\nrule': 'off'}}))
    expectOneLine(await runCli(['scan', IMAGE, '--config', config]), /^layer-audit: .*config\.json: .*no-such\\nrule/)
  })

  it('a --function-config that is not JSON: the byte, not the text', async () => {
    const file = join(dir(), 'fn.json')
    writeFileSync(file, '{"FunctionName": ghp_SecretInConfig0123456789abcdefABCD\n}')
    expectOneLine(await runCli(['tree', '--function-config', file]), `layer-audit: ${file}: not JSON (at byte 17)`)
  })
})

describe('a pipe given as a path is read like stdin', () => {
  it('an image from a FIFO (`tree <(cat image.tar)`) gives the same tree as the file', async () => {
    const spoolDir = dir()
    const fifo = fifoFedBy('cat "$2" > "$1"', IMAGE)
    const piped = await runCli(['tree', fifo.path, '--json'], {env: {TMPDIR: spoolDir}})
    expect(piped.stderr).toBe('')
    expect(await fifo.writer).toBe(0)
    expect(readdirSync(spoolDir)).toEqual([])
    const direct = await runCli(['tree', IMAGE, '--json'])
    const entries = (text: string) => (JSON.parse(text) as {entries: unknown[]}).entries
    expect(entries(piped.stdout)).toEqual(entries(direct.stdout))
  })

  it('a layer zip from a FIFO (`--layer <(cat z.zip)`) is read, not "not a zip file"', async () => {
    const spoolDir = dir()
    const fifo = fifoFedBy('cat "$2" > "$1"', ZIP)
    const piped = await runCli(['tree', '--layer', fifo.path, '--json'], {env: {TMPDIR: spoolDir}})
    expect(piped.stderr).toBe('')
    expect(piped.code).toBe(0)
    const direct = await runCli(['tree', '--layer', ZIP, '--json'])
    const paths = (text: string) => (JSON.parse(text) as {entries: {path: string}[]}).entries.map((e) => e.path)
    expect(paths(piped.stdout)).toEqual(paths(direct.stdout))
    expect(readdirSync(spoolDir)).toEqual([])
  })
})

describe('JSON files given by flag are read under a cap', () => {
  it('a 700 MB --function-config is refused by its size, at once', async () => {
    const file = join(dir(), 'huge.json')
    writeFileSync(file, '')
    truncateSync(file, 700 * 1024 * 1024) // sparse
    const started = Date.now()
    expectOneLine(await runCli(['tree', '--function-config', file]), `layer-audit: ${file}: function config is 734003200 bytes, over the 8388608-byte cap`)
    expect(Date.now() - started).toBeLessThan(20_000)
  })

  it('a --function-config fed forever through a FIFO stops one byte past the cap', async () => {
    const fifo = fifoFedBy('yes > "$1"')
    expectOneLine(await runCli(['tree', '--function-config', fifo.path]), `layer-audit: ${fifo.path}: function config is over the 8388608-byte cap`)
    await fifo.writer // ends on SIGPIPE once the reader is gone
  })

  it('--config and --baseline too', async () => {
    const d = dir()
    writeFileSync(join(d, 'big'), '')
    truncateSync(join(d, 'big'), 300 * 1024 * 1024)
    expectOneLine(await runCli(['scan', IMAGE, '--config', join(d, 'big')]), `layer-audit: ${join(d, 'big')}: config file over 1 MiB`)
    expectOneLine(await runCli(['scan', IMAGE, '--baseline', join(d, 'big')]), `layer-audit: ${join(d, 'big')}: baseline over 256 MiB`)
  })
})

describe('the stdin spool is removed on every way out', () => {
  /** `tree -` with a private TMPDIR and a stdin that never ends; resolves once the spool exists. */
  async function slowStdin(): Promise<{tmp: string; kill: (signal: NodeJS.Signals) => Promise<{code: number | null; stderr: string}>}> {
    const privateTmp = dir()
    const child = spawn(process.execPath, [join(REPO, 'bin', 'run.js'), 'tree', '-'], {
      env: {...process.env, TMPDIR: privateTmp, NO_COLOR: '1'},
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')))
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    child.stdin.write(Buffer.alloc(64 * 1024))
    // The spool's directory is made first, its file a moment later: wait for the file (a loaded CI machine saw the gap).
    const spooled = () => readdirSync(privateTmp).some((name) => name.startsWith('layer-audit-stdin-') && readdirSync(join(privateTmp, name)).includes('archive'))
    for (let i = 0; i < 200 && !spooled(); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    const spools = readdirSync(privateTmp)
    expect(spools).toHaveLength(1)
    expect(readdirSync(join(privateTmp, spools[0]!))).toEqual(['archive'])
    return {
      tmp: privateTmp,
      kill: async (signal) => {
        child.kill(signal)
        const code = await exited
        child.stdin.destroy()
        return {code, stderr}
      },
    }
  }

  for (const [signal, code] of [['SIGTERM', 143], ['SIGINT', 130], ['SIGHUP', 129]] as const) {
    it(`${signal} while stdin is spooled: the spool is removed, exit ${code}`, async () => {
      const run = await slowStdin()
      const result = await run.kill(signal)
      expect(result.code).toBe(code)
      expect(readdirSync(run.tmp)).toEqual([])
    })
  }

  it('after a normal run and after an error', async () => {
    const privateTmp = dir()
    const ok = await runCli(['tree', '-', '--depth', '0'], {input: execFileSync('cat', [IMAGE]), env: {TMPDIR: privateTmp}})
    expect(ok.code, ok.stderr).toBe(0)
    expect(readdirSync(privateTmp)).toEqual([])
    expectOneLine(await runCli(['tree', '-'], {input: 'not an image\n', env: {TMPDIR: privateTmp}}), 'layer-audit: -: not an image archive: not a tar file')
    expect(readdirSync(privateTmp)).toEqual([])
  })
})
