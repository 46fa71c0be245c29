import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {Command, Flags, type Interfaces} from '@oclif/core'

import {LayerAuditCommand} from '../cli/base-command.js'
import {awsFlags, imageFlags} from '../cli/flags.js'
import {readRegistryOptions} from '../image/sources/registry/options.js'
import {DEFAULT_CHUNK_SIZE} from '../image/sources/registry/registry-push.js'
import {emptyFlagError, UsageError} from '../errors.js'
import type {AwsOptions} from '../lambda/aws.js'
import {readFunctionConfig} from '../lambda/function-config.js'
import {buildLayerImage, type LayerImagePlatform, type LayerImageResult} from '../layer-image/build-image.js'
import {resolveLayerZips} from '../layer-image/layer-sources.js'
import {checkOutputTarget, parseOutputTarget} from '../layer-image/output-target.js'
import {pushLayout, type PushResult} from '../layer-image/push-image.js'

/** oclif's FlagOutput, which @oclif/core's Interfaces does not export. */
type FlagOutput = {[name: string]: any}

export default class LayerImage extends LayerAuditCommand {
  static override summary = 'Build the container-image version of Lambda layers from their zips: FROM scratch, files only under /opt.'
  static override description = `Each --layer (a zip, or a layer version ARN downloaded as compare downloads it) becomes one image layer (or one layer for all with --squash) holding exactly what Lambda unpacks into /opt: later zips win, Unix modes, symlinks and directories as the zips give them. No Docker, no credentials, nothing extracted to disk.

The output is reproducible: sorted entries, owner 0:0, mtime 0 (unless --keep-mtimes), deterministic gzip, epoch timestamps in the config. Labels record each source: a zip's file name, an ARN and its CodeSha256, and the zip's sha256. Without --platform the architecture comes from the ARN layers' CompatibleArchitectures, else amd64. Check the result with \`layer-audit compare OUTPUT --layer ZIP…\`.

Writes an OCI layout directory, an OCI archive or a docker-archive, or pushes to a registry (\`docker://HOST/REPO:TAG\` or \`HOST/REPO:TAG\`) with the credentials the read side uses (Docker config, ECR) and prints \`HOST/REPO:TAG@sha256:…\`. See docs/layer-image.md.

Exit codes: 0 written or pushed; 2 usage, input, authentication or registry error (nothing is left under the output's name).`
  static override examples = [
    '<%= config.bin %> layer-image --layer otel.zip --layer tracer.zip --output oci:./layers:1.0',
    '<%= config.bin %> layer-image --layer otel.zip --output docker-archive:otel.tar:otel-layer:1.0 --platform linux/arm64',
    '<%= config.bin %> layer-image --layer a.zip --layer b.zip --squash --output oci-archive:layers.oci.tar',
    '<%= config.bin %> layer-image --layer arn:aws:lambda:eu-west-1:123456789012:layer:otel:12 --output oci:./otel:12',
    '<%= config.bin %> layer-image --layer otel.zip --output 123456789012.dkr.ecr.eu-west-1.amazonaws.com/otel-layer:12',
  ]
  static override flags = {
    ...awsFlags,
    layer: Flags.string({
      summary: 'A Lambda layer: a zip file or a layer version ARN. Repeat in the function\'s layer order.',
      multiple: true,
      helpValue: 'ZIP|ARN',
      exclusive: ['function', 'function-config'],
    }),
    function: Flags.string({
      summary: "The layers of this zip function (GetFunction), in its order: every layer it uses, in one image.",
      helpValue: 'NAME|ARN',
      exclusive: ['layer', 'function-config'],
    }),
    'function-config': Flags.string({
      summary: 'The layers of the function a saved `aws lambda get-function` JSON describes, in its order.',
      helpValue: 'FILE',
      exclusive: ['layer', 'function'],
    }),
    'no-cache': Flags.boolean({summary: 'Download ARN layers to a temporary file instead of the zip cache.'}),
    output: Flags.string({
      char: 'o',
      summary: 'Where to write the image: oci:DIR[:TAG], oci-archive:FILE[:TAG], docker-archive:FILE[:REPO:TAG], or a registry to push to: [docker://]HOST/REPO:TAG.',
      required: true,
      helpValue: 'KIND:PATH',
    }),
    squash: Flags.boolean({summary: 'One image layer with the merged /opt, instead of one per zip.'}),
    platform: Flags.string({summary: 'The image\'s platform (default linux/amd64).', options: ['linux/amd64', 'linux/arm64']}),
    label: Flags.string({summary: 'A label to add to the image config (repeatable).', multiple: true, helpValue: 'KEY=VALUE'}),
    'insecure-registry': imageFlags['insecure-registry'],
    'mount-from': Flags.string({
      summary: 'Push: a repository of the same registry that already holds some of the blobs; they are mounted from it instead of uploaded.',
      helpValue: 'REPO',
    }),
    'chunk-size': Flags.integer({
      summary: `Push: blobs bigger than this many bytes are uploaded in chunks of this size (default ${DEFAULT_CHUNK_SIZE}, 16 MiB).`,
      min: 1,
      helpValue: 'BYTES',
    }),
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

  async run(): Promise<LayerImageResult | PushResult> {
    const {flags} = await this.parse(LayerImage)
    const output = parseOutputTarget(flags.output)
    for (const layer of flags.layer ?? []) if (layer.trim() === '') throw emptyFlagError('--layer')
    for (const name of ['function', 'function-config'] as const) if (flags[name]?.trim() === '') throw emptyFlagError(`--${name}`)
    if (!flags.layer?.length && flags.function === undefined && flags['function-config'] === undefined) {
      throw new UsageError('give the layers: --layer ZIP|ARN (repeatable), --function NAME or --function-config FILE')
    }
    const labels: Record<string, string> = {}
    for (const pair of flags.label ?? []) {
      const eq = pair.indexOf('=')
      if (eq <= 0) throw new UsageError(`--label ${JSON.stringify(pair)}: expected KEY=VALUE`)
      labels[pair.slice(0, eq)] = pair.slice(eq + 1)
    }
    if (output.kind !== 'registry') {
      await checkOutputTarget(output, flags.output)
    } else if (flags['mount-from'] !== undefined && !/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/.test(flags['mount-from'])) {
      throw new UsageError(`--mount-from ${JSON.stringify(flags['mount-from'])}: expected a repository of the same registry (team/app)`)
    }
    if (output.kind !== 'registry' && (flags['mount-from'] !== undefined || flags['chunk-size'] !== undefined)) {
      throw new UsageError('--mount-from and --chunk-size are for pushing: give --output HOST/REPO:TAG')
    }
    const aws = {region: flags.region, profile: flags.profile, endpointUrl: flags['endpoint-url']}
    const layers = await resolveLayerZips(flags.layer ?? (await functionLayerArns(flags.function, flags['function-config'], aws)), aws, {noCache: flags['no-cache']})
    // A push is staged as an OCI layout in a temp directory (the same bytes oci:DIR gets) and sent from there.
    const staging = output.kind === 'registry' ? await mkdtemp(join(tmpdir(), 'layer-audit-push-')) : undefined
    const target = output.kind === 'registry' ? {kind: 'oci' as const, path: join(staging!, 'image')} : output
    let result: LayerImageResult
    try {
      result = await buildLayerImage({
        layers: layers.zips,
        output: target,
        squash: flags.squash,
        platform: flags.platform as LayerImagePlatform | undefined,
        labels,
        keepMtimes: flags['keep-mtimes'],
      })
    } catch (error) {
      if (staging) await rm(staging, {recursive: true, force: true})
      throw error
    } finally {
      await layers.dispose()
    }
    if (output.kind === 'registry') {
      try {
        const registryOptions = readRegistryOptions({insecureRegistries: flags['insecure-registry'] ?? [], region: flags.region, profile: flags.profile, endpointUrl: flags['endpoint-url']})
        const onProgress = this.progressCallback('pushing blobs')
        const pushed = await pushLayout(target.path, output.reference, registryOptions, {chunkSize: flags['chunk-size'], mountFrom: flags['mount-from'], onProgress})
        this.endProgress()
        process.stdout.write(`${pushed.pushed}\n`)
        return pushed
      } finally {
        await rm(staging!, {recursive: true, force: true})
      }
    }
    const where = `${output.kind}:${output.path}${output.tag ? `:${output.tag}` : ''}`
    process.stdout.write(`${result.digest} (${result.digestKind}, ${result.layers.length} layer${result.layers.length === 1 ? '' : 's'}, ${result.architecture}) written to ${where}\n`)
    return result
  }
}

/** The layer version ARNs a zip function uses, in its order, from the Lambda API or a saved GetFunction JSON. */
async function functionLayerArns(name: string | undefined, file: string | undefined, aws: AwsOptions): Promise<string[]> {
  const config = file !== undefined ? await readFunctionConfig(file) : await (await import('../lambda/aws.js')).getFunction(name!, aws)
  const what = file ?? name!
  if (config.packageType === 'Image') throw new UsageError(`${what}: an image function has no layers (they cannot be attached to one)`)
  if (config.layers.length === 0) throw new UsageError(`${what}: the function uses no layers; there is nothing to build`)
  return config.layers.map((layer) => layer.arn)
}
