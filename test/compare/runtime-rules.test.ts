import {describe, expect, it} from 'vitest'
import {rule as agentPathMissing} from '../../src/rules/compare/agent-path-missing.js'
import {rule as entrypointInvalid} from '../../src/rules/compare/entrypoint-invalid.js'
import {rule as handlerDiffers} from '../../src/rules/compare/handler-differs.js'
import {rule as handlerMissing} from '../../src/rules/compare/handler-missing.js'
import {rule as wrapperMissing} from '../../src/rules/compare/wrapper-missing.js'
import {rule as wrapperNotExecutable} from '../../src/rules/compare/wrapper-not-executable.js'
import {makeImage, notApplicable, run} from './helpers.js'

const base = {
  '/lambda-entrypoint.sh': {content: '#!/bin/sh\nexec "$@"\n', mode: 0o755},
  '/var/lang/bin/python3.12': {content: 'py', mode: 0o755},
  '/var/task/app.py': 'def lambda_handler(e, c): pass\n',
}
const pyImage = (extra: {Env?: string[]; Cmd?: string[]; Entrypoint?: string[]} = {}) =>
  makeImage({config: {Entrypoint: ['/lambda-entrypoint.sh'], Cmd: ['app.lambda_handler'], ...extra}})

describe("'wrapper-missing'", () => {
  it("fires when the function's AWS_LAMBDA_EXEC_WRAPPER is not in the image", () => {
    const findings = run(wrapperMissing, {image: pyImage(), files: base, function: {environment: {AWS_LAMBDA_EXEC_WRAPPER: '/opt/lumigo_wrapper'}}})
    expect(findings).toHaveLength(1)
    expect(findings[0]).toMatchObject({path: '/opt/lumigo_wrapper', evidence: {origin: 'function'}})
  })

  it("also reads the image's ENV, and is silent when the wrapper exists", () => {
    expect(run(wrapperMissing, {image: pyImage({Env: ['AWS_LAMBDA_EXEC_WRAPPER=/opt/w']}), files: base})).toHaveLength(1)
    expect(run(wrapperMissing, {image: pyImage({Env: ['AWS_LAMBDA_EXEC_WRAPPER=/opt/w']}), files: {...base, '/opt/w': {content: '#!/bin/sh\n', mode: 0o755}}})).toEqual([])
    expect(run(wrapperMissing, {image: pyImage(), files: base})).toEqual([])
  })
})

describe("'wrapper-not-executable'", () => {
  const env = {AWS_LAMBDA_EXEC_WRAPPER: '/opt/w'}
  it('fires for a wrapper without o+x, and for a CRLF #! line', () => {
    expect(run(wrapperNotExecutable, {image: pyImage(), files: {...base, '/opt/w': {content: '#!/bin/sh\n', mode: 0o744}}, function: {environment: env}})).toHaveLength(1)
    const crlf = run(wrapperNotExecutable, {image: pyImage(), files: {...base, '/opt/w': {content: '#!/bin/sh\r\n', mode: 0o755}}, function: {environment: env}})
    expect(crlf).toHaveLength(1)
    expect(crlf[0].message).toContain('CRLF')
  })
  it('is silent for a 0755 script and when the wrapper is missing (wrapper-missing says it)', () => {
    expect(run(wrapperNotExecutable, {image: pyImage(), files: {...base, '/opt/w': {content: '#!/bin/sh\n', mode: 0o755}}, function: {environment: env}})).toEqual([])
    expect(run(wrapperNotExecutable, {image: pyImage(), files: base, function: {environment: env}})).toEqual([])
  })
})

describe("'agent-path-missing'", () => {
  it('fires for -javaagent, --require / -r and DOTNET_STARTUP_HOOKS paths that are absent', () => {
    const environment = {
      JAVA_TOOL_OPTIONS: '-Xmx512m -javaagent:/opt/otel/agent.jar=foo -Dx=y',
      NODE_OPTIONS: '--require /opt/nodejs/tracer --max-old-space-size=100 -r=/var/task/preload.js',
      DOTNET_STARTUP_HOOKS: '/opt/hooks/Hook.dll:SomeAssembly',
    }
    const findings = run(agentPathMissing, {image: pyImage(), files: base, function: {environment}})
    expect(findings.map((f) => f.path).sort()).toEqual(['/opt/hooks/Hook.dll', '/opt/nodejs/tracer', '/opt/otel/agent.jar', '/var/task/preload.js'])
  })

  it('is silent when the paths exist (Node module resolution adds .js / index.js) or are not under /opt or /var/task', () => {
    const environment = {JAVA_TOOL_OPTIONS: '-javaagent:/opt/otel/agent.jar', NODE_OPTIONS: '--require /opt/nodejs/tracer -r dotenv/config --require /usr/lib/x.js'}
    const files = {...base, '/opt/otel/agent.jar': 'PK', '/opt/nodejs/tracer/index.js': 'x'}
    expect(run(agentPathMissing, {image: pyImage(), files, function: {environment}})).toEqual([])
  })
})

describe("'handler-missing'", () => {
  it('fires when the python module file is absent (nested module a.b.handler → a/b.py)', () => {
    const findings = run(handlerMissing, {image: pyImage({Cmd: ['pkg.mod.handler']}), files: base, function: {runtime: 'python3.12'}})
    expect(findings).toHaveLength(1)
    expect(findings[0]).toMatchObject({severity: 'error', path: '/var/task/pkg/mod.py'})
  })

  it('finds app.py, packages, and node .mjs handlers', () => {
    expect(run(handlerMissing, {image: pyImage(), files: base, function: {runtime: 'python3.12'}})).toEqual([])
    expect(run(handlerMissing, {image: pyImage({Cmd: ['pkg.handler']}), files: {...base, '/var/task/pkg/__init__.py': ''}, function: {runtime: 'python3.12'}})).toEqual([])
    expect(run(handlerMissing, {image: pyImage({Cmd: ['src/index.handler']}), files: {...base, '/var/task/src/index.mjs': ''}, function: {runtime: 'nodejs20.x'}})).toEqual([])
    expect(run(handlerMissing, {image: pyImage({Cmd: ['index.handler']}), files: base, function: {runtime: 'nodejs20.x'}})).toHaveLength(1)
  })

  it('finds a python handler module that a layer put on sys.path', () => {
    const files = {...base, '/opt/python/lib/python3.12/site-packages/shared/entry.py': 'def handler(e, c): pass\n'}
    expect(run(handlerMissing, {image: pyImage({Cmd: ['shared.entry.handler']}), files, function: {runtime: 'python3.12'}})).toEqual([])
  })

  it('infers python from an AWS base image when no function config is given', () => {
    expect(run(handlerMissing, {image: pyImage({Cmd: ['main.handler']}), files: base})).toHaveLength(1)
    expect(run(handlerMissing, {image: pyImage(), files: base})).toEqual([])
  })

  it('does not apply to java/dotnet/provided handlers, an unknown runtime, no handler, or a layer image', () => {
    const java = {image: pyImage({Cmd: ['example.Handler::handleRequest']}), files: base, function: {runtime: 'java21'}}
    expect(run(handlerMissing, java)).toEqual([])
    expect(notApplicable(handlerMissing, java)).toBe('for java21 the handler names a class, assembly or binary, not a file')
    const unknown = {image: pyImage({Cmd: ['main.handler']}), files: {'/lambda-entrypoint.sh': base['/lambda-entrypoint.sh']}}
    expect(run(handlerMissing, unknown)).toEqual([])
    expect(notApplicable(handlerMissing, unknown)).toContain('its runtime is neither given nor recognisable')
    const none = {image: makeImage({config: {Entrypoint: ['/lambda-entrypoint.sh']}}), files: base}
    expect(notApplicable(handlerMissing, none)).toContain('no handler')
    const layer = {kind: 'layer' as const, image: makeImage(), files: {'/opt/x': 'x'}, function: {runtime: 'python3.12', handler: 'app.h'}}
    expect(run(handlerMissing, layer)).toEqual([])
    expect(notApplicable(handlerMissing, layer)).toContain('a layer image')
    expect(notApplicable(handlerMissing, {image: pyImage(), files: base})).toBeUndefined()
  })

  it("checks the function's command (ImageConfig.Command, lint --handler) in place of the image CMD", () => {
    const fires = run(handlerMissing, {image: pyImage(), files: base, function: {command: ['other.handler']}})
    expect(fires).toHaveLength(1)
    expect(fires[0]).toMatchObject({path: '/var/task/other.py'})
    expect(fires[0].message).toContain("from the function's command")
    expect(run(handlerMissing, {image: pyImage({Cmd: ['gone.handler']}), files: base, function: {command: ['app.lambda_handler']}})).toEqual([])
  })
})

describe("'handler-differs'", () => {
  it("fires when CMD and the function's Handler differ", () => {
    const findings = run(handlerDiffers, {image: pyImage({Cmd: ['main.handler']}), files: base, function: {handler: 'app.lambda_handler'}})
    expect(findings).toHaveLength(1)
    expect(findings[0]).toMatchObject({expected: {handler: 'app.lambda_handler'}, actual: {cmd: ['main.handler']}})
  })
  it('is silent when they agree, and does not apply without a function Handler', () => {
    expect(run(handlerDiffers, {image: pyImage(), files: base, function: {handler: 'app.lambda_handler'}})).toEqual([])
    expect(run(handlerDiffers, {image: pyImage({Cmd: ['main.handler']}), files: base})).toEqual([])
    expect(notApplicable(handlerDiffers, {image: pyImage({Cmd: ['main.handler']}), files: base})).toContain('no function Handler')
    expect(notApplicable(handlerDiffers, {image: pyImage(), files: base, function: {handler: 'app.lambda_handler'}})).toBeUndefined()
  })
})

describe("'entrypoint-invalid'", () => {
  it('fires for a relative, missing, dangling or non-executable ENTRYPOINT and for no ENTRYPOINT/CMD', () => {
    const cases = [
      {Entrypoint: ['python', '-m', 'awslambdaric']},
      {Entrypoint: ['/missing.sh']},
      {Entrypoint: ['/entry']},
      {Entrypoint: ['/not-exec.sh']},
      {Entrypoint: [], Cmd: []},
    ]
    const files = {...base, '/entry': {linkTarget: '/nowhere'}, '/not-exec.sh': {content: '#!/bin/sh\n', mode: 0o744}}
    for (const config of cases) {
      const findings = run(entrypointInvalid, {image: makeImage({config}), files})
      expect(findings, JSON.stringify(config)).toHaveLength(1)
    }
  })

  it('is silent for the AWS base image entrypoint and for a symlink that resolves to an executable', () => {
    expect(run(entrypointInvalid, {image: pyImage(), files: base})).toEqual([])
    const files = {...base, '/usr/local/bin/python3': {content: 'ELF', mode: 0o755}, '/usr/local/bin/python': {linkTarget: 'python3'}}
    expect(run(entrypointInvalid, {image: makeImage({config: {Entrypoint: ['/usr/local/bin/python', '-m', 'awslambdaric']}}), files})).toEqual([])
  })

  it("judges the function's ImageConfig.EntryPoint and Command, which Lambda runs in place of the image's", () => {
    // The image's own ENTRYPOINT is fine; the function overrides it with a path the image lacks.
    const findings = run(entrypointInvalid, {image: pyImage(), files: base, function: {entryPoint: ['/missing-entry.sh']}})
    expect(findings).toHaveLength(1)
    expect(findings[0]).toMatchObject({path: '/missing-entry.sh'})
    expect(findings[0]!.message).toMatch(/ImageConfig\.EntryPoint/)
    // The image has no ENTRYPOINT or CMD, but the function gives one that exists.
    const bare = makeImage({config: {}})
    expect(run(entrypointInvalid, {image: bare, files: base, function: {entryPoint: ['/lambda-entrypoint.sh']}})).toEqual([])
    expect(run(entrypointInvalid, {image: bare, files: base, function: {command: ['/lambda-entrypoint.sh', 'app.lambda_handler']}})).toEqual([])
    expect(run(entrypointInvalid, {image: bare, files: base})).toHaveLength(1)
  })
})
