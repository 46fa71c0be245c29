/**
 * The filesystem a zip-packaged function gets at run time: its layers unpacked in order into /opt (a later
 * layer overwrites an earlier one's files; a zip cannot delete anything), then its code zip into /var/task.
 * Built in the same FileTree model as images, so `tree` and `compare` never know which side they read.
 */
import type {Readable} from 'node:stream'
import {ZipError} from '../errors.js'
import type {FileNode} from '../fs/entry.js'
import {FileTree} from '../fs/tree.js'
import {openZip, ZipEntry, type ZipArchive, type ZipLimits, type ZipNote} from './zip-reader.js'

export const LAYERS_ROOT = '/opt'
export const TASK_ROOT = '/var/task'
/** Lambda allows 5 layers per function. */
export const MAX_LAYERS = 5
/** "250 MB" unzipped, function plus layers, in bytes (Lambda quotas page). */
export const MAX_UNZIPPED_BYTES = 262_144_000
/** Layer mount roots carry this index: Lambda made them, no zip did. */
export const LAMBDA_MADE = -1

/** A zip to unpack: a local file, or one downloaded for a layer version ARN. */
export interface ZipSource {
  /** Path of the zip on disk. */
  path: string
  /** How the layout names it (the `source` of its nodes): the ARN, else the path as given. */
  name?: string
  /** Layer version ARN, when the zip came from one. */
  arn?: string
  compatibleArchitectures?: string[]
  compatibleRuntimes?: string[]
}

export interface ZipSummary {
  /** Same index as FileNode.layer: layers 0…n-1, the code zip n (= layers.length). */
  index: number
  source: string
  role: 'layer' | 'code'
  mount: string
  arn?: string
  /** Bytes of the zip file. */
  size: number
  /** Sum of declared uncompressed entry sizes. */
  uncompressedSize: number
  /** Entries kept (duplicates collapsed). */
  entries: number
  compatibleArchitectures?: string[]
  compatibleRuntimes?: string[]
}

/** A file (not a directory) of an earlier zip replaced by a later zip's entry at the same path. */
export interface ShadowedFile {
  path: string
  by: number
  bySource: string
  over: number[]
  overSources: string[]
}

export interface LayoutNote extends ZipNote {
  index: number
  source: string
}

export interface LayoutLimits {
  layers: number
  maxLayers: number
  /** Function plus layers, uncompressed bytes. */
  unzippedSize: number
  maxUnzippedSize: number
  tooManyLayers: boolean
  tooLarge: boolean
}

/** An entry a rule must look at: unsafe names, encryption, no Unix modes. */
export interface FlaggedEntry {
  index: number
  source: string
  entry: ZipEntry
}

export interface FunctionLayout {
  tree: FileTree
  zips: ZipSummary[]
  shadowed: ShadowedFile[]
  notes: LayoutNote[]
  limits: LayoutLimits
  /** Entries with problems or without Unix modes (in zip order); unsafe ones are not in the tree. */
  flagged: FlaggedEntry[]
  /** The zip entry that wrote a path, for its CRC-32, compressed size, `noUnixMode`. */
  entryAt(path: string): {index: number; source: string; entry: ZipEntry} | undefined
  /** The content of a regular file in the layout, streamed from its zip with CRC-32 verified. */
  openFile(path: string): Promise<Readable>
  /** Closes the zips opened for openFile. */
  close(): Promise<void>
}

export interface BuildLayoutInput {
  layers: ZipSource[]
  code?: ZipSource
  limits?: ZipLimits
}

export async function buildFunctionLayout(input: BuildLayoutInput): Promise<FunctionLayout> {
  const sources: {source: ZipSource; role: 'layer' | 'code'; mount: string}[] = [
    ...input.layers.map((source) => ({source, role: 'layer' as const, mount: LAYERS_ROOT})),
    ...(input.code ? [{source: input.code, role: 'code' as const, mount: TASK_ROOT}] : []),
  ]
  const tree = new FileTree()
  addRoot(tree, LAYERS_ROOT)
  if (input.code) addRoot(tree, TASK_ROOT)
  const zips: ZipSummary[] = []
  const shadowed: ShadowedFile[] = []
  const notes: LayoutNote[] = []
  const flagged: FlaggedEntry[] = []
  /** Layout nodes that are copies of their zip entry (symlinks: a node's size is 0, the entry's is its target's length). */
  const copied = new Map<string, ZipEntry>()
  const names: string[] = []

  for (const {source} of sources) names.push(source.name ?? source.path)
  // Central directories are read at once (their reads overlap); entries are placed in layer order, and
  // the first zip in that order that fails is the error reported.
  const opened = await Promise.allSettled(sources.map(({source, mount}, index) => openZip(source.path, {root: mount, name: names[index], limits: input.limits, layer: index})))
  const archives = opened.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []))
  try {
    const failed = opened.find((o): o is PromiseRejectedResult => o.status === 'rejected')
    if (failed) throw failed.reason
    for (const [index, {source, role, mount}] of sources.entries()) {
      const name = names[index]
      const archive = archives[index]
      zips.push({
        index,
        source: name,
        role,
        mount,
        ...(source.arn ? {arn: source.arn} : {}),
        size: archive.size,
        uncompressedSize: archive.uncompressedSize,
        entries: archive.entries.length,
        ...(source.compatibleArchitectures ? {compatibleArchitectures: source.compatibleArchitectures} : {}),
        ...(source.compatibleRuntimes ? {compatibleRuntimes: source.compatibleRuntimes} : {}),
      })
      for (const note of archive.notes) notes.push({index, source: name, ...note})
      for (const entry of archive.entries) {
        if (entry.problems || entry.noUnixMode) flagged.push({index, source: name, entry})
        if (entry.problems?.includes('unsafe-path')) continue
        place(tree, entry, index, name, mount, copied, shadowed, notes, names)
      }
    }
  } finally {
    await Promise.all(archives.map((a) => a.close()))
  }

  // Stable output whatever order each zip lists its entries in.
  shadowed.sort((x, y) => x.by - y.by || (x.path < y.path ? -1 : x.path > y.path ? 1 : 0))
  const unzippedSize = zips.reduce((sum, z) => sum + z.uncompressedSize, 0)
  const layerCount = input.layers.length
  const open = new Map<number, Promise<ZipArchive>>()
  const archiveFor = (index: number): Promise<ZipArchive> => {
    let archive = open.get(index)
    if (!archive) {
      const {source, mount} = sources[index]
      archive = openZip(source.path, {root: mount, name: names[index], limits: input.limits, layer: index})
      open.set(index, archive)
    }
    return archive
  }

  return {
    tree,
    zips,
    shadowed,
    notes,
    flagged,
    limits: {
      layers: layerCount,
      maxLayers: MAX_LAYERS,
      unzippedSize,
      maxUnzippedSize: MAX_UNZIPPED_BYTES,
      tooManyLayers: layerCount > MAX_LAYERS,
      tooLarge: unzippedSize > MAX_UNZIPPED_BYTES,
    },
    entryAt(path) {
      const entry = zipEntryAt(tree, copied, path)
      return entry ? {index: entry.layer, source: names[entry.layer], entry} : undefined
    },
    async openFile(path) {
      const placed = zipEntryAt(tree, copied, path)
      if (!placed || placed.type !== 'file') throw new ZipError('NOT_FOUND', `no regular file at ${path} in the function layout`)
      const archive = await archiveFor(placed.layer)
      // Reopened archives list equal entries in equal order; match by central-directory index.
      const entry = entryByIndex(archive.entries, placed.index)
      if (!entry) throw new ZipError('CORRUPT', `zip changed on disk since it was read (${path})`, {input: names[placed.layer]})
      return archive.openEntry(entry)
    },
    async close() {
      const all = [...open.values()]
      open.clear()
      for (const archive of await Promise.allSettled(all)) if (archive.status === 'fulfilled') await archive.value.close()
    },
  }
}

/** The zip entry a layout path was placed from: the node itself, or the entry a copied node stands for. */
function zipEntryAt(tree: FileTree, copied: Map<string, ZipEntry>, path: string): ZipEntry | undefined {
  const node = tree.get(path)
  if (!node || node.layer === LAMBDA_MADE) return undefined
  return copied.get(node.path) ?? (node instanceof ZipEntry ? node : undefined)
}

/** An archive's entries are in central-directory order: a binary search by index. */
function entryByIndex(entries: readonly ZipEntry[], index: number): ZipEntry | undefined {
  let low = 0
  let high = entries.length - 1
  while (low <= high) {
    const middle = (low + high) >>> 1
    const at = entries[middle]!.index
    if (at === index) return entries[middle]
    if (at < index) low = middle + 1
    else high = middle - 1
  }
  return undefined
}

function addRoot(tree: FileTree, root: string): void {
  const parts = root.split('/').filter(Boolean)
  for (let i = 1; i <= parts.length; i++) {
    const path = '/' + parts.slice(0, i).join('/')
    tree.set({path, type: 'directory', mode: 0o755, uid: 0, gid: 0, size: 0, mtime: 0, layer: LAMBDA_MADE})
  }
}

function place(
  tree: FileTree,
  entry: ZipEntry,
  index: number,
  source: string,
  mount: string,
  copied: Map<string, ZipEntry>,
  shadowed: ShadowedFile[],
  notes: LayoutNote[],
  names: string[],
): void {
  // Parent directories the zip implies without listing them, as unzip creates them (0755 under umask 022).
  // Usually the parent is there already, and then so is every directory above it.
  const parent = entry.path.slice(0, entry.path.lastIndexOf('/'))
  const parts = parent === mount || tree.get(parent)?.type === 'directory' ? [] : entry.path.slice(mount.length + 1).split('/')
  for (let i = 1; i < parts.length; i++) {
    const dir = `${mount}/${parts.slice(0, i).join('/')}`
    const existing = tree.get(dir)
    if (existing?.type === 'directory') continue
    if (existing) {
      notes.push({index, source, name: entry.name, message: `${dir}: a ${existing.type} from ${names[existing.layer] ?? 'Lambda'} is replaced by a directory`})
    }
    tree.set({path: dir, type: 'directory', mode: 0o755, uid: 0, gid: 0, size: 0, mtime: entry.mtime, layer: index, source}, existing ? [...tree.hidden(dir), existing.layer] : [])
    copied.delete(dir)
  }
  const existing = tree.get(entry.path)
  const hides = existing && existing.layer !== LAMBDA_MADE ? [...tree.hidden(entry.path), existing.layer] : []
  if (existing && existing.type !== 'directory' && entry.type !== 'directory' && existing.layer !== index) {
    shadowed.push({path: entry.path, by: index, bySource: source, over: [existing.layer], overSources: [names[existing.layer]]})
  } else if (existing && existing.type !== entry.type && (existing.type === 'directory' || entry.type === 'directory')) {
    notes.push({index, source, name: entry.name, message: `${entry.path}: a ${entry.type} replaces a ${existing.type} from ${names[existing.layer] ?? 'Lambda'}`})
  }
  // A file or link over a directory removes the directory's subtree from the layout.
  if (existing?.type === 'directory' && entry.type !== 'directory') {
    for (const gone of tree.remove(entry.path)) copied.delete(gone.node.path)
  }
  // The entry is the node (as on the image side, one object a path); only a symlink needs a copy, as
  // its node's size is 0 and the entry's is its target's length.
  let node: FileNode = entry
  if (entry.type === 'symlink') {
    node = entry.withSize(0)
    copied.set(entry.path, entry)
  } else copied.delete(entry.path)
  tree.set(node, hides.length > 0 ? [...new Set(hides)].sort((a, b) => a - b) : hides)
}
