/**
 * One pass over one layer's uncompressed tar: headers become LayerEntry/Whiteout records, regular files'
 * bytes go to content hooks, everything else is skipped. Reads the source to its very end (so the
 * digest check riding on it runs) but, like a runtime's tar reader, ignores whatever follows the first
 * end-of-archive block (eStargz keeps its `stargz.index.json` TOC there).
 */
import type {Readable} from 'node:stream'
import {extract as tarExtract, type Header} from 'tar-stream'
import {LayerAuditError} from '../errors.js'
import type {LayerInfo} from '../image/model.js'
import type {ContentHook, ContentSink, EntryType, LayerEntry, Whiteout} from './entry.js'
import {LayerTarError} from './layer-error.js'
import {cleanTarPath} from './path.js'
import {classifyPath} from './whiteout.js'
import {ZeroBlockProbe} from './zero-block-probe.js'

export interface LayerWalk {
  entries: LayerEntry[]
  whiteouts: Whiteout[]
}

export interface WalkOptions {
  /** Names the user's input (the image reference) in errors. */
  input?: string
}

/** tar-stream's header plus the fields it sets but its typings omit. */
type RawHeader = Omit<Header, 'pax'> & {byteOffset: number; pax?: Record<string, string> | null}

const TYPES: Record<string, EntryType> = {
  file: 'file',
  'contiguous-file': 'file',
  link: 'hardlink',
  symlink: 'symlink',
  directory: 'directory',
  'character-device': 'char',
  'block-device': 'block',
  fifo: 'fifo',
}

const XATTR_PREFIX = 'SCHILY.xattr.'

export function walkLayerTar(
  tar: Readable,
  layer: LayerInfo,
  hooks: ContentHook[] = [],
  options: WalkOptions = {},
): Promise<LayerWalk> {
  const input = options.input
  const entries: LayerEntry[] = []
  const whiteouts: Whiteout[] = []
  const probe = new ZeroBlockProbe()
  // 1 MiB of parser buffer: 256 KiB inflate chunks rarely hit backpressure.
  const extract = tarExtract({highWaterMark: 1 << 20})

  /** Where the next header must start if nothing (pax/GNU long headers, zero blocks) sits in between. */
  let nextHeaderAt = 0
  /** Set once a zero block ended the archive; the rest of the bytes are read and dropped. */
  let archiveEnded = false
  let sourceEnded = false
  let settled = false

  return new Promise<LayerWalk>((resolve, reject) => {
    const succeed = () => {
      if (settled) return
      settled = true
      cleanup()
      resolve({entries, whiteouts})
    }
    const fail = (error: unknown) => {
      if (settled) return
      settled = true
      cleanup()
      if (!tar.destroyed) tar.destroy()
      reject(asLayerError(error, layer, input))
    }
    const cleanup = () => {
      tar.off('data', onData)
      tar.off('end', onEnd)
      tar.off('error', fail)
      tar.off('close', onClose)
      if (!extract.destroyed) extract.destroy()
    }

    /** The archive ended at nextHeaderAt if a zero block sits there; used before blaming the bytes. */
    const endedAtZeroBlock = () => {
      if (!archiveEnded && probe.isZeroBlock(nextHeaderAt)) {
        archiveEnded = true
        if (tar.isPaused()) tar.resume()
      }
      return archiveEnded
    }

    const onData = (chunk: Buffer) => {
      if (archiveEnded || settled) return
      probe.push(chunk)
      if (!extract.write(chunk)) tar.pause()
    }
    const onEnd = () => {
      sourceEnded = true
      if (archiveEnded) return succeed()
      extract.end(undefined)
    }
    const onClose = () => {
      if (!sourceEnded) fail(new LayerTarError('CORRUPT', layer, 'layer stream closed before its end', {input}))
    }

    extract.on('drain', () => {
      if (!settled && tar.isPaused()) tar.resume()
    })
    extract.on('finish', succeed)
    extract.on('error', (error: Error) => {
      // Bytes after the end-of-archive marker are not part of the filesystem; don't judge them.
      if (endedAtZeroBlock()) {
        if (sourceEnded) succeed()
        return
      }
      fail(error)
    })

    extract.on('entry', (rawHeader, stream, next) => {
      const header = rawHeader as unknown as RawHeader
      // The extract's own error listener reports failures; an entry stream destroyed with it must not throw.
      stream.on('error', ignore)
      const headerAt = header.byteOffset - 512
      if (headerAt > nextHeaderAt) endedAtZeroBlock()
      const dataSize = header.type === 'directory' ? 0 : (header.size ?? 0)
      nextHeaderAt = header.byteOffset + padded(dataSize)
      probe.keepAfter(nextHeaderAt)

      let sinks: ContentSink[] | undefined
      if (!archiveEnded) {
        try {
          sinks = record(header)
        } catch (error) {
          fail(error)
          return
        }
      }
      if (sinks) {
        const targets = sinks
        stream.on('data', (chunk) => {
          try {
            for (const sink of targets) sink.write(chunk as Buffer)
          } catch (error) {
            fail(error)
          }
        })
        stream.on('end', () => {
          try {
            for (const sink of targets) sink.end()
          } catch (error) {
            fail(error)
            return
          }
          next()
        })
      } else {
        stream.on('end', () => next())
      }
      stream.resume()
    })

    tar.on('data', onData)
    tar.on('end', onEnd)
    tar.on('error', fail)
    tar.on('close', onClose)
  })

  /** Turns one header into an entry or whiteout; returns the sinks that want its bytes. */
  function record(header: RawHeader): ContentSink[] | undefined {
    const path = cleanTarPath(header.name)
    if (path === '/') return undefined // "." or "./": the root, never an entry (ggcr #2399)
    const match = classifyPath(path, layer, input)
    if (match.kind === 'whiteout') {
      whiteouts.push(match.whiteout)
      return undefined
    }
    if (match.kind === 'ignore') return undefined

    const type = TYPES[header.type ?? '']
    if (!type) {
      throw new LayerTarError('UNSUPPORTED', layer, `unsupported tar entry type ${String(header.type)} at ${path}`, {
        input,
      })
    }
    const pax = header.pax ?? undefined
    const entry: LayerEntry = {
      path,
      type,
      mode: (header.mode ?? 0) & 0o7777,
      uid: paxInt(pax?.uid) ?? header.uid ?? 0,
      gid: paxInt(pax?.gid) ?? header.gid ?? 0,
      size: type === 'file' ? (header.size ?? 0) : 0,
      mtime: paxTime(pax?.mtime) ?? Math.floor((header.mtime?.getTime() ?? 0) / 1000),
    }
    if (type === 'symlink') entry.linkTarget = header.linkname ?? ''
    else if (type === 'hardlink') {
      const target = header.linkname ? cleanTarPath(header.linkname) : '/'
      if (target === '/') throw new LayerTarError('CORRUPT', layer, `hardlink ${path} has no target`, {input})
      entry.linkTarget = target
    } else if (type === 'char' || type === 'block') {
      entry.devmajor = header.devmajor ?? 0
      entry.devminor = header.devminor ?? 0
    }
    if (pax) {
      for (const key in pax) {
        if (key.startsWith(XATTR_PREFIX)) (entry.xattrs ??= {})[key.slice(XATTR_PREFIX.length)] = pax[key]
      }
    }
    entries.push(entry)

    if (type !== 'file' || hooks.length === 0) return undefined
    let sinks: ContentSink[] | undefined
    for (const hook of hooks) {
      const sink = hook(entry, layer)
      if (sink) (sinks ??= []).push(sink)
    }
    return sinks
  }
}

function ignore(): void {}

function padded(size: number): number {
  const rest = size % 512
  return rest === 0 ? size : size + 512 - rest
}

function paxInt(value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const n = Number.parseInt(value, 10)
  return Number.isFinite(n) ? n : undefined
}

function paxTime(value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const n = Number.parseFloat(value)
  return Number.isFinite(n) ? Math.floor(n) : undefined
}

/** Our typed errors pass through; tar-stream's plain ones become CORRUPT naming the layer. */
function asLayerError(error: unknown, layer: LayerInfo, input: string | undefined): LayerAuditError {
  if (error instanceof LayerAuditError) return error
  const message = error instanceof Error ? error.message : String(error)
  const problem = /unexpected end/i.test(message)
    ? 'truncated tar (unexpected end of data)'
    : `corrupt tar: ${message.replace(/\.$/, '')}`
  return new LayerTarError('CORRUPT', layer, problem, {input, cause: error})
}
