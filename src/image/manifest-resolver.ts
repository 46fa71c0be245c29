/**
 * From an index (index.json, a nested OCI index, a Docker manifest list) or a manifest descriptor down
 * to one image: ref and platform selection, attestations, manifest, config, layers. Shared by every
 * content-addressed source (OCI dir/archive, Docker >= 25 archives, and the registry source).
 */
import {ImageSourceError, UnsupportedMediaTypeError} from '../errors.js'
import {quoteInput, quoteList} from '../io/input-text.js'
import {type BlobStore, readVerifiedBlob} from './blob-store.js'
import {checkDigest} from './digest.js'
import {alignHistory} from './history.js'
import {checkDescriptorFields, checkImageConfig, checkManifestFields} from './document-shape.js'
import {expectObject, isObject, parseJsonDocument} from './json-document.js'
import {
  CONTAINERD_NAME,
  REF_NAME,
  REFERENCE_DIGEST,
  isImageConfigType,
  isIndexType,
  isLayerType,
  isManifestType,
  isSchema1,
} from './media-types.js'
import type {Descriptor, Image, ImageConfig, IndexLevel, LayerInfo, ManifestInfo, Platform} from './model.js'
import {choosePlatform, isAttestation, normalizePlatform, type PlatformCandidate} from './platform.js'
import {sameImageName} from './image-name.js'

/** Everything about an image except how to read its bytes; a source adds reference, source and I/O. */
export type ResolvedImage = Pick<
  Image,
  'manifest' | 'indexes' | 'platform' | 'config' | 'configDigest' | 'layers' | 'attestations' | 'name'
>

export interface ResolveContext {
  store: BlobStore
  /** Names the input in errors. */
  input: string
  cap: number
  platform?: Platform
  /** Ref to pick among the top index's entries (ref.name annotation or containerd image name). */
  ref?: string
}

const MAX_INDEX_DEPTH = 8

/** Resolves a top-level index document (index.json of a layout: no digest of its own). */
export async function resolveFromIndex(
  ctx: ResolveContext,
  index: unknown,
  top: {digest?: string; what: string},
): Promise<ResolvedImage> {
  const doc = checkIndexDocument(index, top.what, ctx.input)
  let entries = doc.manifests
  if (ctx.ref !== undefined) {
    const ref = ctx.ref
    entries = entries.filter((d) => refMatches(d, ref))
    if (entries.length === 0) {
      const refs = doc.manifests.map(refName).filter((r): r is string => r !== undefined)
      const listed = refs.length > 0 ? `refs: ${quoteList([...new Set(refs)])}` : 'it has no named refs'
      throw new ImageSourceError('NOT_FOUND', `no ref "${quoteInput(ref)}" in ${top.what} (${listed})`, {input: ctx.input})
    }
  }
  const level: IndexLevel = {...(top.digest ? {digest: top.digest} : {}), mediaType: doc.mediaType, manifests: doc.manifests}
  return chooseAndBuild(ctx, {...level, manifests: entries}, level)
}

/** Resolves what a descriptor points at: an index (choose a platform) or a manifest. */
export async function resolveFromDescriptor(ctx: ResolveContext, descriptor: Descriptor): Promise<ResolvedImage> {
  const bytes = await readVerifiedBlob(ctx.store, descriptor, ctx.cap, 'manifest', ctx.input)
  const doc = expectObject(parseJsonDocument(bytes, ctx.cap, `manifest ${descriptor.digest}`, ctx.input), 'manifest', ctx.input)
  const mediaType = documentMediaType(doc, descriptor.mediaType)
  if (isIndexType(mediaType)) {
    const index = checkIndexDocument(doc, `index ${descriptor.digest}`, ctx.input)
    const level: IndexLevel = {digest: descriptor.digest, mediaType: index.mediaType, manifests: index.manifests}
    return chooseAndBuild(ctx, level, level)
  }
  return buildFromManifest(ctx, descriptor, doc, [])
}

interface Found {
  candidate: PlatformCandidate
  levels: IndexLevel[]
  attestations: Descriptor[]
}

async function chooseAndBuild(ctx: ResolveContext, entries: IndexLevel, top: IndexLevel): Promise<ResolvedImage> {
  const found: Found[] = []
  const unsupported: string[] = []
  await collect(ctx, entries, [top], [], found, unsupported, new Set(), 0)
  if (found.length === 0 && unsupported.length > 0) throw new UnsupportedMediaTypeError(unsupported[0]!, {input: ctx.input})
  const chosen = choosePlatform(
    found.map((f) => f.candidate),
    ctx.platform,
    ctx.input,
  )
  const where = found.find((f) => f.candidate.descriptor.digest === chosen.descriptor.digest)!
  const bytes = await readVerifiedBlob(ctx.store, chosen.descriptor, ctx.cap, 'manifest', ctx.input)
  const doc = expectObject(parseJsonDocument(bytes, ctx.cap, `manifest ${chosen.descriptor.digest}`, ctx.input), 'manifest', ctx.input)
  const image = await buildFromManifest(ctx, chosen.descriptor, doc, where.levels)
  const attestations = where.attestations.filter((a) => a.annotations?.[REFERENCE_DIGEST] === chosen.descriptor.digest)
  const name = chosen.refs[0]
  return {...image, attestations, ...(name ? {name} : {})}
}

/** Walks an index (and nested indexes whose blobs are present) collecting image manifests. */
async function collect(
  ctx: ResolveContext,
  index: IndexLevel,
  levels: IndexLevel[],
  inheritedRefs: string[],
  found: Found[],
  unsupported: string[],
  visited: Set<string>,
  depth: number,
): Promise<void> {
  if (depth > MAX_INDEX_DEPTH) throw new ImageSourceError('CORRUPT', `indexes nested deeper than ${MAX_INDEX_DEPTH}`, {input: ctx.input})
  const attestations = index.manifests.filter(isAttestation)
  for (const descriptor of index.manifests) {
    if (isAttestation(descriptor)) continue
    const own = refDisplayName(descriptor)
    const refs = own ? [own] : inheritedRefs
    const present = await ctx.store.has(descriptor.digest)
    if (isIndexType(descriptor.mediaType)) {
      if (!present || visited.has(descriptor.digest)) {
        // A nested index we cannot open still shows up in messages (and errors if explicitly chosen).
        if (!present) found.push({candidate: {descriptor, present, refs}, levels, attestations})
        continue
      }
      visited.add(descriptor.digest)
      const bytes = await readVerifiedBlob(ctx.store, descriptor, ctx.cap, 'index', ctx.input)
      const doc = checkIndexDocument(parseJsonDocument(bytes, ctx.cap, `index ${descriptor.digest}`, ctx.input), `index ${descriptor.digest}`, ctx.input)
      const level: IndexLevel = {digest: descriptor.digest, mediaType: doc.mediaType, manifests: doc.manifests}
      await collect(ctx, level, [...levels, level], refs, found, unsupported, visited, depth + 1)
    } else if (isManifestType(descriptor.mediaType) || isSchema1(descriptor.mediaType)) {
      found.push({candidate: {descriptor, present, refs}, levels, attestations})
    } else {
      unsupported.push(descriptor.mediaType)
    }
  }
}

async function buildFromManifest(
  ctx: ResolveContext,
  descriptor: Descriptor,
  doc: Record<string, unknown>,
  levels: IndexLevel[],
): Promise<ResolvedImage> {
  const input = ctx.input
  const mediaType = documentMediaType(doc, descriptor.mediaType)
  if (doc.schemaVersion === 1 || isSchema1(mediaType)) {
    throw new UnsupportedMediaTypeError(`${quoteInput(mediaType ?? 'application/vnd.docker.distribution.manifest.v1+json')} (Docker schema 1)`, {input})
  }
  if (isIndexType(mediaType)) {
    throw new ImageSourceError('CORRUPT', `manifest ${descriptor.digest} is an index but its descriptor says ${quoteInput(descriptor.mediaType)}`, {input})
  }
  if (mediaType === undefined || !isManifestType(mediaType)) throw new UnsupportedMediaTypeError(quoteInput(mediaType ?? '(none)'), {input})
  checkManifestFields(doc, `manifest ${descriptor.digest}`, input)
  const configDescriptor = checkDescriptor(doc.config, 'manifest config', input)
  if (!isImageConfigType(configDescriptor.mediaType)) {
    throw new UnsupportedMediaTypeError(`${quoteInput(configDescriptor.mediaType)} (config of an artifact, not a container image)`, {input})
  }
  const configBytes = await readVerifiedBlob(ctx.store, configDescriptor, ctx.cap, 'config', input)
  const config = parseImageConfig(configBytes, ctx.cap, input)
  if (!Array.isArray(doc.layers)) throw new ImageSourceError('CORRUPT', 'manifest has no layers array', {input})
  const layerDescriptors = doc.layers.map((l, i) => checkDescriptor(l, `manifest layer ${i}`, input))
  for (const l of layerDescriptors) if (!isLayerType(l.mediaType)) throw new UnsupportedMediaTypeError(`${quoteInput(l.mediaType)} (layer)`, {input})
  const diffIds = config.rootfs?.diff_ids ?? []
  if (diffIds.length !== layerDescriptors.length) {
    throw new ImageSourceError(
      'CORRUPT',
      `manifest lists ${layerDescriptors.length} layers but the config has ${diffIds.length} diff_ids`,
      {input},
    )
  }
  const history = alignHistory(config.history, layerDescriptors.length)
  const layers: LayerInfo[] = []
  for (const [index, l] of layerDescriptors.entries()) {
    if (!(await ctx.store.has(l.digest))) {
      throw new ImageSourceError('NOT_FOUND', `layer ${index} blob ${l.digest} is missing`, {input})
    }
    layers.push({
      index,
      digest: l.digest,
      diffId: diffIds[index]!,
      mediaType: l.mediaType,
      size: l.size,
      ...(history[index] ? {history: history[index]} : {}),
      ...(l.annotations ? {annotations: l.annotations} : {}),
    })
  }
  const manifest: ManifestInfo = {
    digest: descriptor.digest,
    mediaType,
    ...(typeof descriptor.size === 'number' ? {size: descriptor.size} : {}),
    ...(isObject(doc.annotations) ? {annotations: doc.annotations as Record<string, string>} : {}),
  }
  return {
    manifest,
    indexes: levels,
    platform: imagePlatform(config, descriptor.platform ?? configDescriptor.platform),
    config,
    configDigest: configDescriptor.digest,
    layers,
    attestations: [],
  }
}

export function parseImageConfig(bytes: Buffer, cap: number, input: string): ImageConfig {
  const config = checkImageConfig(expectObject(parseJsonDocument(bytes, cap, 'config', input), 'config', input), input)
  const diffIds = config.rootfs?.diff_ids
  if (diffIds !== undefined && diffIds !== null && !Array.isArray(diffIds)) {
    throw new ImageSourceError('CORRUPT', 'config rootfs.diff_ids is not an array', {input})
  }
  for (const d of diffIds ?? []) checkDigest(d, 'config diff_id', input)
  if (config.history !== undefined && config.history !== null && !Array.isArray(config.history)) {
    throw new ImageSourceError('CORRUPT', 'config history is not an array', {input})
  }
  return config
}

/** The config is the truth; an index entry may add the variant the config leaves out (arm64 → v8). */
export function imagePlatform(config: ImageConfig, fallback?: Platform): Platform {
  if (config.os && config.architecture) {
    const platform = normalizePlatform({os: config.os, architecture: config.architecture, ...(config.variant ? {variant: config.variant} : {})})
    const extra = fallback ? normalizePlatform(fallback) : undefined
    if (!platform.variant && extra?.variant && extra.os === platform.os && extra.architecture === platform.architecture) {
      return {...platform, variant: extra.variant}
    }
    return platform
  }
  return fallback ? normalizePlatform(fallback) : {os: 'unknown', architecture: 'unknown'}
}

export function checkIndexDocument(value: unknown, what: string, input: string): {mediaType: string; manifests: Descriptor[]} {
  if (!isObject(value)) throw new ImageSourceError('CORRUPT', `${what} is not a JSON object`, {input})
  checkManifestFields(value, what, input)
  const mediaType = typeof value.mediaType === 'string' ? value.mediaType : 'application/vnd.oci.image.index.v1+json'
  if (value.manifests === undefined || value.manifests === null) {
    throw new ImageSourceError('NOT_FOUND', `${what} lists no manifests`, {input})
  }
  if (!Array.isArray(value.manifests)) throw new ImageSourceError('CORRUPT', `${what}: manifests is not an array`, {input})
  const manifests = value.manifests.map((d, i) => checkDescriptor(d, `${what} entry ${i}`, input))
  if (manifests.length === 0) throw new ImageSourceError('NOT_FOUND', `${what} lists no manifests`, {input})
  return {mediaType, manifests}
}

export function checkDescriptor(value: unknown, what: string, input: string): Descriptor {
  if (!isObject(value)) throw new ImageSourceError('CORRUPT', `${what} is not a descriptor`, {input})
  const digest = checkDigest(value.digest, what, input)
  if (typeof value.mediaType !== 'string') throw new ImageSourceError('CORRUPT', `${what} has no mediaType`, {input})
  if (value.size !== undefined && (typeof value.size !== 'number' || value.size < 0)) {
    throw new ImageSourceError('CORRUPT', `${what} has an invalid size`, {input})
  }
  checkDescriptorFields(value, what, input)
  return {...(value as unknown as Descriptor), digest}
}

function documentMediaType(doc: Record<string, unknown>, fallback: string | undefined): string | undefined {
  return typeof doc.mediaType === 'string' ? doc.mediaType : fallback
}

function refName(descriptor: Descriptor): string | undefined {
  return descriptor.annotations?.[REF_NAME]
}

function refDisplayName(descriptor: Descriptor): string | undefined {
  return descriptor.annotations?.[CONTAINERD_NAME] ?? refName(descriptor)
}

function refMatches(descriptor: Descriptor, ref: string): boolean {
  if (refName(descriptor) === ref) return true
  const full = descriptor.annotations?.[CONTAINERD_NAME]
  return full !== undefined && sameImageName(full, ref)
}
