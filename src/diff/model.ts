/** What `layer-audit diff A B` reports: the DiffReport `--json` prints and every diff renderer reads. */
import type {EntryType} from '../fs/entry.js'
import type {ImageSummary} from '../audit/report.js'

/** One side of a changed path: what the image holds there and which layer wrote it. */
export interface DiffSide {
  /** 'whiteout': with --layers, a deletion marker the layer carries (path is the marker's). */
  type: EntryType | 'whiteout'
  mode: number
  uid: number
  gid: number
  size: number
  mtime: number
  linkTarget?: string
  xattrs?: Record<string, string>
  /** sha256 of the content (regular files, when it was computed: see docs/diff.md). */
  sha256?: string
  /** Index of the layer that last wrote the path. */
  layer: number
  /** That layer's history `created_by` (secrets redacted). */
  createdBy?: string
}

export type ChangeKind = 'added' | 'removed' | 'modified'

/** What can differ between the two copies of a path. */
export type FileField = 'type' | 'mode' | 'uid' | 'gid' | 'size' | 'content' | 'linkTarget' | 'xattrs' | 'mtime'

export interface FileChange {
  path: string
  kind: ChangeKind
  /** modified: what differs, in this order: type, mode, uid, gid, size, content, linkTarget, xattrs, mtime. */
  fields?: FileField[]
  a?: DiffSide
  b?: DiffSide
  /** An added or removed directory is one change: how many entries lie under it. */
  entriesBelow?: number
  /** And the bytes of the regular files among them (what the summary's bytes added or removed count). */
  bytesBelow?: number
  /** With --verbose: every path under an added or removed directory. */
  paths?: string[]
}

export type ConfigKey = 'platform' | 'entrypoint' | 'cmd' | 'workdir' | 'user' | 'env' | 'labels' | 'exposedPorts' | 'volumes' | 'stopSignal' | 'created'

/** One difference in the image config: a key, or one name inside env / labels / ports / volumes. */
export interface ConfigChange {
  key: ConfigKey
  /** For env, labels, exposedPorts, volumes: the name that differs. */
  name?: string
  kind: ChangeKind
  /** Shown values (env values only with --show-env, and secret-looking ones always redacted). */
  a?: string
  b?: string
}

export interface LayerRow {
  index: number
  digest?: string
  diffId: string
  size?: number
  createdBy?: string
}

/** Layers side by side; `shared` says the other image has a layer with the same diff_id. */
export interface ManifestDiff {
  mediaType: {a: string; b: string}
  layers: {a: (LayerRow & {shared: boolean})[]; b: (LayerRow & {shared: boolean})[]}
  /** First index where the two layer stacks differ (by diff_id); undefined when they are the same. */
  firstDivergingLayer?: number
  /** First index where the histories differ (created_by, empty_layer); undefined when they agree. */
  firstDivergingHistory?: number
  /** Layer digests differ although the diff_ids agree (same content, different compression). */
  recompressed: number[]
}

export interface LambdaView {
  opt: boolean
  extensions: boolean
  task: boolean
  entrypoint: boolean
  /** CMD is the handler of an image function. */
  handler: boolean
  /** Uncompressed sizes against Lambda's 10 GiB image limit. */
  sizeA: number
  sizeB: number
  overLimit: boolean
}

export interface DiffSummary {
  same: boolean
  files: {added: number; removed: number; modified: number}
  config: number
  /** Layers only one side has (by diff_id). */
  layers: {onlyA: number; onlyB: number; shared: number}
  bytesAdded: number
  bytesRemoved: number
  firstDivergingLayer?: number
  lambda: LambdaView
}

export interface DiffOptionsUsed {
  mode: 'merged' | 'layers'
  path: string
  ignore: string[]
  ignoreTimestamps: boolean
  ignoreHistory: boolean
  semantic: boolean
  content: boolean
  showEnv: boolean
}

export interface LayerPairDiff {
  index: number
  a?: LayerRow
  b?: LayerRow
  /** Same diff_id: not compared entry by entry. */
  identical: boolean
  changes: FileChange[]
}

export interface DiffReport {
  command: 'diff'
  a: ImageSummary
  b: ImageSummary
  options: DiffOptionsUsed
  summary: DiffSummary
  /** Merged trees (default); empty with --layers. */
  files: FileChange[]
  /** With --layers: layer i of A against layer i of B. */
  layers?: LayerPairDiff[]
  config: ConfigChange[]
  manifest: ManifestDiff
}
