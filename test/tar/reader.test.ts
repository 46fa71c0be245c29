/** The push tar parser: what it hands out must not depend on how the bytes were cut. */
import {randomBytes} from 'node:crypto'
import {mkdirSync, writeFileSync, symlinkSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {MAX_EXTENDED_HEADER, TarFormatError, TarReader, type TarMember} from '../../src/tar/reader.js'
import {gnuTar, packTar, tmpDir} from '../fs/helpers.js'

interface Seen {
  member: TarMember
  data: Buffer
  ended: boolean
}

/** Feeds `tar` in pieces of `piece` bytes; returns every member with the data its sink got. */
function read(tar: Buffer, piece = tar.length): Seen[] {
  const seen: Seen[] = []
  const reader = new TarReader((member) => {
    const entry: Seen = {member, data: Buffer.alloc(0), ended: false}
    seen.push(entry)
    return {
      write: (chunk) => (entry.data = Buffer.concat([entry.data, chunk])),
      end: () => (entry.ended = true),
    }
  })
  for (let at = 0; at < tar.length; at += piece) reader.write(tar.subarray(at, at + piece))
  reader.end()
  return seen
}

function failure(fn: () => unknown): TarFormatError {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(TarFormatError)
    return error as TarFormatError
  }
  throw new Error('expected a TarFormatError')
}

/** Rewrites a header's checksum after a test edited it. */
function fixChecksum(tar: Buffer, at: number): void {
  tar.fill(0x20, at + 148, at + 156)
  let sum = 0
  for (let i = at; i < at + 512; i++) sum += tar[i]!
  tar.write(`${sum.toString(8).padStart(6, '0')}\0 `, at + 148, 'latin1')
}

describe('TarReader', () => {
  it('gives the same members and bytes however the stream is cut (1, 511, 513, 4096 bytes, whole)', async () => {
    const dir = tmpDir()
    mkdirSync(join(dir, 'd/deep'.repeat(1)), {recursive: true})
    writeFileSync(join(dir, 'd/a.bin'), randomBytes(70_001))
    writeFileSync(join(dir, 'd/empty'), '')
    writeFileSync(join(dir, `d/${'n'.repeat(150)}`), 'long name')
    symlinkSync(`../${'t'.repeat(120)}`, join(dir, 'd/link'))
    for (const format of ['gnu', 'posix']) {
      const tar = gnuTar(dir, ['d'], [`--format=${format}`])
      const whole = read(tar)
      expect(whole.map((s) => s.member.name).sort()).toEqual(
        ['d/', 'd/a.bin', 'd/deep/', 'd/empty', 'd/link', `d/${'n'.repeat(150)}`].sort(),
      )
      for (const piece of [1, 511, 513, 4096]) {
        const cut = read(tar, piece)
        expect(cut.map((s) => [s.member.name, s.member.offset, s.data.length, s.ended])).toEqual(
          whole.map((s) => [s.member.name, s.member.offset, s.data.length, s.ended]),
        )
        expect(cut.find((s) => s.member.name === 'd/a.bin')!.data.equals(whole.find((s) => s.member.name === 'd/a.bin')!.data)).toBe(true)
      }
      expect(whole.find((s) => s.member.name === 'd/link')!.member.linkname).toBe(`../${'t'.repeat(120)}`)
    }
  })

  it('links, devices, directories and fifos carry no data whatever their size field says (as Go reads them)', async () => {
    const tar = await packTar([
      {name: 'member', type: 'directory'},
      {name: 'after', content: 'after'},
    ])
    // Claim 1024 bytes of data for the first member: a reader that believed it would swallow "after".
    tar.write('00000002000\0', 124, 'latin1')
    for (const flag of ['1', '2', '3', '4', '5', '6']) {
      tar[156] = flag.charCodeAt(0)
      fixChecksum(tar, 0)
      expect(read(tar).map((s) => [s.member.name, s.member.flag, s.data.toString()]), `typeflag ${flag}`).toEqual([
        ['member', flag, ''],
        ['after', '0', 'after'],
      ])
    }
    // A regular file with the same header does own the 1024 bytes that follow.
    tar[156] = '0'.charCodeAt(0)
    fixChecksum(tar, 0)
    expect(read(tar).map((s) => [s.member.name, s.data.length])).toEqual([['member', 1024]])
  })

  it('PAX records apply to the next member only; a global header applies to none', async () => {
    const tar = await packTar([
      {name: 'short', content: 'x', pax: {path: 'from/pax/path', 'SCHILY.xattr.user.k': 'v'}},
      {name: 'plain', content: 'y'},
    ])
    const seen = read(tar)
    expect(seen.map((s) => s.member.name)).toEqual(['from/pax/path', 'plain'])
    expect(seen[0]!.member.pax).toMatchObject({'SCHILY.xattr.user.k': 'v'})
    expect(seen[1]!.member.pax).toBeUndefined()

    // Turn the first extended header into a global one ('g'): the member keeps the name its own header
    // has (tar-stream's packer writes "PaxHeader" there when the PAX record carries the path).
    tar[156] = 'g'.charCodeAt(0)
    fixChecksum(tar, 0)
    expect(read(tar).map((s) => s.member.name)).toEqual(['PaxHeader', 'plain'])
  })

  it('two zero blocks end the archive and what follows is skipped unread', async () => {
    const tar = Buffer.concat([(await packTar([{name: 'a', content: 'a'}])).subarray(0, 1024), Buffer.alloc(1024), randomBytes(3000)])
    expect(read(tar, 700).map((s) => s.member.name)).toEqual(['a'])
  })

  it('one zero block ends the archive only where the stream ends; a header after it is corrupt (Go)', async () => {
    const member = (await packTar([{name: 'a', content: 'a'}])).subarray(0, 1024)
    expect(read(Buffer.concat([member, Buffer.alloc(512)]), 300).map((s) => s.member.name)).toEqual(['a'])
    expect(failure(() => read(Buffer.concat([member, Buffer.alloc(512), member]))).message).toBe('a header follows a single zero block at byte 1536')
    expect(failure(() => read(Buffer.concat([member, Buffer.alloc(512), Buffer.alloc(100)]))).kind).toBe('truncated')
  })

  it('an end inside a header or data is truncated; at a header boundary or inside padding it is the end (Go)', async () => {
    const tar = await packTar([{name: 'a', content: 'abc'}])
    expect(read(tar.subarray(0, 1024)).map((s) => s.member.name)).toEqual(['a'])
    for (const cut of [100, 512 + 2]) {
      expect(failure(() => read(tar.subarray(0, cut))).kind, `cut at ${cut}`).toBe('truncated')
    }
    const padded = read(tar.subarray(0, 512 + 100))
    expect(padded.map((s) => [s.member.name, s.data.toString(), s.ended])).toEqual([['a', 'abc', true]])
  })

  it('a bad checksum is corrupt and says where', async () => {
    const tar = await packTar([{name: 'a', content: 'abc'}, {name: 'b', content: 'def'}])
    tar[1024 + 10] ^= 0xff
    const error = failure(() => read(tar))
    expect(error.kind).toBe('corrupt')
    expect(error.message).toBe('bad tar header checksum at byte 1024')
  })

  it('an extended header over 1 MiB is refused before it is buffered', async () => {
    const tar = await packTar([{name: 'a', content: 'x', pax: {comment: 'c'.repeat(10)}}])
    tar.write(`${(MAX_EXTENDED_HEADER + 1).toString(8).padStart(11, '0')}\0`, 124, 'latin1')
    fixChecksum(tar, 0)
    const error = failure(() => read(tar.subarray(0, 512)))
    expect(error.message).toMatch(/extended header of 1048577 bytes at byte 0/)
  })

  it('a PAX size overrides the header and must be a number', async () => {
    const tar = await packTar([{name: 'a', content: 'abcdef', pax: {size: '6'}}])
    expect(read(tar).map((s) => s.data.toString())).toEqual(['abcdef'])
    const bad = await packTar([{name: 'a', content: 'abcdef', pax: {size: 'six'}}])
    expect(failure(() => read(bad)).message).toBe('bad PAX size record at byte 1024')
  })
})
