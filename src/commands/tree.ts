import {Args, Flags} from '@oclif/core'

import {summarizeImage} from '../audit/image-summary.js'
import {loadImage} from '../audit/load-image.js'
import type {ImageSummary} from '../audit/report.js'
import {treeEntries, type TreeEntry} from '../audit/tree-view.js'
import {LayerAuditCommand} from '../cli/base-command.js'
import {EXIT_CODES_HELP} from '../cli/exit-codes.js'
import {awsFlags, imageFlags} from '../cli/flags.js'
import {openOptionsFrom} from '../cli/image-options.js'
import {UsageError} from '../errors.js'
import {renderTree} from '../report/views/tree-view.js'

export interface TreeResult {
  image: ImageSummary
  entries: TreeEntry[]
}

export default class Tree extends LayerAuditCommand {
  static override summary = 'Print the filesystem an image\'s layers produce, with the layer that last wrote each entry.'
  static override description = `Whiteouts, opaque directories, hardlinks and symlinks are applied as a container runtime applies them.

${EXIT_CODES_HELP}`
  static override examples = [
    '<%= config.bin %> tree image.tar --path /opt',
    '<%= config.bin %> tree image.tar --layer 2 --depth 2',
    '<%= config.bin %> tree oci-archive:image.oci.tar --json',
  ]
  static override enableJsonFlag = true
  static override args = {
    image: Args.string({description: 'Image archive, OCI layout, or registry reference.', required: true}),
  }
  static override flags = {
    ...imageFlags,
    ...awsFlags,
    path: Flags.string({summary: 'Only this path and what is under it.', default: '/'}),
    depth: Flags.integer({summary: 'Levels below --path to show.', min: 0}),
    layer: Flags.integer({summary: 'Show the filesystem as of layer N (0 = the bottom layer).', min: 0}),
    color: Flags.boolean({allowNo: true, summary: 'Colour the output (default: on a TTY unless NO_COLOR is set).'}),
  }

  async run(): Promise<TreeResult> {
    const {args, flags} = await this.parse(Tree)
    const options = openOptionsFrom(flags)
    const {image, layers, tree} = await loadImage(args.image, {...options, upTo: flags.layer})
    if (flags.layer !== undefined && flags.layer >= image.layers.length) {
      throw new UsageError(`--layer ${flags.layer}: the image has ${image.layers.length} layers (0-${image.layers.length - 1})`)
    }
    const entries = treeEntries(tree, {path: flags.path, depth: flags.depth})
    if (!this.jsonEnabled()) process.stdout.write(renderTree(entries, {color: this.useColor(flags.color), root: flags.path}))
    return {image: summarizeImage(image, layers), entries}
  }
}
