import {stat} from 'node:fs/promises'

import {Command, Flags, type Interfaces} from '@oclif/core'

import {LayerAuditCommand} from '../cli/base-command.js'
import {emptyFlagError, LayerAuditError, UsageError} from '../errors.js'
import {buildLayerImage, type LayerImagePlatform, type LayerImageResult} from '../layer-image/build-image.js'
import {checkOutputTarget, parseOutputTarget} from '../layer-image/output-target.js'

/** oclif's FlagOutput, which @oclif/core's Interfaces does not export. */
type FlagOutput = {[name: string]: any}

export default class LayerImage extends LayerAuditCommand {
  static override summary = 'Build the container-image version of Lambda layers from their zips: FROM scratch, files only under /opt.'
  static override description = `Each --layer zip becomes one image layer (or one layer for all with --squash) holding exactly what Lambda unpacks into /opt: later zips win, Unix modes, symlinks and directories as the zips give them. No Docker, no credentials, nothing extracted to disk.

The output is reproducible: sorted entries, owner 0:0, mtime 0 (unless --keep-mtimes), deterministic gzip, epoch timestamps in the config. Labels record each zip's file name and sha256. Check the result with \`layer-audit compare OUTPUT --layer ZIP…\`.

Writes an OCI layout directory, an OCI archive or a docker-archive; pushing to a registry is not supported yet. See docs/layer-image.md.

Exit codes: 0 written; 2 usage or input error (nothing is left under the output's name).`
  static override examples = [
    '<%= config.bin %> layer-image --layer otel.zip --layer tracer.zip --output oci:./layers:1.0',
    '<%= config.bin %> layer-image --layer otel.zip --output docker-archive:otel.tar:otel-layer:1.0 --platform linux/arm64',
    '<%= config.bin %> layer-image --layer a.zip --layer b.zip --squash --output oci-archive:layers.oci.tar',
  ]
  static override flags = {
    layer: Flags.string({summary: 'A Lambda layer zip. Repeat in the function\'s layer order.', multiple: true, required: true, helpValue: 'ZIP'}),
    output: Flags.string({
      char: 'o',
      summary: 'Where to write the image: oci:DIR[:TAG], oci-archive:FILE[:TAG] or docker-archive:FILE[:REPO:TAG].',
      required: true,
      helpValue: 'KIND:PATH',
    }),
    squash: Flags.boolean({summary: 'One image layer with the merged /opt, instead of one per zip.'}),
    platform: Flags.string({summary: 'The image\'s platform (default linux/amd64).', options: ['linux/amd64', 'linux/arm64']}),
    label: Flags.string({summary: 'A label to add to the image config (repeatable).', multiple: true, helpValue: 'KEY=VALUE'}),
    'keep-mtimes': Flags.boolean({summary: 'Keep each file\'s mtime from its zip instead of 0 (the output is then no longer the same on every machine).'}),
  }

  /**
   * --output here names an image destination (oci:DIR, …), not a report file: the base class's report-path
   * check would read "oci:DIR" as a file name. It is checked in run(), before any zip is read.
   */
  protected override async parse<F extends FlagOutput, B extends FlagOutput, A extends FlagOutput>(
    options?: Interfaces.Input<F, B, A>,
    argv?: string[],
  ): Promise<Interfaces.ParserOutput<F, B, A>> {
    return (Command.prototype as unknown as {parse: LayerImage['parse']}).parse.call(this, options, argv) as Promise<Interfaces.ParserOutput<F, B, A>>
  }

  async run(): Promise<LayerImageResult> {
    const {flags} = await this.parse(LayerImage)
    const output = parseOutputTarget(flags.output)
    for (const layer of flags.layer) {
      if (layer.trim() === '') throw emptyFlagError('--layer')
      if (layer.startsWith('arn:')) throw new UsageError(`--layer ${layer}: layer ARNs are not supported by layer-image yet; give the layer's zip (aws lambda get-layer-version-by-arn gives its Content.Location)`)
    }
    const labels: Record<string, string> = {}
    for (const pair of flags.label ?? []) {
      const eq = pair.indexOf('=')
      if (eq <= 0) throw new UsageError(`--label ${JSON.stringify(pair)}: expected KEY=VALUE`)
      labels[pair.slice(0, eq)] = pair.slice(eq + 1)
    }
    await checkOutputTarget(output, flags.output)
    for (const layer of flags.layer) {
      const info = await stat(layer).catch(() => undefined)
      if (!info?.isFile()) throw new LayerAuditError('NOT_FOUND', info ? 'not a zip file' : 'no such file', {input: layer})
    }
    const result = await buildLayerImage({
      layers: flags.layer,
      output,
      squash: flags.squash,
      platform: flags.platform as LayerImagePlatform | undefined,
      labels,
      keepMtimes: flags['keep-mtimes'],
    })
    const where = `${output.kind}:${output.path}${output.tag ? `:${output.tag}` : ''}`
    process.stdout.write(`${result.digest} (${result.digestKind}, ${result.layers.length} layer${result.layers.length === 1 ? '' : 's'}, ${result.architecture}) written to ${where}\n`)
    return result
  }
}
