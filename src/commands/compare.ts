import {Args} from '@oclif/core'

import type {Report} from '../audit/report.js'
import {runCompare} from '../audit/run-audit.js'
import {LayerAuditCommand} from '../cli/base-command.js'
import {EXIT_CODES_HELP} from '../cli/exit-codes.js'
import {awsFlags, functionFlags, imageAuditFlags, imageFlags, reportFlags} from '../cli/flags.js'
import {hasFunctionInput, resolveOptionsFrom} from '../cli/function-options.js'
import {auditOptionsFrom} from '../cli/audit-options.js'

export default class Compare extends LayerAuditCommand {
  static override summary = 'Check an image against the zip function it replaces, before Lambda does.'
  static override description = `The expected side is what Lambda builds for the zip function: its layers (--layer ZIP|ARN, in the function's order) unpacked into /opt and its code (--function-zip, or the code of --function / --function-config) in /var/task. The image is read once, every digest verified; files are hashed only where both sides have the same size.

The expected side is required: without --layer, --function-zip, --function or --function-config (or with one of them empty) compare is a usage error (exit 2), never a pass. To check an image on its own, use \`layer-audit lint IMAGE\`.

Every compare rule runs (see \`layer-audit rules\`), and the scan rules too: credentials in history, config, attestations and layers. A Lambda layer's container-image version (only /opt, no ENTRYPOINT or CMD) is detected and audited as such; force it with --kind. Rules that cannot run on the input (a handler check on a layer image) are listed as not applicable, never as findings.

${EXIT_CODES_HELP}`
  static override examples = [
    '<%= config.bin %> compare fn.tar --layer otel.zip --layer tracer.zip --function-zip code.zip',
    '<%= config.bin %> compare fn.tar --function-config get-function.json --layer otel.zip --format sarif -o report.sarif',
    '<%= config.bin %> compare 123456789012.dkr.ecr.eu-west-1.amazonaws.com/fn:1 --function my-fn',
    '<%= config.bin %> compare layer-image.tar --layer layer.zip --kind layer',
  ]
  static override enableJsonFlag = true
  static override args = {
    image: Args.string({description: 'The image (archive, OCI layout or registry reference); optional with --function of an image function.'}),
  }
  static override flags = {
    ...imageFlags,
    ...functionFlags,
    ...awsFlags,
    ...reportFlags,
    ...imageAuditFlags,
  }

  async run(): Promise<Report> {
    const {args, flags} = await this.parse(Compare)
    const report = await runCompare({
      image: args.image,
      function: hasFunctionInput(flags) ? resolveOptionsFrom(flags) : undefined,
      kind: flags.kind,
      ...auditOptionsFrom(flags, this.progressCallback()),
    })
    return this.emit(report, flags)
  }
}
