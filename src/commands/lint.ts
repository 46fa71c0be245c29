import {Args} from '@oclif/core'

import type {Report} from '../audit/report.js'
import {runLint} from '../audit/run-audit.js'
import {auditOptionsFrom} from '../cli/audit-options.js'
import {LayerAuditCommand} from '../cli/base-command.js'
import {EXIT_CODES_HELP} from '../cli/exit-codes.js'
import {awsFlags, functionSettingsFlags, imageAuditFlags, imageFlags, reportFlags} from '../cli/flags.js'
import {functionSettingsFrom} from '../cli/function-options.js'

export default class Lint extends LayerAuditCommand {
  static override summary = 'Check an image on its own, with no zip function to compare: everything Lambda will reject or fail to start.'
  static override description = `Runs every rule that needs no zip side: the manifest shape Lambda accepts, layer media types and parent directories, the extensions in /opt/extensions (exec bits, interpreters, CRLF #! lines, CPU architecture, how many), the ENTRYPOINT and the handler, the wrapper and agent paths the environment names, the 10 GB size limit — and the scan rules: credentials in history, config, attestations and layers.

The image's own ENV is always read; --env adds the function's variables over it (AWS_LAMBDA_EXEC_WRAPPER, JAVA_TOOL_OPTIONS -javaagent:…, NODE_OPTIONS --require …, DOTNET_STARTUP_HOOKS). --architecture checks the image and its extensions against the function's Architectures; --handler checks the handler the function will run in place of the image CMD (its file, for the --runtime given or recognised from the image), and warns when the CMD names another. Rules that cannot run on the input (no handler to check, a layer image) are listed as not applicable, never as findings.

To check the image against the zip function it replaces (missing or altered files, lost modes), use \`layer-audit compare\`.

${EXIT_CODES_HELP}`
  static override examples = [
    '<%= config.bin %> lint fn.tar',
    '<%= config.bin %> lint 123456789012.dkr.ecr.eu-west-1.amazonaws.com/fn:1 --architecture arm64',
    '<%= config.bin %> lint fn.tar --handler app.lambda_handler --env AWS_LAMBDA_EXEC_WRAPPER=/opt/otel-instrument',
    '<%= config.bin %> lint fn.tar --format sarif --output lint.sarif --fail-on warning',
  ]
  static override enableJsonFlag = true
  static override args = {
    image: Args.string({description: 'Image archive, OCI layout, or registry reference.', required: true}),
  }
  static override flags = {
    ...imageFlags,
    ...functionSettingsFlags,
    ...awsFlags,
    ...reportFlags,
    ...imageAuditFlags,
  }

  async run(): Promise<Report> {
    const {args, flags} = await this.parse(Lint)
    const report = await runLint({
      image: args.image,
      function: functionSettingsFrom(flags),
      kind: flags.kind,
      ...auditOptionsFrom(flags, this.progressCallback()),
    })
    return this.emit(report, flags)
  }
}
