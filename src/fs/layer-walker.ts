/**
 * One pass over one layer's uncompressed tar: headers become LayerEntry/Whiteout records, regular files'
 * bytes go to content hooks, everything else is skipped. `LayerWalker` is pushed chunks synchronously
 * (the layer reader inflates straight into it); `walkLayerTar` drives it from a stream. Like a runtime's
 * tar reader it ignores whatever follows the first end-of-archive block (eStargz keeps its
 * `stargz.index.json` TOC there), but the source is read to its very end so the digest check runs.
 */
import type {Readable} from 'node:stream'
import {LayerAuditError} from '../errors.js'
import type {LayerInfo} from '../image/model.js'
import {encodeByteString} from '../tar/byte-string.js'
import {TarFormatError, TarReader, type TarMember} from '../tar/reader.js'
import type {ContentHook, ContentSink, EntryType, LayerEntry, Whiteout} from './entry.js'
import {LayerTarError} from './layer-error.js'
import {cleanTarPath} from './path.js'
import {pushStream} from './push-stream.js'
import {classifyPath} from './whiteout.js'

export interface LayerWalk {
  entries: LayerEntry[]
  whiteouts: Whiteout[]
}

export interface WalkOptions {
  /** Names the user's input (the image reference) in errors. */
  input?: string
}

const TYPES: Record<string, EntryType> = {
  '0': 'file',
  '1': 'hardlink',
  '2': 'symlink',
  '3': 'char',
  '4': 'block',
  '5': 'directory',
  '6': 'fifo',
}

const XATTR_PREFIX = 'SCHILY.xattr.'

/** One layer's tar, pushed in chunks. Every error it throws is a LayerAuditError naming the layer. */
export class LayerWalker {
  private entries: LayerEntry[] = []
  private readonly whiteouts: Whiteout[] = []
  private readonly reader = new TarReader((member) => this.record(member))

  constructor(
    private readonly layer: LayerInfo,
    private readonly hooks: readonly ContentHook[] = [],
    private readonly input?: string,
  ) {}

  write(chunk: Buffer): void {
    if (this.reader.ended) return
    try {
      this.reader.write(chunk)
    } catch (error) {
      throw asLayerError(error, this.layer, this.input)
    }
  }

  /** How many entries takeEntries would return. */
  get pendingEntries(): number {
    return this.entries.length
  }

  /** Entries recorded since the last call (a layer worker sends them on as it goes). */
  takeEntries(): LayerEntry[] {
    const taken = this.entries
    this.entries = []
    return taken
  }

  /** The source ended: the walk's result, or the truncated-tar error. */
  end(): LayerWalk {
    try {
      this.reader.end()
    } catch (error) {
      throw asLayerError(error, this.layer, this.input)
    }
    return {entries: this.entries, whiteouts: this.whiteouts}
  }

  /** Turns one member into an entry or whiteout; returns the sink that wants its bytes. */
  private record(member: TarMember): ContentSink | undefined {
    const {layer, input} = this
    const path = cleanTarPath(member.name)
    // The path the runtime creates (cleaned: "./" prefixes do not count) and the link target as stored.
    if (path.length > PATH_MAX / 4 || member.linkname.length > PATH_MAX / 4) checkPathLengths(path, member, layer, input)
    if (path === '/') return undefined // "." or "./": the root, never an entry (ggcr #2399)
    const match = classifyPath(path, layer, input)
    if (match.kind === 'whiteout') {
      this.whiteouts.push(match.whiteout)
      return undefined
    }
    if (match.kind === 'ignore') return undefined

    const type = TYPES[member.flag]
    if (!type) {
      throw new LayerTarError('UNSUPPORTED', layer, `unsupported tar entry type ${typeflagLabel(member.flag)} at ${path}`, {input})
    }
    const pax = member.pax
    const entry: LayerEntry = {
      path,
      type,
      mode: member.mode & 0o7777,
      uid: member.uid,
      gid: member.gid,
      size: type === 'file' ? member.size : 0,
      mtime: member.mtime,
      layer: layer.index,
    }
    if (type === 'symlink') entry.linkTarget = member.linkname
    else if (type === 'hardlink') {
      const target = member.linkname ? cleanTarPath(member.linkname) : '/'
      if (target === '/') throw new LayerTarError('CORRUPT', layer, `hardlink ${path} has no target`, {input})
      entry.linkTarget = target
    } else if (type === 'char' || type === 'block') {
      entry.devmajor = member.devmajor
      entry.devminor = member.devminor
    }
    if (pax) {
      for (const key in pax) {
        if (key.startsWith(XATTR_PREFIX)) (entry.xattrs ??= {})[key.slice(XATTR_PREFIX.length)] = pax[key]
      }
    }
    this.entries.push(entry)

    if (type !== 'file' || this.hooks.length === 0) return undefined
    let sinks: ContentSink[] | undefined
    for (const hook of this.hooks) {
      const sink = hook(entry, layer)
      if (sink) (sinks ??= []).push(sink)
    }
    if (!sinks) return undefined
    if (sinks.length === 1) return sinks[0]
    const targets = sinks
    return {
      write: (chunk) => {
        for (const sink of targets) sink.write(chunk)
      },
      end: () => {
        for (const sink of targets) sink.end()
      },
    }
  }
}

/** Walks a tar stream to its end (see LayerWalker); rejects with a LayerAuditError naming the layer. */
export function walkLayerTar(
  tar: Readable,
  layer: LayerInfo,
  hooks: ContentHook[] = [],
  options: WalkOptions = {},
): Promise<LayerWalk> {
  const input = options.input
  const walker = new LayerWalker(layer, hooks, input)
  return pushStream(tar, {
    write: (chunk) => walker.write(chunk),
    end: () => walker.end(),
    sourceError: (error) => asLayerError(error, layer, input),
    closedEarly: () => new LayerTarError('CORRUPT', layer, 'layer stream closed before its end', {input}),
  })
}

/**
 * Linux's PATH_MAX: a runtime creates each entry with system calls on its full path (containerd's and
 * Docker's appliers join it to the rootfs), so a longer name or link target fails the layer there with
 * ENAMETOOLONG. It fails here too — which also keeps the work on any one entry bounded (a 1 MiB path of
 * half a million directories would otherwise cost quadratic time and memory to lay out).
 */
export const PATH_MAX = 4096

function checkPathLengths(path: string, member: TarMember, layer: LayerInfo, input: string | undefined): void {
  for (const [what, text] of [['path', path.slice(1)], ['link target', member.linkname]] as const) {
    const bytes = encodeByteString(text).length
    if (bytes >= PATH_MAX) {
      const problem = `the ${what} of the entry at byte ${member.offset} is ${bytes} bytes, longer than a runtime can create (PATH_MAX ${PATH_MAX})`
      throw new LayerTarError('UNSUPPORTED', layer, problem, {input})
    }
  }
}

/** A typeflag as the error names it: 'S', or \x01 for a byte that is not printable. */
function typeflagLabel(flag: string): string {
  const code = flag.charCodeAt(0)
  return code > 0x20 && code < 0x7f ? `'${flag}'` : `\\x${code.toString(16).padStart(2, '0')}`
}

/** Our typed errors pass through; the tar reader's and a sink's plain ones become CORRUPT naming the layer. */
function asLayerError(error: unknown, layer: LayerInfo, input: string | undefined): LayerAuditError {
  if (error instanceof LayerAuditError) return error
  const message = error instanceof Error ? error.message : String(error)
  const problem =
    error instanceof TarFormatError && error.kind === 'truncated'
      ? 'truncated tar (unexpected end of data)'
      : `corrupt tar: ${message.replace(/\.$/, '')}`
  return new LayerTarError('CORRUPT', layer, problem, {input, cause: error})
}
