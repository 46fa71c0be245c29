import {execFileSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {parseElf} from '../../src/inspect/elf.js'
import {sniffFormat} from '../../src/inspect/file-format.js'
import {parseShebang} from '../../src/inspect/shebang.js'
import {EM_AARCH64, EM_X86_64, elf} from './helpers.js'
import {REALDATA_MISSING, realdata} from '../helpers/realdata.js'
import {itUnless} from '../helpers/skip-reason.js'

const armZip = realdata('lambda/garysassano-otlp-stdout-kinesis-extension-layer.zip')

describe('ELF header', () => {
  it('reads class, machine and PT_INTERP from built headers (64/32-bit, both byte orders)', () => {
    expect(parseElf(elf({machine: EM_X86_64, interp: '/lib64/ld-linux-x86-64.so.2'}))).toMatchObject({bits: 64, endian: 'le', architecture: 'amd64', interpreter: '/lib64/ld-linux-x86-64.so.2', programHeadersRead: true})
    expect(parseElf(elf({machine: EM_AARCH64}))).toMatchObject({architecture: 'arm64', programHeadersRead: true})
    expect(parseElf(elf({machine: EM_AARCH64}))?.interpreter).toBeUndefined()
    expect(parseElf(elf({machine: 3, bits: 32, interp: '/lib/ld-linux.so.2'}))).toMatchObject({bits: 32, architecture: '386', interpreter: '/lib/ld-linux.so.2'})
    expect(parseElf(elf({machine: 22, bigEndian: true}))).toMatchObject({endian: 'be', architecture: 's390x'})
  })

  it('says when the program headers were beyond the bytes given', () => {
    const head = elf({machine: EM_X86_64, interp: '/lib/ld-musl-x86_64.so.1'}).subarray(0, 70)
    expect(parseElf(head)).toMatchObject({architecture: 'amd64', programHeadersRead: false})
    expect(parseElf(head)?.interpreter).toBeUndefined()
  })

  it("reads this host's /bin/sh: a dynamic binary with a program interpreter", () => {
    const head = readFileSync('/bin/sh').subarray(0, 4096)
    const info = parseElf(head)!
    expect(info.programHeadersRead).toBe(true)
    expect(info.interpreter).toMatch(/^\/lib.*ld-linux/)
  })

  itUnless(REALDATA_MISSING, 'reads the real arm64 extension of the otlp-stdout-kinesis layer as static-pie aarch64', () => {
    const head = execFileSync('unzip', ['-p', armZip, 'extensions/otlp-stdout-kinesis-extension-layer'], {maxBuffer: 16 * 1024 * 1024}).subarray(0, 4096)
    expect(parseElf(head)).toMatchObject({bits: 64, architecture: 'arm64', machine: 183, programHeadersRead: true})
  })
})

describe('#! line', () => {
  it('splits interpreter and the one optional argument', () => {
    expect(parseShebang(Buffer.from('#! /bin/bash -e\nx'))).toMatchObject({interpreter: '/bin/bash', argument: '-e', crlf: false})
  })
  it('finds the program behind /usr/bin/env, with -S, options and NAME=VALUE', () => {
    expect(parseShebang(Buffer.from('#!/usr/bin/env python3\n'))?.envProgram).toBe('python3')
    expect(parseShebang(Buffer.from('#!/usr/bin/env -S node --max-old-space-size=64\n'))?.envProgram).toBe('node')
    expect(parseShebang(Buffer.from('#!/usr/bin/env -i PYTHONPATH=/opt python3.12\n'))?.envProgram).toBe('python3.12')
  })
  it('notices CRLF and strips the carriage return from the words', () => {
    expect(parseShebang(Buffer.from('#!/usr/bin/env bash\r\necho\r\n'))).toMatchObject({crlf: true, interpreter: '/usr/bin/env', envProgram: 'bash'})
  })
  it('tells unknown formats apart', () => {
    expect(sniffFormat(Buffer.from([0x4d, 0x5a, 0, 0]))).toMatchObject({kind: 'unknown', hint: 'a Windows PE executable'})
    expect(sniffFormat(Buffer.from('\ufeff#!/bin/sh\n'))).toMatchObject({kind: 'unknown'})
    expect(sniffFormat(Buffer.alloc(0))).toMatchObject({kind: 'unknown', hint: 'an empty file'})
  })
})
