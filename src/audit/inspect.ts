/** What `inspect` shows about an image: plain data, rendered by src/report/views/inspect-view.ts. */
import type {LayerContents} from '../fs/entry.js'
import {computeEfficiency} from '../fs/efficiency.js'
import type {FileTree} from '../fs/tree.js'
import type {Image} from '../image/model.js'
import {formatPlatform} from '../image/platform.js'
import {redactEnvValue, redactHistoryLine} from '../secrets/env-value.js'
import {summarizeImage} from './image-summary.js'
import type {ImageSummary} from './report.js'

export interface LayerView {
  index: number
  digest?: string
  diffId: string
  mediaType: string
  compression: string
  compressedSize: number
  uncompressedSize: number
  /** Entries in this layer's tar that are not directories, whiteouts excluded. */
  files: number
  whiteouts: number
  createdBy?: string
  created?: string
}

export interface InspectResult {
  image: ImageSummary & {configDigest: string; attestations: number}
  indexes: {digest?: string; mediaType: string; platforms: string[]}[]
  config: {
    entrypoint?: string[] | null
    cmd?: string[] | null
    workdir?: string
    user?: string
    /** Names only, unless --show-env: values then have secrets masked (src/secrets/env-value.ts). */
    env: string[] | Record<string, string>
  }
  sizes: {compressed: number; uncompressed: number; merged: number; entries: number}
  efficiency: {score: number; wastedBytes: number; userWastedPercent: number; inefficientFiles: {path: string; count: number; size: number}[]}
  layers: LayerView[]
}

export interface InspectOptions {
  showEnv?: boolean
}

export function inspectImage(image: Image, layers: LayerContents[], tree: FileTree, options: InspectOptions = {}): InspectResult {
  const cfg = image.config.config ?? {}
  const efficiency = computeEfficiency(layers)
  let merged = 0
  let entries = 0
  for (const node of tree.walk()) {
    entries++
    if (node.type === 'file') merged += node.size
  }
  const summary = summarizeImage(image, layers)
  return {
    image: {...summary, configDigest: image.configDigest, attestations: image.attestations.length},
    indexes: image.indexes.map((ix) => ({
      ...(ix.digest ? {digest: ix.digest} : {}),
      mediaType: ix.mediaType,
      platforms: ix.manifests.filter((m) => m.platform).map((m) => formatPlatform(m.platform!)),
    })),
    config: {
      entrypoint: cfg.Entrypoint,
      cmd: cfg.Cmd,
      ...(cfg.WorkingDir ? {workdir: cfg.WorkingDir} : {}),
      ...(cfg.User ? {user: cfg.User} : {}),
      env: envView(cfg.Env ?? [], options),
    },
    sizes: {compressed: summary.compressedSize, uncompressed: summary.uncompressedSize, merged, entries},
    efficiency: {
      score: efficiency.efficiency,
      wastedBytes: efficiency.wastedBytes,
      userWastedPercent: efficiency.wastedUserPercent,
      inefficientFiles: efficiency.inefficientFiles.slice(0, 10).map((f) => ({path: f.path, count: f.count, size: f.cumulativeSize})),
    },
    layers: layers.map((l) => ({
      index: l.layer.index,
      ...(l.layer.digest ? {digest: l.layer.digest} : {}),
      diffId: l.layer.diffId,
      mediaType: l.layer.mediaType,
      compression: l.compression,
      compressedSize: l.compressedSize,
      uncompressedSize: l.uncompressedSize,
      files: l.entries.filter((e) => e.type !== 'directory').length,
      whiteouts: l.whiteouts.length,
      // History lines carry build args: secrets in them are masked even here (scan reports them).
      ...(l.layer.history?.created_by ? {createdBy: redactHistoryLine(l.layer.history.created_by)} : {}),
      ...(l.layer.history?.created ? {created: l.layer.history.created} : {}),
    })),
  }
}

function envView(env: string[], options: InspectOptions): string[] | Record<string, string> {
  const pairs = env.map((kv) => {
    const eq = kv.indexOf('=')
    return eq < 0 ? [kv, ''] : [kv.slice(0, eq), kv.slice(eq + 1)]
  })
  if (!options.showEnv) return pairs.map(([name]) => name)
  return Object.fromEntries(pairs.map(([name, value]) => [name, redactEnvValue(name, value)]))
}
