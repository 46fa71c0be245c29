/** layer-image --function / --function-config: every layer a zip function uses, in its order, in one image. */
import {execFileSync} from 'node:child_process'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'

import {FIXTURES, runCli} from '../helpers/cli.js'
import {LambdaStub} from '../lambda/lambda-stub.js'
import {cleanup, tempDir, unzipInOrder} from '../lambda/zips.js'
import {umociView} from './umoci-view.js'

const LAYER_ZIP = join(FIXTURES, 'zips/layer-log-shipper.zip')
const CONFIG = join(FIXTURES, 'functions/function-config.json')
const ARN = 'arn:aws:lambda:us-east-1:123456789012:layer:log-shipper:3' // the layer fixtures/functions/function-config.json names
// AWS's documentation keys and no shared files: the SDK signs requests to the stub and reads nothing of ours.
const AWS_ENV = {
  AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  AWS_CONFIG_FILE: '/nonexistent/aws-config',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
  AWS_EC2_METADATA_DISABLED: 'true',
}

let dir: string
const lambda = new LambdaStub()
beforeAll(async () => {
  dir = tempDir('la-layer-image-fn-')
  await lambda.start()
  lambda.layers.set(ARN, {zip: LAYER_ZIP})
  lambda.functions.set('orders-api', {configuration: JSON.parse(readFileSync(CONFIG, 'utf8')).Configuration})
})
afterAll(async () => {
  await lambda.stop()
  cleanup(dir)
})

const skopeoLabels = (ref: string) => JSON.parse(execFileSync('skopeo', ['inspect', ref], {encoding: 'utf8'})).Labels as Record<string, string>

describe('layer-image from a function', () => {
  test('--function-config and --function take the layer ARNs in the function\'s order; the image is what --layer ARN gives', async () => {
    const env = {...AWS_ENV, XDG_CACHE_HOME: join(dir, 'cache')}
    const aws = ['--endpoint-url', lambda.endpoint, '--region', 'us-east-1']
    const fromConfig = join(dir, 'from-config')
    const byConfig = await runCli(['layer-image', '--function-config', CONFIG, '--output', `oci:${fromConfig}:1`, ...aws], {env})
    expect(byConfig.stderr).toBe('')
    expect(byConfig.code).toBe(0)
    expect(umociView(fromConfig, '1', dir)).toEqual(unzipInOrder([LAYER_ZIP], '/opt'))
    expect(skopeoLabels(`oci:${fromConfig}:1`)).toMatchObject({
      'dev.layer-audit.layer.0.arn': ARN,
      'dev.layer-audit.layer.0.name': 'log-shipper',
      'dev.layer-audit.layer.0.version': '3',
    })

    const fromApi = join(dir, 'from-api')
    const byName = await runCli(['layer-image', '--function', 'orders-api', '--output', `oci:${fromApi}:1`, ...aws], {env})
    expect(byName.code).toBe(0)
    const digest = (out: string) => out.split(' ')[0]
    expect(digest(byName.stdout)).toBe(digest(byConfig.stdout))
    const byArn = await runCli(['layer-image', '--layer', ARN, '--output', `oci:${join(dir, 'by-arn')}:1`, ...aws], {env})
    expect(digest(byArn.stdout)).toBe(digest(byConfig.stdout))
  })

  test('a function without layers, an image function, or no source at all is a usage error in one line', async () => {
    const noLayers = join(dir, 'no-layers.json')
    const config = JSON.parse(readFileSync(CONFIG, 'utf8'))
    writeFileSync(noLayers, JSON.stringify({...config, Configuration: {...config.Configuration, Layers: []}}))
    const image = join(dir, 'image-fn.json')
    writeFileSync(image, JSON.stringify({...config, Configuration: {...config.Configuration, PackageType: 'Image', Layers: []}}))
    const cases: [string[], RegExp][] = [
      [['--function-config', noLayers], /uses no layers; there is nothing to build/],
      [['--function-config', image], /an image function has no layers/],
      [[], /give the layers: --layer ZIP\|ARN \(repeatable\), --function NAME or --function-config FILE/],
    ]
    for (const [args, message] of cases) {
      const result = await runCli(['layer-image', ...args, '--output', `oci:${join(dir, 'never')}`])
      expect(result.code, args.join(' ')).toBe(2)
      expect(result.stderr).toMatch(message)
      expect(result.stderr.trim().split('\n')).toHaveLength(1)
    }
  })
})
