import {Args, Flags} from '@oclif/core'

import {summarizeImage} from '../audit/image-summary.js'
import {loadImage} from '../audit/load-image.js'
import type {FunctionSummary, ImageSummary} from '../audit/report.js'
import {treeEntries, type TreeEntry} from '../audit/tree-view.js'
import {LayerAuditCommand} from '../cli/base-command.js'
import {VIEW_EXIT_CODES_HELP} from '../cli/exit-codes.js'
import {awsFlags, functionFlags, imageFlags} from '../cli/flags.js'
import {hasFunctionInput, resolveOptionsFrom} from '../cli/function-options.js'
import {openOptionsFrom} from '../cli/image-options.js'
import {writePieces} from '../cli/stdout.js'
import {UsageError} from '../errors.js'
import {resolveFunction} from '../lambda/resolve.js'
import {treePieces} from '../report/views/tree-view.js'

export interface TreeResult {
  image?: ImageSummary
  function?: FunctionSummary
  entries: TreeEntry[]
}

export default class Tree extends LayerAuditCommand {
  static override summary = 'Print the filesystem an image\'s layers produce — or the one Lambda makes from a zip function.'
  static override description = `With IMAGE: whiteouts, opaque directories, hardlinks and symlinks are applied as a container runtime applies them, every digest verified; --layer N shows the filesystem as of layer N.

Without IMAGE: the layout Lambda creates for a zip function — its layers (--layer ZIP|ARN, in order) unpacked into /opt, later ones overwriting earlier ones, and its code (--function-zip, --function or --function-config) in /var/task. Each entry's "layer" is the index of the zip that wrote it and "source" names that zip or ARN.

${VIEW_EXIT_CODES_HELP}`
  static override examples = [
    '<%= config.bin %> tree image.tar --path /opt',
    '<%= config.bin %> tree image.tar --layer 2 --depth 2',
    '<%= config.bin %> tree oci-archive:image.oci.tar --json',
    '<%= config.bin %> tree --layer otel.zip --layer tracer.zip --function-zip code.zip',
    '<%= config.bin %> tree --function-config get-function.json --json',
  ]
  static override enableJsonFlag = true
  static override args = {
    image: Args.string({description: 'Image archive, OCI layout, or registry reference. Omit it to show a zip function.'}),
  }
  static override flags = {
    ...imageFlags,
    ...functionFlags,
    ...awsFlags,
    layer: Flags.string({
      summary: 'With IMAGE: show the filesystem as of layer N. Without: a Lambda layer zip or ARN (repeatable, in order).',
      multiple: true,
      helpValue: 'N|ZIP|ARN',
    }),
    path: Flags.string({summary: 'Only this path and what is under it.', default: '/'}),
    depth: Flags.integer({summary: 'Levels below --path to show.', min: 0}),
    color: Flags.boolean({allowNo: true, summary: 'Colour the output (default: on a TTY unless NO_COLOR is set).'}),
  }

  async run(): Promise<TreeResult> {
    const {args, flags} = await this.parse(Tree)
    const view = {path: flags.path, depth: flags.depth}
    let result: TreeResult
    if (args.image) {
      const upTo = layerIndex(flags.layer)
      if (flags['function-zip'] || flags.function || flags['function-config']) {
        throw new UsageError('tree shows an image or a zip function, not both (use compare to check one against the other)')
      }
      const {image, layers, tree} = await loadImage(args.image, {...openOptionsFrom(flags, this.progressCallback()), upTo, treeOnly: true})
      if (upTo !== undefined && upTo >= image.layers.length) {
        throw new UsageError(`--layer ${upTo}: ${args.image} has ${image.layers.length} layers (0-${image.layers.length - 1})`)
      }
      result = {image: summarizeImage(image, layers), entries: treeEntries(tree, view)}
    } else {
      if (!hasFunctionInput(flags)) throw new UsageError('give an IMAGE, or a zip function (--layer ZIP|ARN, --function-zip, --function, --function-config)')
      const resolved = await resolveFunction(resolveOptionsFrom(flags))
      try {
        result = {function: resolved.summary, entries: treeEntries(resolved.layout.tree, view)}
      } finally {
        await resolved.dispose()
      }
    }
    this.endProgress()
    if (!this.jsonEnabled()) await writePieces(treePieces(result.entries, {color: this.useColor(flags.color), root: flags.path}))
    return result
  }
}

/** With an image, --layer is a layer index: exactly one non-negative integer. */
function layerIndex(values?: string[]): number | undefined {
  if (!values?.length) return undefined
  if (values.length > 1 || !/^\d+$/.test(values[0])) {
    throw new UsageError(`--layer with an IMAGE takes one layer index (0, 1, …), got ${values.join(', ')}`)
  }
  return Number(values[0])
}
