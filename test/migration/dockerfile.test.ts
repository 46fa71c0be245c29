/** functionDockerfile: the function image's Dockerfile from a zip function's configuration, read back with our own parser. */
import {describe, expect, it} from 'vitest'

import {parseDockerfile, shellWords} from '../../src/dockerfile/parse.js'
import {parseFunctionConfig, type FunctionConfig} from '../../src/lambda/function-config.js'
import {functionDockerfile, quoteEnvValue} from '../../src/migration/dockerfile.js'

// Real-looking credentials (not AWS's documentation examples, which the scan reports only as notes).
const AWS_SECRET = 'mft807tamsI5BR1lESjyXl1PUqZ+QlZA2/zFT2a0'
const AWS_KEY_ID = 'AKIA3RXLOOTHEM5S6DSZ'
const GITHUB_TOKEN = 'ghp_GzHTEqj1QD0XxObFg97I7cG85aaHYFpYvBJn'

function config(overrides: Record<string, unknown> = {}): FunctionConfig {
  return parseFunctionConfig({
    FunctionName: 'orders-api',
    Runtime: 'python3.12',
    Handler: 'app.lambda_handler',
    PackageType: 'Zip',
    Layers: [
      {Arn: 'arn:aws:lambda:us-east-1:123456789012:layer:otel:12'},
      {Arn: 'arn:aws:lambda:us-east-1:123456789012:layer:Log-Shipper:3'},
    ],
    ...overrides,
  })
}

/** The final stage's instructions as [keyword, flags, args]. */
function instructions(text: string): [string, string[], string][] {
  const parsed = parseDockerfile(text)
  expect(parsed.stages).toHaveLength(1)
  const stage = parsed.stages[0]
  return [stage.from, ...stage.instructions].map((i) => [i.keyword, i.flags, i.args])
}

describe('functionDockerfile', () => {
  it('python: the AWS base image, one COPY per layer in the function order, the code, CMD the handler', () => {
    expect(instructions(functionDockerfile(config()))).toEqual([
      ['FROM', [], 'public.ecr.aws/lambda/python:3.12'],
      ['COPY', ['--from=lambda-layer/otel:12'], '/opt/ /opt/'],
      ['COPY', ['--from=lambda-layer/log-shipper:3'], '/opt/ /opt/'],
      ['COPY', [], '. ${LAMBDA_TASK_ROOT}'],
      ['CMD', [], '["app.lambda_handler"]'],
    ])
    expect(functionDockerfile(config())).toContain('layer-audit layer-image')
  })

  it('--layer-image names each layer image, in order; a count that does not match is an error', () => {
    const text = functionDockerfile(config(), {layerImages: ['reg.example/otel@sha256:' + 'a'.repeat(64), 'reg.example/logs:3']})
    expect(instructions(text).filter(([k]) => k === 'COPY').map(([, flags]) => flags)).toEqual([
      ['--from=reg.example/otel@sha256:' + 'a'.repeat(64)],
      ['--from=reg.example/logs:3'],
      [],
    ])
    expect(text).not.toContain('Placeholder')
    expect(() => functionDockerfile(config(), {layerImages: ['reg.example/otel:12']})).toThrow(/given 1 time\(s\), but the function has 2 layer/)
    expect(() => functionDockerfile(config(), {layerImages: ['a:1', 'b:1 /etc/ /x\nRUN id']})).toThrow(/not an image reference/)
  })

  it('nodejs on arm64: the platform pinned on FROM', () => {
    const text = functionDockerfile(config({Runtime: 'nodejs20.x', Handler: 'index.handler', Architectures: ['arm64'], Layers: []}))
    expect(instructions(text)).toEqual([
      ['FROM', ['--platform=linux/arm64'], 'public.ecr.aws/lambda/nodejs:20'],
      ['COPY', [], '. ${LAMBDA_TASK_ROOT}'],
      ['CMD', [], '["index.handler"]'],
    ])
  })

  it('provided.al2023: the OS-only base image and what a bootstrap from a layer needs', () => {
    const text = functionDockerfile(config({Runtime: 'provided.al2023', Handler: 'bootstrap'}))
    expect(instructions(text)[0]).toEqual(['FROM', [], 'public.ecr.aws/lambda/provided:al2023'])
    expect(text).toMatch(/# Custom runtime: .*\/opt\/bootstrap/)
    expect(functionDockerfile(config({Runtime: 'provided.al2'}))).toContain('FROM public.ecr.aws/lambda/provided:al2\n')
  })

  it('ImageConfig: WORKDIR, ENTRYPOINT and CMD from it', () => {
    const text = functionDockerfile(
      config({ImageConfigResponse: {ImageConfig: {EntryPoint: ['/opt/wrapper', '/lambda-entrypoint.sh'], Command: ['app.other'], WorkingDirectory: '/var/task/src'}}}),
    )
    expect(instructions(text).slice(-3)).toEqual([
      ['WORKDIR', [], '/var/task/src'],
      ['ENTRYPOINT', [], '["/opt/wrapper","/lambda-entrypoint.sh"]'],
      ['CMD', [], '["app.other"]'],
    ])
  })

  it('an unknown or deprecated runtime is an error naming it and the supported ones, unless --base is given', () => {
    expect(() => functionDockerfile(config({Runtime: 'python3.7'}))).toThrow(/"python3\.7" has no AWS base image.*supported: .*python3\.12.*provided\.al2023.*--base/)
    expect(() => functionDockerfile(config({Runtime: undefined}))).toThrow(/has no Runtime/)
    const text = functionDockerfile(config({Runtime: 'nodejs14.x'}), {base: 'registry.example/node14-lambda:1'})
    expect(instructions(text)[0]).toEqual(['FROM', [], 'registry.example/node14-lambda:1'])
  })

  it('an image function has nothing to migrate', () => {
    expect(() => functionDockerfile(config({PackageType: 'Image'}))).toThrow(/already a container image function/)
  })

  it('secret-looking variables: a placeholder comment, never the value; reserved ones left out', () => {
    const environment = {
      LOG_LEVEL: 'info',
      BILLING_AWS_SECRET_ACCESS_KEY: AWS_SECRET, // the name says secret
      UPLOAD_KEY_ID: AWS_KEY_ID, // a name that does not, a value the patterns find
      GIT_REMOTE: `https://x-access-token:${GITHUB_TOKEN}@github.com/acme/app.git`,
      DB_PASSWORD: 'changeme', // a placeholder value still stays out of the image
      AWS_SECRET_ACCESS_KEY: AWS_SECRET,
      AWS_REGION: 'us-east-1',
      AWS_LAMBDA_EXEC_WRAPPER: '/opt/wrapper',
    }
    const text = functionDockerfile(config({Environment: {Variables: environment}}))
    for (const secret of [AWS_SECRET, AWS_KEY_ID, GITHUB_TOKEN, 'changeme']) expect(text).not.toContain(secret)
    const env = instructions(text).filter(([k]) => k === 'ENV').map(([, , args]) => args)
    expect(env).toEqual(['AWS_LAMBDA_EXEC_WRAPPER="/opt/wrapper"', 'LOG_LEVEL="info"'])
    for (const name of ['BILLING_AWS_SECRET_ACCESS_KEY', 'UPLOAD_KEY_ID', 'GIT_REMOTE', 'DB_PASSWORD']) {
      expect(text).toMatch(new RegExp(`^# ${name}: looks like a credential`, 'm'))
    }
    expect(text).toMatch(/Secrets Manager/)
    expect(text).toContain('# Set by Lambda itself, not copied: AWS_REGION, AWS_SECRET_ACCESS_KEY')
  })

  it('ENV values are quoted so the parser reads back exactly the value; line breaks are not written', () => {
    const value = 'a "quoted" $HOME ${X} back\\slash \\ end\\'
    expect(quoteEnvValue(value)).toBe('"a \\"quoted\\" \\$HOME \\${X} back\\\\slash \\\\ end\\\\"')
    const text = functionDockerfile(config({Environment: {Variables: {GREETING: value, MULTI: 'one\ntwo', EMPTY: ''}}}))
    const env = instructions(text).filter(([k]) => k === 'ENV').map(([, , args]) => args)
    expect(env).toEqual(['EMPTY=""', `GREETING=${quoteEnvValue(value)}`])
    // BuildKit's lexer: inside double quotes, \ escapes " $ and \ — undoing that gives the value back.
    const [word] = shellWords(env[1].slice('GREETING='.length))
    expect(word.replace(/^"|"$/g, '').replace(/\\([\\"$])/g, '$1')).toBe(value)
    expect(text).toContain('# MULTI: its value spans lines')
    expect(text).not.toContain('two')
    expect(() => quoteEnvValue('a\nb')).toThrow(/span lines/)
  })
})
