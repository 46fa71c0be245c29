/**
 * `docker save` archives and their relatives: the legacy layout (`manifest.json`, `<v1id>/layer.tar`,
 * `repositories`), kaniko/go-containerregistry tarballs (`<digest>.tar.gz` layers, config named
 * `sha256:<hex>`), skopeo's (symlinked layers), Docker >= 25 (an OCI layout beside manifest.json: its
 * index is preferred, so blob digests are known), and archives holding several images.
 */
import {ImageSourceError} from '../../errors.js'
import {quoteInput, quoteList} from '../../io/input-text.js'
import {readVerifiedBlob} from '../blob-store.js'
import {digestOf, isDigest} from '../digest.js'
import {sniffFileCompression} from '../file-sniff.js'
import {alignHistory} from '../history.js'
import {sameImageName} from '../image-name.js'
import {isObject, jsonCap, parseJsonDocument} from '../json-document.js'
import {imagePlatform, parseImageConfig, resolveFromIndex, type ResolvedImage} from '../manifest-resolver.js'
import {CONTAINERD_NAME, DOCKER_LAYER, DOCKER_LAYER_GZIP, DOCKER_MANIFEST} from '../media-types.js'
import type {Descriptor, Image, ImageSource, LayerInfo, OpenOptions} from '../model.js'
import {parsePlatform} from '../platform.js'
import {splitLocationRef} from '../reference.js'
import {ArchiveBlobStore} from './archive-blob-store.js'
import {TarArchive} from './tar-index.js'

interface ManifestEntry {
  Config: string
  RepoTags: string[]
  Layers: string[]
  LayerSources?: Record<string, Descriptor>
}

export class DockerArchiveSource implements ImageSource {
  readonly kind = 'docker-archive' as const

  /** `location` is `PATH` or `PATH:REPO:TAG` (skopeo's docker-archive syntax). */
  async open(location: string, options: OpenOptions): Promise<Image> {
    const {path, ref} = await splitLocationRef(location)
    const archive = await TarArchive.open(path, await sniffFileCompression(path, location), location)
    return openDockerArchive(archive, {input: location, options: ref && !options.image ? {...options, image: ref} : options})
  }
}

/** Owns `archive` from here: the image closes it, or this does when opening fails. */
export async function openDockerArchive(archive: TarArchive, at: {input: string; options: OpenOptions}): Promise<Image> {
  try {
    return await imageOf(archive, at)
  } catch (error) {
    archive.close()
    throw error
  }
}

async function imageOf(archive: TarArchive, at: {input: string; options: OpenOptions}): Promise<Image> {
  const {input, options} = at
  const cap = jsonCap(options)
  if (!archive.has('manifest.json')) {
    const hint = archive.has('index.json') ? ' (it holds an OCI layout: use oci-archive:)' : ''
    throw new ImageSourceError('UNKNOWN_FORMAT', `not a docker-archive: no manifest.json${hint}`, {input})
  }
  const entries = parseManifestJson(await archive.readMember('manifest.json', cap, 'manifest.json'), cap, input)
  const entry = selectEntry(entries, options.image, input)
  const name = options.image ?? entry.RepoTags[0]
  const fromOci = await resolveViaOciIndex(archive, entry, options, input, cap)
  const resolved = fromOci ?? (await resolveLegacy(archive, entry, input, cap))
  const store = new ArchiveBlobStore(archive)
  const layerPaths = fromOci ? undefined : entry.Layers
  return {
    ...resolved,
    ...(name ? {name} : {}),
    reference: input,
    source: 'docker-archive',
    openLayer: async (layer: LayerInfo) =>
      layerPaths ? archive.openMember(layerPaths[layer.index]!) : store.open(layer.digest ?? layer.diffId),
    readBlob: async (descriptor: Descriptor) => {
      if (!fromOci && descriptor.digest === resolved.configDigest) {
        const bytes = await archive.readMember(entry.Config, cap, 'config')
        if (digestOf(bytes) !== descriptor.digest) throw new ImageSourceError('DIGEST_MISMATCH', 'config changed while open', {input})
        return bytes
      }
      return readVerifiedBlob(store, descriptor, cap, `blob ${descriptor.digest}`, input)
    },
    close: async () => archive.close(),
  }
}

function parseManifestJson(bytes: Buffer, cap: number, input: string): ManifestEntry[] {
  const value = parseJsonDocument(bytes, cap, 'manifest.json', input)
  if (value === null || (Array.isArray(value) && value.length === 0)) {
    throw new ImageSourceError('NOT_FOUND', 'manifest.json lists no images', {input})
  }
  if (!Array.isArray(value)) throw new ImageSourceError('CORRUPT', 'manifest.json is not a JSON array', {input})
  return value.map((raw, i) => {
    const what = `manifest.json entry ${i}`
    if (!isObject(raw) || typeof raw.Config !== 'string' || !Array.isArray(raw.Layers) || !raw.Layers.every((l) => typeof l === 'string')) {
      throw new ImageSourceError('CORRUPT', `${what} needs Config (a path) and Layers (paths)`, {input})
    }
    const tags = Array.isArray(raw.RepoTags) ? raw.RepoTags.filter((t): t is string => typeof t === 'string') : []
    return {
      Config: raw.Config,
      RepoTags: tags,
      Layers: raw.Layers as string[],
      ...(isObject(raw.LayerSources) ? {LayerSources: raw.LayerSources as Record<string, Descriptor>} : {}),
    }
  })
}

function selectEntry(entries: ManifestEntry[], wanted: string | undefined, input: string): ManifestEntry {
  const allTags = entries.flatMap((e) => e.RepoTags)
  if (wanted !== undefined) {
    const matches = entries.filter((e) => e.RepoTags.some((t) => sameImageName(t, wanted)))
    if (matches.length === 0) {
      const listed = allTags.length > 0 ? `images: ${quoteList(allTags)}` : 'its images have no tags'
      throw new ImageSourceError('NOT_FOUND', `no image ${quoteInput(wanted)} in the archive (${listed})`, {input})
    }
    return matches[0]!
  }
  if (entries.length === 1) return entries[0]!
  const shown = entries.slice(0, 10).map((e, i) => (e.RepoTags.length > 0 ? quoteList(e.RepoTags, 3, ' = ') : `untagged #${i}`))
  const listed = entries.length > 10 ? `${shown.join(', ')}, … and ${entries.length - 10} more` : shown.join(', ')
  throw new ImageSourceError('AMBIGUOUS', `the archive holds ${entries.length} images: ${listed}; choose one with --image REPO:TAG`, {input})
}

/**
 * Docker >= 25 and containerd archives carry an OCI index: resolving through it gives real blob digests,
 * platforms and attestations. Undefined when there is no usable index (Docker 25 saved by ID writes
 * `"manifests": null`), in which case manifest.json is read the legacy way.
 */
async function resolveViaOciIndex(
  archive: TarArchive,
  entry: ManifestEntry,
  options: OpenOptions,
  input: string,
  cap: number,
): Promise<ResolvedImage | undefined> {
  if (!archive.has('index.json')) return undefined
  const index = parseJsonDocument(await archive.readMember('index.json', cap, 'index.json'), cap, 'index.json', input)
  if (!isObject(index) || !Array.isArray(index.manifests) || index.manifests.length === 0) return undefined
  const descriptors = index.manifests.filter(isObject) as unknown as Descriptor[]
  const names = options.image ? [options.image] : entry.RepoTags
  const named = descriptors.filter((d) => {
    const full = d.annotations?.[CONTAINERD_NAME]
    return full !== undefined && names.some((n) => sameImageName(full, n))
  })
  const chosen = named.length > 0 ? named : descriptors.length === 1 ? descriptors : []
  if (chosen.length === 0) return undefined
  return resolveFromIndex(
    {store: new ArchiveBlobStore(archive), input, cap, ...(options.platform ? {platform: parsePlatform(options.platform)} : {})},
    {...index, manifests: chosen},
    {what: 'index.json'},
  )
}

async function resolveLegacy(archive: TarArchive, entry: ManifestEntry, input: string, cap: number): Promise<ResolvedImage> {
  const configBytes = await archive.readMember(entry.Config, cap, 'config')
  const configDigest = digestOf(configBytes)
  const named = digestInName(entry.Config)
  if (named && named !== configDigest) {
    throw new ImageSourceError('DIGEST_MISMATCH', `config ${quoteInput(entry.Config)}: digest mismatch, got ${configDigest}`, {input})
  }
  const config = parseImageConfig(configBytes, cap, input)
  const diffIds = config.rootfs?.diff_ids ?? []
  if (diffIds.length !== entry.Layers.length) {
    throw new ImageSourceError(
      'CORRUPT',
      `manifest.json lists ${entry.Layers.length} layers but the config has ${diffIds.length} diff_ids`,
      {input},
    )
  }
  const history = alignHistory(config.history, entry.Layers.length)
  const layers = entry.Layers.map((path, index): LayerInfo => {
    const member = archive.find(path)
    if (!member || member.type !== 'file') {
      throw new ImageSourceError('NOT_FOUND', `layer ${index} (${quoteInput(path)}) is missing from the archive`, {input})
    }
    const diffId = diffIds[index]!
    // LayerSources may describe the registry's (gzip) blob rather than the tar stored here
    // (go-containerregistry's test_bundle): trust it only when the stored path names the same digest.
    const digest = digestInName(path)
    const candidate = entry.LayerSources?.[diffId]
    const source = candidate && isDigest(candidate.digest) && candidate.digest === digest ? candidate : undefined
    const mediaType = source?.mediaType ?? (path.endsWith('.gz') ? DOCKER_LAYER_GZIP : DOCKER_LAYER)
    return {
      index,
      ...(digest ? {digest} : {}),
      diffId,
      mediaType,
      size: member.size,
      ...(history[index] ? {history: history[index]} : {}),
    }
  })
  return {
    manifest: {mediaType: DOCKER_MANIFEST},
    indexes: [],
    platform: imagePlatform(config),
    config,
    configDigest,
    layers,
    attestations: [],
  }
}

/**
 * Only content-addressed paths (`blobs/sha256/<hex>`, Docker >= 25) are trusted to name a blob's digest:
 * Bazel-made archives name layers and configs `<hex>.tar` / `<hex>.json` with hashes of something else.
 */
function digestInName(path: string): string | undefined {
  const match = /(?:^|\/)blobs\/sha256\/([a-f0-9]{64})$/.exec(path)
  return match ? `sha256:${match[1]}` : undefined
}
