import {Args, Flags} from '@oclif/core'

import {inspectImage, type InspectResult} from '../audit/inspect.js'
import {loadImage} from '../audit/load-image.js'
import {LayerAuditCommand} from '../cli/base-command.js'
import {EXIT_CODES_HELP} from '../cli/exit-codes.js'
import {awsFlags, imageFlags} from '../cli/flags.js'
import {openOptionsFrom} from '../cli/image-options.js'
import {renderInspect} from '../report/views/inspect-view.js'

export default class Inspect extends LayerAuditCommand {
  static override summary = 'Show what an image holds: manifest, platform, config, sizes, efficiency and its layers.'
  static override description = `IMAGE is a docker save tarball (optionally gzip-compressed), an OCI layout directory or tar, or "-" for an archive on stdin; skopeo-style prefixes (docker-archive:, oci-archive:PATH[:REF], oci:DIR[:REF]) are accepted. Every layer is read once and its digests verified.

${EXIT_CODES_HELP}`
  static override examples = [
    '<%= config.bin %> inspect image.tar',
    '<%= config.bin %> inspect oci:./layout:v1 --platform linux/arm64',
    'docker save my-fn:latest | <%= config.bin %> inspect - --json',
  ]
  static override enableJsonFlag = true
  static override args = {
    image: Args.string({description: 'Image archive, OCI layout, or registry reference.', required: true}),
  }
  static override flags = {
    ...imageFlags,
    ...awsFlags,
    'show-env': Flags.boolean({summary: 'Show ENV values (secrets in them are redacted), not just names.'}),
    color: Flags.boolean({allowNo: true, summary: 'Colour the output (default: on a TTY unless NO_COLOR is set).'}),
  }

  async run(): Promise<InspectResult> {
    const {args, flags} = await this.parse(Inspect)
    const options = openOptionsFrom(flags)
    const {image, layers, tree} = await loadImage(args.image, options)
    const result = inspectImage(image, layers, tree, {showEnv: flags['show-env']})
    if (!this.jsonEnabled()) process.stdout.write(renderInspect(result, {color: this.useColor(flags.color)}))
    return result
  }
}
