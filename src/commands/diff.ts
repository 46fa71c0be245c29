import {Args, Flags} from '@oclif/core'

import {diffImages} from '../diff/diff-images.js'
import type {DiffReport} from '../diff/model.js'
import {LayerAuditCommand} from '../cli/base-command.js'
import {awsFlags, imageFlags, outputFlag} from '../cli/flags.js'
import {openOptionsFrom} from '../cli/image-options.js'
import {terminalWidth} from '../cli/terminal.js'
import {formatForFile, writeOutputs} from '../cli/report-output.js'
import {DIFF_FORMATS, renderDiff, type DiffFormat} from '../report/diff/index.js'

export default class Diff extends LayerAuditCommand {
  static override summary = 'What changed between two images: files, config and layers — a gate for "is this the image we approved?".'
  static override description = `Both images are read at once, each once, through the same verified pass as tree (every digest checked, nothing written to disk). Files of the merged filesystems are compared by type, mode, owner, size, content (sha256 of the files of the layers the two images do not share), link target, xattrs and mtime; each change names the layer that last wrote the path on each side and its history line. An added or removed directory is one change counting what is under it (--verbose lists every path). The config is compared key by key (env by name; values only with --show-env, secrets always redacted), and the layers by diff_id: which are shared, where the stacks part.

--semantic asks the reproducible-build question: file and image timestamps, history, layer digests and media types do not count, only what a container would see.

Exit codes: 0 the images are the same (after ignores), 1 they differ (unless --fail-on never), 2 usage or input error.`
  static override examples = [
    '<%= config.bin %> diff approved.tar candidate.tar',
    '<%= config.bin %> diff registry.example.com/app:1.4 registry.example.com/app:1.5 --path /opt',
    '<%= config.bin %> diff a.tar b.tar --semantic --ignore "/var/cache/**"',
    '<%= config.bin %> diff oci:./build:v1 docker-archive:old.tar --layers --format markdown -o diff.md',
  ]
  static override enableJsonFlag = true
  static override args = {
    a: Args.string({description: 'The image before (archive, OCI layout or registry reference).', required: true}),
    b: Args.string({description: 'The image after.', required: true}),
  }
  static override flags = {
    ...imageFlags,
    ...awsFlags,
    path: Flags.string({summary: 'Only this path and what is under it.', default: '/', helpGroup: 'DIFF'}),
    ignore: Flags.string({summary: 'Leave out paths matching GLOB, and what is under them (repeatable; * ? **).', multiple: true, helpValue: 'GLOB', helpGroup: 'DIFF'}),
    'ignore-timestamps': Flags.boolean({summary: 'File mtimes, the config\'s created and history times do not count.', helpGroup: 'DIFF'}),
    'ignore-history': Flags.boolean({summary: 'History entries do not count.', helpGroup: 'DIFF'}),
    semantic: Flags.boolean({summary: 'Only what a container sees counts: timestamps, history, layer digests and media types do not.', helpGroup: 'DIFF'}),
    content: Flags.boolean({summary: 'Show the sha256 of each changed file on both sides (content is compared either way).', helpGroup: 'DIFF'}),
    layers: Flags.boolean({summary: "Compare layer by layer (A's layer i against B's layer i) instead of the merged filesystems.", helpGroup: 'DIFF'}),
    'show-env': Flags.boolean({summary: 'Show env values that changed (secret-looking ones stay redacted).', helpGroup: 'DIFF'}),
    format: Flags.option({options: DIFF_FORMATS, summary: 'Report format on stdout.', helpGroup: 'REPORT'})(),
    output: outputFlag,
    'fail-on': Flags.option({options: ['changes', 'never'] as const, default: 'changes' as const, summary: 'Exit 1 when the images differ, or never.', helpGroup: 'REPORT'})(),
    verbose: Flags.boolean({char: 'v', summary: 'List every change, every path under an added or removed directory, and history lines whole.', helpGroup: 'REPORT'}),
    color: Flags.boolean({allowNo: true, summary: 'Colour the table (default: on a TTY unless NO_COLOR is set).', helpGroup: 'REPORT'}),
  }

  async run(): Promise<DiffReport> {
    const {args, flags} = await this.parse(Diff)
    const report = await diffImages(args.a, args.b, {
      ...openOptionsFrom(flags, this.progressCallback()),
      path: flags.path,
      ignore: flags.ignore ?? [],
      ignoreTimestamps: flags['ignore-timestamps'],
      ignoreHistory: flags['ignore-history'],
      semantic: flags.semantic,
      content: flags.content,
      layers: flags.layers,
      showEnv: flags['show-env'],
      verbose: flags.verbose,
    })
    this.endProgress()
    const options = {verbose: flags.verbose}
    const outputs = flags.output ?? []
    await writeOutputs(outputs, DIFF_FORMATS, flags.format, (file) => formatForFile(file) as DiffFormat, (format) => renderDiff(report, format, options))
    if (!this.jsonEnabled()) {
      const format: DiffFormat = outputs.length > 0 ? 'table' : (flags.format ?? 'table')
      process.stdout.write(renderDiff(report, format, {...options, color: format === 'table' && this.useColor(flags.color), width: terminalWidth(process.stdout)}))
    }
    process.exitCode = report.summary.same || flags['fail-on'] === 'never' ? 0 : 1
    return report
  }
}
