/**
 * The image config and manifest of a layer image: FROM scratch, files only, no Entrypoint or Cmd, one
 * history line per layer, labels recording each source. Times are the epoch: the same zips give the same
 * digests any day.
 */
import {OCI_CONFIG, OCI_INDEX, OCI_LAYER_GZIP, OCI_MANIFEST} from '../image/media-types.js'

// The media types are the read side's (one definition); re-exported for the writers of this folder.
export {OCI_CONFIG, OCI_INDEX, OCI_LAYER_GZIP, OCI_MANIFEST}
export const EPOCH = '1970-01-01T00:00:00Z'
/**
 * Label keys of each source, N counting from 0 in layer order: `<prefix>.<N>.zip` (a local zip's file name)
 * or `<prefix>.<N>.arn`, `.name`, `.version` and `.code-sha256` (a layer version ARN, the layer's name and
 * version from it, and its CodeSha256), and `.sha256` (hex sha256 of the zip) for both.
 */
export const SOURCE_LABEL_PREFIX = 'dev.layer-audit.layer'

export interface SourceZip {
  fileName?: string
  arn?: string
  codeSha256?: string
  /** Hex sha256 of the zip. */
  sha256: string
}

export interface ConfigInput {
  architecture: string
  sources: SourceZip[]
  diffIds: string[]
  /** What each image layer holds, for its history line. */
  layerDescriptions: string[]
  labels: Record<string, string>
}

export function sourceLabels(sources: readonly SourceZip[]): Record<string, string> {
  const labels: Record<string, string> = {}
  sources.forEach((source, index) => {
    const key = `${SOURCE_LABEL_PREFIX}.${index}`
    if (source.fileName !== undefined) labels[`${key}.zip`] = source.fileName
    if (source.arn !== undefined) {
      labels[`${key}.arn`] = source.arn
      // The layer's name and version, as a reviewer reads them (the ARN's last two fields).
      const [name, version] = source.arn.split(':').slice(-2)
      if (name && version && /^\d+$/.test(version)) {
        labels[`${key}.name`] = name
        labels[`${key}.version`] = version
      }
    }
    if (source.codeSha256 !== undefined) labels[`${key}.code-sha256`] = source.codeSha256
    labels[`${key}.sha256`] = source.sha256
  })
  return labels
}

/** How a source is named in history: its file name or its ARN. */
export function sourceName(source: SourceZip): string {
  return source.arn ?? source.fileName ?? source.sha256
}

/** The config JSON, keys in a fixed order (labels sorted). */
export function imageConfig(input: ConfigInput): Buffer {
  const all = {...sourceLabels(input.sources), ...input.labels}
  const labels = Object.fromEntries(Object.keys(all).sort().map((key) => [key, all[key]]))
  const config = {
    created: EPOCH,
    architecture: input.architecture,
    os: 'linux',
    config: {Labels: labels},
    rootfs: {type: 'layers', diff_ids: input.diffIds},
    history: input.layerDescriptions.map((description) => ({created: EPOCH, created_by: `layer-audit layer-image: ${description}`})),
  }
  return Buffer.from(JSON.stringify(config))
}

export interface Descriptor {
  mediaType: string
  digest: string
  size: number
}

export function imageManifest(config: Descriptor, layers: readonly Descriptor[]): Buffer {
  return Buffer.from(JSON.stringify({schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers}))
}
