/**
 * openImage: what the user typed → an Image. Prefixes pin the format; otherwise the CONTENT decides
 * (never the file name): a directory with index.json/oci-layout is an OCI layout; a tar (or gzip/zstd
 * of a tar) holding manifest.json is a docker-archive (its OCI index preferred when it has one), one
 * holding index.json/oci-layout is an oci-archive. An existing local path always wins over a registry.
 */
import {createReadStream} from 'node:fs'
import {stat} from 'node:fs/promises'
import type {Readable} from 'node:stream'
import {ImageSourceError} from '../errors.js'
import {sniffCompression} from './compression.js'
import {readHead} from './file-sniff.js'
import type {Image, ImageSource, OpenOptions} from './model.js'
import {parseReference, splitLocationRef} from './reference.js'
import {openDockerArchive} from './sources/docker-archive.js'
import {openOciArchive} from './sources/oci-archive.js'
import {openOciLayout} from './sources/oci-layout.js'
import {openSpooled} from './sources/stdin-spool.js'
import {TarArchive} from './sources/tar-index.js'

type LocalKind = 'docker-archive' | 'oci-archive' | 'oci'

// ── Registry ─────────────────────────────────────────────────────────────────────────────────────
// `docker://REF` and any input that is not an existing local path go to the registry source
// (src/image/sources/registry/), loaded on first use so local audits never load its HTTP and AWS code.
// setRemoteSource swaps it (tests, embedders with their own transport).
let remoteSource: ImageSource | undefined

export function setRemoteSource(source: ImageSource | undefined): void {
  remoteSource = source
}
// ─────────────────────────────────────────────────────────────────────────────────────────────────

export async function openImage(input: string, options: OpenOptions = {}): Promise<Image> {
  return withProgress(await openAny(input, options), options)
}

/** The image reports its layer reads where the options say (readLayers reads `image.onProgress`). */
function withProgress(image: Image, options: OpenOptions): Image {
  if (options.onProgress) image.onProgress = options.onProgress
  return image
}

async function openAny(input: string, options: OpenOptions): Promise<Image> {
  const {transport, location} = parseReference(input)
  switch (transport) {
    case 'stdin':
      return openStream(process.stdin, options, input)
    case 'registry':
      return openRemote(location, input, options)
    case 'auto':
      if (!(await exists(location))) return openRemote(location, input, options)
      return openLocal(location, input, options)
    default: {
      const {path, ref} = await splitLocationRef(location)
      return openLocal(path, input, options, transport, ref)
    }
  }
}

/** Opens an archive read from a stream (stdin): spooled to a temp file deleted on close. */
export async function openStream(stream: Readable, options: OpenOptions = {}, input = '-'): Promise<Image> {
  return withProgress(await openSpooled(stream, input, (path) => openLocal(path, input, options)), options)
}

async function openRemote(location: string, input: string, options: OpenOptions): Promise<Image> {
  remoteSource ??= new (await import('./sources/registry/registry-source.js')).RegistrySource()
  return remoteSource.open(location, options)
}

async function openLocal(path: string, input: string, options: OpenOptions, kind?: LocalKind, ref?: string): Promise<Image> {
  const info = await stat(path).catch(() => undefined)
  if (!info) throw new ImageSourceError('NOT_FOUND', 'no such file', {input})
  if (info.isDirectory()) {
    if (kind && kind !== 'oci') {
      throw new ImageSourceError('UNKNOWN_FORMAT', `${kind} expects a file, this is a directory`, {input})
    }
    if (!kind && !(await exists(`${path}/index.json`)) && !(await exists(`${path}/oci-layout`))) {
      throw new ImageSourceError('UNKNOWN_FORMAT', 'a directory, but not an OCI layout (no index.json or oci-layout)', {input})
    }
    return openOciLayout(path, {input, ...(ref !== undefined ? {ref} : {}), options})
  }
  if (kind === 'oci') throw new ImageSourceError('UNKNOWN_FORMAT', 'oci: expects an OCI layout directory, this is a file', {input})
  if (info.isFIFO()) {
    // `<(cat image.tar)`, a named pipe: readable once, front to back. Spooled like stdin (opened once:
    // a second open would find the writer gone), then opened as the file it now is.
    const spooled = (path: string) => openLocal(path, input, options, kind, ref)
    return openSpooled(createReadStream(path, {highWaterMark: 1 << 20}), input, spooled, 'the pipe')
  }
  if (info.isCharacterDevice() || info.isSocket()) {
    throw new ImageSourceError('UNKNOWN_FORMAT', 'not an image archive: a device or socket, not a file, directory or pipe', {input})
  }
  const compression = sniffCompression(await readHead(path, 4, input))
  const archive = await TarArchive.open(path, compression, input)
  const format = kind ?? detectArchive(archive, input)
  if (format === 'docker-archive') {
    const withImage = ref !== undefined && !options.image ? {...options, image: ref} : options
    return openDockerArchive(archive, {input, options: withImage})
  }
  return openOciArchive(archive, {input, ...(ref !== undefined ? {ref} : {}), options})
}

function detectArchive(archive: TarArchive, input: string): 'docker-archive' | 'oci-archive' {
  if (archive.has('manifest.json')) return 'docker-archive'
  if (archive.has('index.json') || archive.has('oci-layout')) return 'oci-archive'
  throw new ImageSourceError(
    'UNKNOWN_FORMAT',
    'not an image archive: no manifest.json or index.json (a plain filesystem tar?)',
    {input},
  )
}

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined)) !== undefined
}
