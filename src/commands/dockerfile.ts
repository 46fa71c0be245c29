import {Flags} from '@oclif/core'

import {LayerAuditCommand} from '../cli/base-command.js'
import {awsFlags} from '../cli/flags.js'
import {writeOutputFile} from '../cli/output-file.js'
import {writePieces} from '../cli/stdout.js'
import {emptyFlagError, UsageError} from '../errors.js'
import {readFunctionConfig, type FunctionConfig} from '../lambda/function-config.js'
import {functionDockerfile} from '../migration/dockerfile.js'

export default class Dockerfile extends LayerAuditCommand {
  static override summary = "Print the Dockerfile of a zip function's container-image version."
  static override description = `The AWS base image for the function's runtime and architecture, one COPY --from per layer image into /opt in the function's layer order, the code into \${LAMBDA_TASK_ROOT}, ENV for the function's environment variables and CMD for its handler (or its ImageConfig).

Variables that look like credentials (by name or by value, as scan decides) are never written: a comment says to keep them in Secrets Manager or the function's configuration. Variables Lambda sets itself (AWS_REGION, _HANDLER, …) are left out.

Without --layer-image each layer gets a placeholder image name from its ARN (lambda-layer/NAME:VERSION): build the real ones with layer-audit layer-image.

Exit codes: 0 the Dockerfile was written; 2 a usage or input error (one line on stderr).`
  static override examples = [
    '<%= config.bin %> dockerfile --function-config get-function.json',
    '<%= config.bin %> dockerfile --function my-fn --layer-image 123456789012.dkr.ecr.us-east-1.amazonaws.com/layers/otel:12 -o Dockerfile',
    '<%= config.bin %> dockerfile --function-config get-function.json --base public.ecr.aws/lambda/python:3.8',
  ]
  static override flags = {
    function: Flags.string({
      summary: 'Read the function from AWS (GetFunction): runtime, architecture, layers, environment, handler.',
      helpValue: 'NAME|ARN[:QUALIFIER]',
      exclusive: ['function-config'],
    }),
    'function-config': Flags.string({
      summary: 'Saved output of `aws lambda get-function` or `get-function-configuration`.',
      helpValue: 'FILE',
    }),
    'layer-image': Flags.string({
      summary: "The image of each of the function's layers (from layer-audit layer-image), repeated in the function's layer order.",
      multiple: true,
      helpValue: 'REF',
    }),
    base: Flags.string({summary: "The FROM image, in place of the AWS base image for the function's runtime.", helpValue: 'IMAGE'}),
    output: Flags.string({char: 'o', summary: 'Write the Dockerfile to FILE instead of stdout.', helpValue: 'FILE'}),
    ...awsFlags,
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Dockerfile)
    for (const [flag, value] of [
      ['--function', flags.function],
      ['--function-config', flags['function-config']],
      ['--base', flags.base],
      ['--output', flags.output],
      ...(flags['layer-image'] ?? []).map((v) => ['--layer-image', v]),
    ] as const) {
      if (value !== undefined && value.trim() === '') throw emptyFlagError(flag)
    }
    const config = await this.functionConfig(flags)
    const text = functionDockerfile(config, {
      ...(flags['layer-image'] ? {layerImages: flags['layer-image']} : {}),
      ...(flags.base ? {base: flags.base} : {}),
    })
    if (flags.output) await writeOutputFile(flags.output, text)
    else await writePieces([text])
  }

  private async functionConfig(flags: {function?: string; 'function-config'?: string; region?: string; profile?: string; 'endpoint-url'?: string}): Promise<FunctionConfig> {
    if (flags['function-config']) return readFunctionConfig(flags['function-config'])
    if (!flags.function) throw new UsageError('give the zip function: --function NAME or --function-config FILE')
    // Loaded only here: the AWS SDK takes ~0.2 s to load, which --function-config never needs.
    const {getFunction} = await import('../lambda/aws.js')
    return getFunction(flags.function, {region: flags.region, profile: flags.profile, endpointUrl: flags['endpoint-url']})
  }
}
