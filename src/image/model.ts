/**
 * The image model every source yields and every check reads. Sources (src/image/sources/*) implement
 * `Image`; nothing downstream knows where the bytes came from. Modelled on go-containerregistry's pkg/v1.
 */
import type {Readable} from 'node:stream'

export type SourceKind = 'docker-archive' | 'oci-layout' | 'oci-archive' | 'registry'

export interface Platform {
  os: string
  architecture: string
  variant?: string
}

/** An OCI content descriptor (also used for Docker v2 descriptors). */
export interface Descriptor {
  mediaType: string
  digest: string
  size: number
  annotations?: Record<string, string>
  platform?: Platform & {'os.version'?: string; 'os.features'?: string[]}
  artifactType?: string
  urls?: string[]
}

export interface HistoryEntry {
  created?: string
  created_by?: string
  author?: string
  comment?: string
  empty_layer?: boolean
}

/** The `config` object inside an image config (Docker calls it the container config). */
export interface ContainerConfig {
  Env?: string[] | null
  Entrypoint?: string[] | null
  Cmd?: string[] | null
  WorkingDir?: string
  User?: string
  Labels?: Record<string, string> | null
  ExposedPorts?: Record<string, unknown> | null
  Volumes?: Record<string, unknown> | null
  StopSignal?: string
}

export interface ImageConfig {
  architecture?: string
  os?: string
  variant?: string
  created?: string
  author?: string
  config?: ContainerConfig
  rootfs?: {type: string; diff_ids: string[]}
  history?: HistoryEntry[]
}

export interface LayerInfo {
  /** 0-based position in the manifest, bottom layer first. */
  index: number
  /** Digest of the blob as stored (compressed), when the source knows it; verified while streaming. */
  digest?: string
  /** sha256 of the uncompressed tar, from the config's rootfs.diff_ids; verified while streaming. */
  diffId: string
  /** Media type the manifest declares: a hint only, compression is sniffed from the bytes. */
  mediaType: string
  /** Size of the blob as stored, when known. */
  size?: number
  /** The history entry that created this layer (entries with empty_layer skipped when aligning). */
  history?: HistoryEntry
  annotations?: Record<string, string>
}

/** One index (OCI image index or Docker manifest list) on the way from the top to the chosen manifest. */
export interface IndexLevel {
  digest?: string
  mediaType: string
  manifests: Descriptor[]
}

export interface ManifestInfo {
  digest?: string
  mediaType: string
  size?: number
  annotations?: Record<string, string>
}

export interface Image {
  /** What the user gave us (path or reference), used to name the input in errors. */
  reference: string
  source: SourceKind
  /** REPO:TAG (or ref name) when the source records one. */
  name?: string
  manifest: ManifestInfo
  /** Indexes resolved to reach the manifest, top first; empty when the manifest was the top. */
  indexes: IndexLevel[]
  platform: Platform
  config: ImageConfig
  configDigest: string
  layers: LayerInfo[]
  /**
   * Attestation manifests (buildx provenance/SBOM) that the indexes hold for this image, if any.
   * Never chosen as a platform; read by the scan rules.
   */
  attestations: Descriptor[]
  /** The raw bytes of a layer blob as stored (possibly compressed), not yet verified. */
  openLayer(layer: LayerInfo): Promise<Readable>
  /** A small blob (manifest, config, attestation) by descriptor: size-capped and digest-verified. */
  readBlob(descriptor: Descriptor): Promise<Buffer>
  close(): Promise<void>
  /** Where readLayers reports the bytes it reads (OpenOptions.onProgress). */
  onProgress?: LayerProgressCallback
}

/**
 * How far the reading of a layer's blob is, for a progress display: `bytes` of the blob as stored
 * (compressed) read so far, of `total` (its size, when the source knows it). readLayers calls it with 0
 * for each layer it is about to read, every ~200 ms while a blob streams, and with bytes === total once
 * the layer is read: per layer, the counts only grow. `image` is the image's reference (diff reads two).
 */
export type LayerProgressCallback = (layerIndex: number, bytes: number, total: number | undefined, image?: string) => void

export interface OpenOptions {
  /** os/arch[/variant]; default linux/amd64 if present, else the only platform. */
  platform?: string
  /** REPO:TAG to pick one image from an archive holding several. */
  image?: string
  /** Cap for JSON documents (manifest, index, config), bytes. */
  maxJsonBytes?: number
  /** Registry/ECR options; ignored by local sources. */
  registry?: Record<string, unknown>
  /** Progress of every read of the image's layers, whatever the source (see LayerProgressCallback). */
  onProgress?: LayerProgressCallback
}

/** A medium images are read from. One module per medium under src/image/sources/. */
export interface ImageSource {
  readonly kind: SourceKind
  open(location: string, options: OpenOptions): Promise<Image>
}

export const MAX_JSON_BYTES = 8 * 1024 * 1024
