import {Args, Flags} from '@oclif/core'

import {inspectFunction, type FunctionInspectResult} from '../audit/inspect-function.js'
import {inspectImage, type InspectResult} from '../audit/inspect.js'
import {loadImage} from '../audit/load-image.js'
import {LayerAuditCommand} from '../cli/base-command.js'
import {VIEW_EXIT_CODES_HELP} from '../cli/exit-codes.js'
import {awsFlags, functionFlags, imageFlags} from '../cli/flags.js'
import {hasFunctionInput, resolveOptionsFrom} from '../cli/function-options.js'
import {openOptionsFrom} from '../cli/image-options.js'
import {UsageError} from '../errors.js'
import {resolveFunction} from '../lambda/resolve.js'
import {renderFunctionInspect} from '../report/views/function-view.js'
import {renderInspect} from '../report/views/inspect-view.js'

export default class Inspect extends LayerAuditCommand {
  static override summary = 'Show what an image holds — manifest, platform, config, sizes, efficiency, layers — or summarise a zip function.'
  static override description = `IMAGE is a docker save tarball (optionally gzip-compressed), an OCI layout directory or tar, or "-" for an archive on stdin; skopeo-style prefixes (docker-archive:, oci-archive:PATH[:REF], oci:DIR[:REF]) are accepted. Every layer is read once and its digests verified.

${VIEW_EXIT_CODES_HELP}`
  static override examples = [
    '<%= config.bin %> inspect image.tar',
    '<%= config.bin %> inspect oci:./layout:v1 --platform linux/arm64',
    'docker save my-fn:latest | <%= config.bin %> inspect - --json',
    '<%= config.bin %> inspect --layer layer1.zip --layer layer2.zip --function-zip code.zip',
    '<%= config.bin %> inspect --function my-fn --region eu-west-1',
  ]
  static override enableJsonFlag = true
  static override args = {
    image: Args.string({description: 'Image archive, OCI layout, or registry reference. Omit it to inspect a zip function.'}),
  }
  static override flags = {
    ...imageFlags,
    ...functionFlags,
    ...awsFlags,
    'show-env': Flags.boolean({summary: 'Show ENV values (secrets in them are redacted), not just names.'}),
    color: Flags.boolean({allowNo: true, summary: 'Colour the output (default: on a TTY unless NO_COLOR is set).'}),
  }

  async run(): Promise<InspectResult | FunctionInspectResult> {
    const {args, flags} = await this.parse(Inspect)
    if (!args.image) {
      if (!hasFunctionInput(flags)) throw new UsageError('give an IMAGE, or a zip function (--layer ZIP|ARN, --function-zip, --function, --function-config)')
      const resolved = await resolveFunction(resolveOptionsFrom(flags))
      try {
        const result = inspectFunction(resolved)
        this.endProgress()
        if (!this.jsonEnabled()) process.stdout.write(renderFunctionInspect(result, {color: this.useColor(flags.color)}))
        return result
      } finally {
        await resolved.dispose()
      }
    }
    if (hasFunctionInput(flags)) throw new UsageError('inspect shows an image or a zip function, not both (use compare to check one against the other)')
    const options = openOptionsFrom(flags, this.progressCallback())
    const {image, layers, tree} = await loadImage(args.image, options)
    const result = inspectImage(image, layers, tree, {showEnv: flags['show-env']})
    this.endProgress()
    if (!this.jsonEnabled()) process.stdout.write(renderInspect(result, {color: this.useColor(flags.color)}))
    return result
  }
}
