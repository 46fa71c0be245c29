import {describe, expect, it} from 'vitest'
import {rule as archMismatch} from '../../src/rules/compare/extension-arch-mismatch.js'
import {rule as crlf} from '../../src/rules/compare/extension-crlf-shebang.js'
import {rule as interpreterMissing} from '../../src/rules/compare/extension-interpreter-missing.js'
import {rule as notExecutable} from '../../src/rules/compare/extension-not-executable.js'
import {rule as unknownFormat} from '../../src/rules/compare/extension-unknown-format.js'
import {rule as tooMany} from '../../src/rules/compare/too-many-extensions.js'
import {EM_AARCH64, EM_X86_64, elf, makeImage, notApplicable, run, type NodeSpec} from './helpers.js'

const glibc = {
  '/lib64/ld-linux-x86-64.so.2': {content: 'ld', mode: 0o755},
  '/usr/bin/bash': {content: 'bash', mode: 0o755},
  '/usr/bin/env': {content: 'env', mode: 0o755},
  '/bin': {linkTarget: 'usr/bin'},
}
const python = {'/var/lang/bin/python3': {content: 'py', mode: 0o755}}
const image = makeImage({config: {Env: ['PATH=/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin'], Entrypoint: ['/lambda-entrypoint.sh']}})

const script = (text: string, mode = 0o755): NodeSpec => ({content: text, mode})

describe("'extension-not-executable'", () => {
  it('fires when others cannot execute a binary, or cannot read a script', () => {
    const findings = run(notExecutable, {
      files: {
        '/opt/extensions/bin-ext': {content: elf({machine: EM_X86_64}), mode: 0o750},
        '/opt/extensions/script-ext': script('#!/bin/bash\necho\n', 0o711),
      },
    })
    expect(findings.map((f) => [f.path, f.message.includes('execute'), f.message.includes('read')])).toEqual([
      ['/opt/extensions/bin-ext', true, false],
      ['/opt/extensions/script-ext', false, true],
    ])
  })

  it('follows symlinks inside the image and flags a dangling one', () => {
    const findings = run(notExecutable, {
      files: {
        '/opt/agent/run.sh': script('#!/bin/sh\n', 0o644),
        '/opt/extensions/agent': {linkTarget: '../agent/run.sh'},
        '/opt/extensions/gone': {linkTarget: '/opt/nowhere'},
      },
    })
    expect(findings.map((f) => f.path)).toEqual(['/opt/extensions/agent', '/opt/extensions/gone'])
    expect(findings[0].message).toContain('via /opt/agent/run.sh')
  })

  it('is silent for 0755 files, 0555 scripts and directories such as lib/', () => {
    const findings = run(notExecutable, {
      files: {
        '/opt/extensions/a': {content: elf({machine: EM_X86_64}), mode: 0o755},
        '/opt/extensions/b': script('#!/bin/sh\n', 0o555),
        '/opt/extensions/lib/dep.py': script('x = 1\n', 0o600),
      },
    })
    expect(findings).toEqual([])
  })
})

describe("'extension-interpreter-missing'", () => {
  it('fires for a python extension in an image without python', () => {
    const findings = run(interpreterMissing, {image, files: {...glibc, '/opt/extensions/logs': script('#!/usr/bin/env python3\nimport sys\n')}})
    expect(findings).toHaveLength(1)
    expect(findings[0].message).toContain('python3 is not on the image')
  })

  it('fires for a missing absolute interpreter and a musl loader on a glibc image', () => {
    const findings = run(interpreterMissing, {
      image,
      files: {
        ...glibc,
        '/opt/extensions/a': script('#!/usr/bin/perl\n'),
        '/opt/extensions/b': {content: elf({machine: EM_X86_64, interp: '/lib/ld-musl-x86_64.so.1'}), mode: 0o755},
      },
    })
    expect(findings.map((f) => f.path)).toEqual(['/opt/extensions/a', '/opt/extensions/b'])
    expect(findings[1].message).toContain('musl')
  })

  it('is silent when the interpreter, env target or loader resolve (through /bin → usr/bin)', () => {
    const findings = run(interpreterMissing, {
      image,
      files: {
        ...glibc,
        ...python,
        '/opt/extensions/a': script('#!/bin/bash\n'),
        '/opt/extensions/b': script('#!/usr/bin/env -S python3 -u\n'),
        '/opt/extensions/c': {content: elf({machine: EM_X86_64, interp: '/lib64/ld-linux-x86-64.so.2'}), mode: 0o755},
        '/opt/extensions/d': {content: elf({machine: EM_X86_64}), mode: 0o755},
      },
    })
    expect(findings).toEqual([])
  })

  it('does not apply to a layer image: no finding, a reason instead', () => {
    const spec = {kind: 'layer' as const, files: {'/opt/extensions/logs': script('#!/usr/bin/env python3\n')}}
    expect(run(interpreterMissing, spec)).toEqual([])
    expect(notApplicable(interpreterMissing, spec)).toContain('a layer image')
    expect(notApplicable(interpreterMissing, {files: spec.files})).toBeUndefined()
  })
})

describe("'extension-crlf-shebang'", () => {
  it('fires on a #! line ending in CRLF', () => {
    const findings = run(crlf, {files: {...glibc, '/opt/extensions/ext': script('#!/bin/bash\r\necho hi\r\n')}})
    expect(findings).toHaveLength(1)
    expect(findings[0].path).toBe('/opt/extensions/ext')
  })

  it('is silent when only later lines have CRLF', () => {
    expect(run(crlf, {files: {'/opt/extensions/ext': script('#!/bin/bash\necho hi\r\n')}})).toEqual([])
  })
})

describe("'extension-arch-mismatch'", () => {
  it('fires for an arm64 binary in an amd64 image', () => {
    const findings = run(archMismatch, {image, files: {'/opt/extensions/otel': {content: elf({machine: EM_AARCH64}), mode: 0o755}}})
    expect(findings).toHaveLength(1)
    expect(findings[0]).toMatchObject({expected: {architecture: 'amd64'}, actual: {architecture: 'arm64'}})
  })

  it("checks a layer image against the function's Architectures only", () => {
    const files = {'/opt/extensions/otel': {content: elf({machine: EM_AARCH64}), mode: 0o755}}
    expect(run(archMismatch, {kind: 'layer', image, files})).toEqual([])
    expect(notApplicable(archMismatch, {kind: 'layer', image, files})).toContain("the function's Architectures is not known")
    expect(run(archMismatch, {kind: 'layer', image, files, function: {architectures: ['x86_64']}})).toHaveLength(1)
    expect(notApplicable(archMismatch, {kind: 'layer', image, files, function: {architectures: ['x86_64']}})).toBeUndefined()
  })

  it('is silent for a matching binary and for scripts', () => {
    const arm = makeImage({architecture: 'arm64', config: {Entrypoint: ['/x']}})
    const files = {'/opt/extensions/otel': {content: elf({machine: EM_AARCH64}), mode: 0o755}, '/opt/extensions/s': script('#!/bin/sh\n')}
    expect(run(archMismatch, {image: arm, files, function: {architectures: ['arm64']}})).toEqual([])
  })
})

describe("'extension-unknown-format'", () => {
  it('fires for a file that is neither ELF nor #!', () => {
    const findings = run(unknownFormat, {files: {'/opt/extensions/README.md': script('# My extension\n', 0o644), '/opt/extensions/mac': {content: Buffer.from([0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1]), mode: 0o755}}})
    expect(findings.map((f) => f.path)).toEqual(['/opt/extensions/README.md', '/opt/extensions/mac'])
    expect(findings[1].message).toContain('Mach-O')
  })

  it('is silent for ELF, scripts, and files whose head was not captured', () => {
    const files = {'/opt/extensions/a': {content: elf({machine: EM_X86_64}), mode: 0o755}, '/opt/extensions/b': script('#!/bin/sh\n'), '/opt/extensions/c': {size: 10, mode: 0o755}}
    expect(run(unknownFormat, {files})).toEqual([])
  })
})

describe("'too-many-extensions'", () => {
  const many = (n: number) => Object.fromEntries(Array.from({length: n}, (_, i) => [`/opt/extensions/e${i}`, script('#!/bin/sh\n')]))
  it('fires above 10', () => {
    const findings = run(tooMany, {files: many(11)})
    expect(findings).toHaveLength(1)
    expect(findings[0].actual).toMatchObject({count: 11})
  })
  it('is silent at 10, directories not counted', () => {
    expect(run(tooMany, {files: {...many(10), '/opt/extensions/lib/x.py': 'x'}})).toEqual([])
  })
})
