/** The small pieces that keep inputs in their place: JSON error offsets, quoting, capped reads, spools. */
import {spawn} from 'node:child_process'
import {execFileSync} from 'node:child_process'
import {existsSync, mkdtempSync, rmSync, statSync, truncateSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {Readable} from 'node:stream'
import fc from 'fast-check'
import {afterAll, describe, expect, it} from 'vitest'

import {FileTooLargeError, readFileCapped} from '../../src/io/capped-read.js'
import {MAX_QUOTED, quoteInput, quoteList} from '../../src/io/input-text.js'
import {jsonErrorOffset, jsonErrorPlace, parseJsonText} from '../../src/io/json-syntax.js'
import {liveSpoolCount, removeLiveSpoolsSync, spoolStream, SpoolTooLargeError} from '../../src/io/spool.js'

const tmp = mkdtempSync(join(tmpdir(), 'la-io-'))
afterAll(() => rmSync(tmp, {recursive: true, force: true}))

describe('jsonErrorOffset', () => {
  const cases: [string, number][] = [
    ['{"a": x}', 6],
    ['ghp_token', 0],
    ['', 0],
    ['   ', 3],
    ['\ufeff{}', 0],
    ['{"a": 1,}', 8],
    ['[1, 2', 5],
    ['[1 2]', 3],
    ['{"a" 1}', 5],
    ['{1: 2}', 1],
    ['"abc', 4],
    ['"a\nb"', 2],
    ['"\\x"', 2],
    ['"\\u12g4"', 5],
    ['01', 1],
    ['-', 1],
    ['1.', 2],
    ['1.e5', 2],
    ['1e', 2],
    ['1e+x', 3],
    ['tru', 3],
    ['trux', 3],
    ['nul', 3],
    ['{} {}', 3],
    ['[]]', 2],
    ['{"a": [1, {"b": fals}]}', 20],
    [`${'['.repeat(100_000)}${']'.repeat(99_999)}`, 199_999],
  ]
  for (const [text, offset] of cases) {
    it(`${JSON.stringify(text.slice(0, 30))} fails at byte ${offset}`, () => {
      expect(() => JSON.parse(text)).toThrow(SyntaxError)
      expect(jsonErrorOffset(text)).toBe(offset)
    })
  }

  it('counts bytes, not characters', () => {
    expect(jsonErrorOffset('["é€😀", x]')).toBe(Buffer.byteLength('["é€😀", '))
  })

  it('finds no error exactly where JSON.parse succeeds (random texts and mutated documents)', () => {
    const json = fc.jsonValue().map((v) => JSON.stringify(v, null, 1))
    const mutated = fc.tuple(json, fc.nat(), fc.constantFrom('', ',', '}', ']', '"', '\\', ':', 'x', '0', '-', ' ', '\n', '\u0001', '{', '['))
      .map(([text, at, insert]) => text.slice(0, at % (text.length + 1)) + insert + text.slice(at % (text.length + 1)))
    fc.assert(
      fc.property(fc.oneof(json, mutated, fc.string()), (text) => {
        let valid = true
        try {
          JSON.parse(text)
        } catch {
          valid = false
        }
        const offset = jsonErrorOffset(text)
        if (valid) expect(offset).toBe(-1)
        else {
          expect(offset).toBeGreaterThanOrEqual(0)
          expect(offset).toBeLessThanOrEqual(Buffer.byteLength(text))
        }
      }),
      {numRuns: 3000, seed: 20240501},
    )
  })

  it('says where, never what', () => {
    expect(jsonErrorPlace('{"token": ghp_abc}')).toBe('at byte 10')
    expect(jsonErrorPlace('{"a": [')).toBe('cut short at byte 7')
    const error = (() => {
      try {
        parseJsonText(Buffer.from('ghp_SecretToken\n'), (place) => new Error(`not JSON (${place})`))
      } catch (e) {
        return e as Error
      }
    })()
    expect(error?.message).toBe('not JSON (at byte 0)')
    expect(parseJsonText('{"a": 1}', () => new Error('no'))).toEqual({a: 1})
  })
})

describe('quoteInput', () => {
  it('leaves short plain text as it is', () => {
    expect(quoteInput('application/vnd.oci.image.layer.v1.tar')).toBe('application/vnd.oci.image.layer.v1.tar')
  })

  it('escapes controls and cuts at 80 characters, never inside an escape or a surrogate pair', () => {
    expect(quoteInput('a\nb\u001b[0m')).toBe('a\\nb\\x1b[0m')
    const long = quoteInput('x'.repeat(2000))
    expect(long).toHaveLength(MAX_QUOTED)
    expect(long.endsWith('…')).toBe(true)
    for (let pad = 0; pad < 6; pad++) {
      for (const unit of ['\u0007', '😀', '\u202e']) {
        const quoted = quoteInput('y'.repeat(70 + pad) + unit.repeat(20))
        expect(quoted.length).toBeLessThanOrEqual(MAX_QUOTED)
        expect(quoted).toMatch(/^y+((\\x07)*|(😀)*|(\\u\{202e\})*)…$/u)
      }
    }
  })

  it('lists at most ten items', () => {
    expect(quoteList(['a', 'b'])).toBe('a, b')
    expect(quoteList(Array.from({length: 25}, (_, i) => `t${i}`))).toBe('t0, t1, t2, t3, t4, t5, t6, t7, t8, t9, … and 15 more')
  })
})

describe('readFileCapped', () => {
  it('reads a file up to the cap, and refuses a bigger one by its size without reading it', async () => {
    const small = join(tmp, 'small.json')
    writeFileSync(small, '{"a": 1}')
    expect((await readFileCapped(small, 8)).toString()).toBe('{"a": 1}')
    const big = join(tmp, 'big.json')
    writeFileSync(big, '')
    truncateSync(big, 700 * 1024 * 1024) // sparse: nothing on disk, 700 MB to read
    const error = await readFileCapped(big, 1024).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(FileTooLargeError)
    expect((error as FileTooLargeError).message).toBe('734003200 bytes, over the 1024-byte cap')
  })

  it('stops one byte past the cap on a pipe fed forever', async () => {
    const fifo = join(tmp, 'endless.fifo')
    execFileSync('mkfifo', [fifo])
    const writer = spawn('sh', ['-c', 'yes > "$1"', 'sh', fifo], {stdio: 'ignore'})
    const ended = new Promise((resolve) => writer.on('exit', resolve))
    const error = await readFileCapped(fifo, 100_000).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(FileTooLargeError)
    expect((error as Error).message).toBe('over the 100000-byte cap')
    await ended // the writer ends on SIGPIPE once the reader is gone
  })
})

describe('spoolStream', () => {
  it('copies to a private file (0600 in a 0700 directory) and removes it', async () => {
    const spool = await spoolStream(Readable.from([Buffer.from('abc')]), {prefix: 'la-io-spool-'})
    expect(statSync(spool.path).mode & 0o777).toBe(0o600)
    expect(statSync(join(spool.path, '..')).mode & 0o777).toBe(0o700)
    expect(liveSpoolCount()).toBe(1)
    await spool.remove()
    await spool.remove()
    expect(existsSync(join(spool.path, '..'))).toBe(false)
    expect(liveSpoolCount()).toBe(0)
  })

  it('removes the spool when the stream fails or passes the cap', async () => {
    const failing = new Readable({read() {
      this.destroy(new Error('boom'))
    }})
    await expect(spoolStream(failing, {prefix: 'la-io-spool-'})).rejects.toThrow('boom')
    await expect(spoolStream(Readable.from([Buffer.alloc(10), Buffer.alloc(10)]), {prefix: 'la-io-spool-', maxBytes: 15})).rejects.toBeInstanceOf(
      SpoolTooLargeError,
    )
    expect(liveSpoolCount()).toBe(0)
  })

  it('removeLiveSpoolsSync removes what is alive (what the signal handlers call)', async () => {
    const spool = await spoolStream(Readable.from([Buffer.from('abc')]), {prefix: 'la-io-spool-'})
    removeLiveSpoolsSync()
    expect(existsSync(spool.path)).toBe(false)
    expect(liveSpoolCount()).toBe(0)
    await spool.remove()
  })
})
