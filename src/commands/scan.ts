import {Args, Flags} from '@oclif/core'

import type {Report} from '../audit/report.js'
import {runScan} from '../audit/run-audit.js'
import {LayerAuditCommand} from '../cli/base-command.js'
import {EXIT_CODES_HELP} from '../cli/exit-codes.js'
import {awsFlags, imageFlags, reportFlags} from '../cli/flags.js'
import {auditOptionsFrom} from '../cli/audit-options.js'

export default class Scan extends LayerAuditCommand {
  static override summary = 'Find credentials that leaked into an image: build args, ENV, attestations, and files in every layer.'
  static override description = `Looks at the config history (build args of every RUN, ARG and ENV), the config's Env and Labels, OCI annotations, buildx attestations, and the content of every file in every layer — including files a later layer deleted or overwrote, which are still shipped. Known credential files (.aws/credentials, .docker/config.json, .npmrc, .pypirc, .git-credentials, .netrc, private keys) are reported wherever they are. Secrets are never printed whole: a short prefix and suffix plus a fingerprint.

${EXIT_CODES_HELP}`
  static override examples = [
    '<%= config.bin %> scan image.tar',
    '<%= config.bin %> scan oci-archive:image.oci.tar --format sarif --output scan.sarif',
    '<%= config.bin %> scan image.tar --baseline last-scan.json --fail-on warning',
  ]
  static override enableJsonFlag = true
  static override args = {
    image: Args.string({description: 'Image archive, OCI layout, or registry reference.', required: true}),
  }
  static override flags = {
    ...imageFlags,
    ...awsFlags,
    ...reportFlags,
    'max-file-bytes': Flags.integer({summary: 'Bytes of each file read (default 1 MiB); longer files are counted as capped.', min: 1}),
  }

  async run(): Promise<Report> {
    const {args, flags} = await this.parse(Scan)
    const report = await runScan({
      image: args.image,
      ...auditOptionsFrom(flags, this.progressCallback()),
    })
    return this.emit(report, flags)
  }
}
