/**
 * The migrated function end to end: the log-shipper layer zip → `layer-audit layer-image` → a function image
 * assembled from it by umoci (the AWS base image stand-in, the layer image's layer, the code in /var/task,
 * the base image's ENTRYPOINT and the handler as CMD) → `compare` against the zip function is PASS; and
 * `layer-audit dockerfile --layer-image` names the layer image in the COPY --from that builds it.
 */
import {execFileSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, test} from 'vitest'

import {FIXTURES, runCli} from '../helpers/cli.js'
import {cleanup, tempDir} from '../lambda/zips.js'

const LAYER_ZIP = join(FIXTURES, 'zips/layer-log-shipper.zip')
const CODE_ZIP = join(FIXTURES, 'zips/function-code.zip')
const FUNCTION_CONFIG = join(FIXTURES, 'functions/function-config.json')
/** The good fixture's first layer is its python3.12 base image stand-in (fixtures/specs/function-image-good.json). */
const GOOD_IMAGE = join(FIXTURES, 'images/function-image-good.docker.tar')
const GOOD_SPEC = join(FIXTURES, 'specs/function-image-good.json')

let dir: string
beforeAll(() => {
  dir = tempDir('la-migration-e2e-')
})
afterAll(() => cleanup(dir))

const umoci = (...args: string[]) => execFileSync('umoci', args, {cwd: dir, stdio: ['ignore', 'ignore', 'pipe']})

function ociLayerDigests(layout: string): string[] {
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8'))
  const manifest = JSON.parse(readFileSync(join(layout, 'blobs/sha256', index.manifests[0].digest.slice(7)), 'utf8'))
  return manifest.layers.map((layer: {digest: string}) => layer.digest.slice(7))
}

describe('the migrated function, end to end', () => {
  test('layer-image of the log-shipper layer, a function image assembled from it, compare PASS; dockerfile names the layer image', async () => {
    // 1. The layer's container-image version.
    const layerLayout = join(dir, 'layer')
    const made = await runCli(['layer-image', '--layer', LAYER_ZIP, '--output', `oci:${layerLayout}:log-shipper-3`])
    expect(made.stderr).toBe('')
    expect(made.code).toBe(0)

    // 2. The function image, as `COPY --from=<layer image> /opt/ /opt/` onto the AWS base image builds it:
    //    base layer, then the layer image's layer(s) verbatim, then the code in /var/task.
    const fn = join(dir, 'function')
    umoci('init', '--layout', fn)
    umoci('new', '--image', `${fn}:orders-api`)
    const [saved] = JSON.parse(execFileSync('tar', ['-xOf', GOOD_IMAGE, 'manifest.json'], {encoding: 'utf8'}))
    execFileSync('tar', ['-xf', GOOD_IMAGE, '-C', dir, saved.Layers[0]])
    umoci('raw', 'add-layer', '--image', `${fn}:orders-api`, join(dir, saved.Layers[0]))
    for (const [n, digest] of ociLayerDigests(layerLayout).entries()) {
      const tar = join(dir, `opt-${n}.tar`)
      execFileSync('sh', ['-c', 'gzip -dc "$1" > "$2"', 'sh', join(layerLayout, 'blobs/sha256', digest), tar])
      umoci('raw', 'add-layer', '--image', `${fn}:orders-api`, tar)
    }
    const code = join(dir, 'code')
    execFileSync('unzip', ['-q', '-o', CODE_ZIP, '-d', code])
    umoci('insert', '--rootless', '--image', `${fn}:orders-api`, code, '/var/task')

    // 3. The config: the base image's ENTRYPOINT and environment, the function's handler as CMD, its variables.
    const base = JSON.parse(readFileSync(GOOD_SPEC, 'utf8')).config as {Env: string[]; Entrypoint: string[]; WorkingDir: string}
    const {Configuration: fnConfig} = JSON.parse(readFileSync(FUNCTION_CONFIG, 'utf8'))
    const env = [
      ...base.Env.filter((kv) => !kv.startsWith('AWS_LAMBDA_EXEC_WRAPPER=')),
      ...Object.entries(fnConfig.Environment.Variables as Record<string, string>).map(([k, v]) => `${k}=${v}`),
    ]
    umoci(
      'config', '--image', `${fn}:orders-api`, '--architecture', 'amd64', '--os', 'linux',
      ...base.Entrypoint.flatMap((arg) => ['--config.entrypoint', arg]),
      '--config.cmd', fnConfig.Handler,
      '--config.workingdir', base.WorkingDir,
      ...env.flatMap((kv) => ['--config.env', kv]),
    )

    // 4. The proof: the assembled image against the zip function it replaces.
    const compare = await runCli(['compare', `oci:${fn}:orders-api`, '--function-config', FUNCTION_CONFIG, '--layer', LAYER_ZIP, '--function-zip', CODE_ZIP])
    expect(compare.stdout).toContain('PASS: no findings')
    expect(compare.code).toBe(0)

    // 5. The Dockerfile that builds the same image from the pushed layer image names it.
    const layerRef = 'registry.example.com/layers/log-shipper:3'
    const dockerfile = await runCli(['dockerfile', '--function-config', FUNCTION_CONFIG, '--layer-image', layerRef])
    expect(dockerfile.code).toBe(0)
    expect(dockerfile.stdout).toContain(`COPY --from=${layerRef} /opt/ /opt/`)
    expect(dockerfile.stdout).toContain('FROM public.ecr.aws/lambda/python:3.12')
    expect(dockerfile.stdout).toContain('CMD ["app.lambda_handler"]')
  }, 60_000)
})
