/** `layer-audit dockerfile` through the built CLI (bin/run.js): the bundled function, -o FILE, and its one-line errors. */
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {parseDockerfile} from '../../src/dockerfile/parse.js'
import {FIXTURES, runCli} from '../helpers/cli.js'
import {LambdaStub} from '../lambda/lambda-stub.js'

const functionConfig = join(FIXTURES, 'functions', 'function-config.json')
const scratch = mkdtempSync(join(tmpdir(), 'layer-audit-dockerfile-command-'))
const lambda = new LambdaStub()
beforeAll(() => lambda.start())
afterAll(async () => {
  await lambda.stop()
  rmSync(scratch, {recursive: true, force: true})
})
/** AWS's documentation keys and no shared files: the SDK signs requests to the stub and reads nothing of ours. */
const awsEnv = {
  AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  AWS_CONFIG_FILE: '/nonexistent/aws-config',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
  AWS_EC2_METADATA_DISABLED: 'true',
}

/** The bundled function's get-function output with some Configuration fields changed. */
function configWith(name: string, changes: Record<string, unknown>): string {
  const saved = JSON.parse(readFileSync(functionConfig, 'utf8'))
  Object.assign(saved.Configuration, changes)
  const file = join(scratch, name)
  writeFileSync(file, JSON.stringify(saved))
  return file
}

function expectUsageError(result: {code: number | null; stdout: string; stderr: string}, pattern: RegExp) {
  expect(result.code, result.stderr).toBe(2)
  expect(result.stdout).toBe('')
  expect(result.stderr.trimEnd().split('\n')).toHaveLength(1)
  expect(result.stderr).toMatch(pattern)
}

describe('layer-audit dockerfile', () => {
  it('--function-config: the bundled function as a Dockerfile our parser reads back; -o writes the same to a file', async () => {
    const result = await runCli(['dockerfile', '--function-config', functionConfig, '--layer-image', 'registry.example/layers/log-shipper:3'])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toBe('')
    const stage = parseDockerfile(result.stdout).stages[0]
    expect([stage.from, ...stage.instructions].map((i) => `${i.keyword} ${[...i.flags, i.args].join(' ')}`)).toEqual([
      'FROM public.ecr.aws/lambda/python:3.12',
      'COPY --from=registry.example/layers/log-shipper:3 /opt/ /opt/',
      'COPY . ${LAMBDA_TASK_ROOT}',
      'ENV AWS_LAMBDA_EXEC_WRAPPER="/opt/wrapper"',
      'ENV LOG_LEVEL="info"',
      'ENV LOG_SHIPPER_BUCKET="example-log-bucket"',
      'CMD ["app.lambda_handler"]',
    ])
    // The presigned code URL (with its session token) in the saved output never reaches the Dockerfile.
    expect(result.stdout).not.toMatch(/X-Amz|amazonaws\.com\/snapshots/)

    const file = join(scratch, 'Dockerfile')
    const written = await runCli(['dockerfile', '--function-config', functionConfig, '--layer-image', 'registry.example/layers/log-shipper:3', '-o', file])
    expect(written.code, written.stderr).toBe(0)
    expect(written.stdout).toBe('')
    expect(readFileSync(file, 'utf8')).toBe(result.stdout)
  })

  it('--function: GetFunction through the Lambda API (a loopback stub), the code never downloaded; secrets left out', async () => {
    const configuration = JSON.parse(readFileSync(functionConfig, 'utf8')).Configuration
    const token = 'ghp_GzHTEqj1QD0XxObFg97I7cG85aaHYFpYvBJn'
    configuration.Architectures = ['arm64']
    configuration.Environment.Variables.GITHUB_TOKEN = token
    lambda.functions.set('orders-api', {configuration, codeZip: join(FIXTURES, 'zips', 'function-code.zip')})
    const result = await runCli(['dockerfile', '--function', 'orders-api', '--endpoint-url', lambda.endpoint, '--region', 'us-east-1'], {env: awsEnv})
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toContain('FROM --platform=linux/arm64 public.ecr.aws/lambda/python:3.12\n')
    expect(result.stdout).toContain('COPY --from=lambda-layer/log-shipper:3 /opt/ /opt/\n')
    expect(result.stdout).toMatch(/^# GITHUB_TOKEN: looks like a credential/m)
    expect(result.stdout).not.toContain(token)
    expect(lambda.apiRequests).toEqual(['GET /2015-03-31/functions/orders-api'])
    expect(lambda.downloads).toEqual([])
  })

  it('errors are one line and exit 2: no function, a deprecated runtime, an image function, a --layer-image count that does not match', async () => {
    expectUsageError(await runCli(['dockerfile']), /--function NAME or --function-config FILE/)
    expectUsageError(
      await runCli(['dockerfile', '--function-config', configWith('py37.json', {Runtime: 'python3.7'})]),
      /"python3\.7" has no AWS base image .*supported: .*give --base IMAGE/,
    )
    expectUsageError(
      await runCli(['dockerfile', '--function-config', configWith('image.json', {PackageType: 'Image'})]),
      /already a container image function/,
    )
    expectUsageError(
      await runCli(['dockerfile', '--function-config', functionConfig, '--layer-image', 'a:1', '--layer-image', 'b:1']),
      /--layer-image given 2 time\(s\), but the function has 1 layer/,
    )
  })
})
