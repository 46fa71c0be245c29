/**
 * The image config and manifest of a layer image: FROM scratch, files only, no Entrypoint or Cmd, one
 * history line per layer, labels recording each source. Times are the epoch: the same zips give the same
 * digests any day.
 */
export const EPOCH = '1970-01-01T00:00:00Z'
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json'
export const OCI_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip'
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'
/** Label keys of each source zip: `<prefix>.<N>.zip` (its file name) and `<prefix>.<N>.sha256`. */
export const SOURCE_LABEL_PREFIX = 'dev.layer-audit.layer'

export interface SourceZip {
  /** File name of the zip (no directory: the label must not depend on where it was built). */
  name: string
  /** Hex sha256 of the zip file. */
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
    labels[`${SOURCE_LABEL_PREFIX}.${index}.zip`] = source.name
    labels[`${SOURCE_LABEL_PREFIX}.${index}.sha256`] = source.sha256
  })
  return labels
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
