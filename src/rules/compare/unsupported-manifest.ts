import type {LayerContents, LayerEntry} from '../../fs/entry.js'
import type {Finding, RuleMeta} from '../types.js'
import type {CompareContext} from './context.js'
import {finding, type CompareRule} from './rule.js'

export const meta: RuleMeta = {
  id: 'unsupported-manifest',
  title: 'Lambda will reject the image before running it',
  severity: 'error',
  why: 'Lambda accepts one single-platform image manifest with compressed layers in which every file\'s parent directory exists. An image index (multi-platform, or a single platform plus the provenance/SBOM attestations buildx adds by default) fails with "The image manifest, config or layer media type for the source image is not supported"; an uncompressed layer with UnsupportedImageLayerDetected; a file whose parent directory is missing with MissingParentDirectory.',
  fix: 'Build with `docker buildx build --platform linux/amd64 --provenance=false --sbom=false` (or point the function at the platform manifest\'s digest); push with a tool that compresses layers (docker push, skopeo copy); make layer tars list every parent directory before its files.',
  scope: 'compare',
}

export function check(ctx: CompareContext): Finding[] {
  return [...indexFindings(ctx), ...uncompressedLayerFindings(ctx), ...missingParentFindings(ctx)]
}

/** Only indexes with a digest are pushed: the top index.json of an OCI layout (no digest) is the directory, not the image. */
function indexFindings(ctx: CompareContext): Finding[] {
  const pushed = ctx.image.indexes.filter((level) => level.digest !== undefined)
  if (pushed.length === 0) return []
  const top = pushed[0]
  const attestations = top.manifests.filter((d) => d.annotations?.['vnd.docker.reference.type'] !== undefined || d.platform?.os === 'unknown')
  const platforms = top.manifests.filter((d) => !attestations.includes(d)).map((d) => (d.platform ? [d.platform.os, d.platform.architecture, d.platform.variant].filter(Boolean).join('/') : 'unknown'))
  const parts = [`${platforms.length} platform${platforms.length === 1 ? '' : 's'} (${platforms.join(', ')})`]
  if (attestations.length > 0) parts.push(`${attestations.length} attestation manifest${attestations.length === 1 ? '' : 's'}`)
  const hint =
    attestations.length > 0 && platforms.length === 1
      ? ': buildx added provenance/SBOM attestations; rebuild with --provenance=false --sbom=false'
      : `: give Lambda the ${ctx.image.platform.architecture} manifest's digest (${ctx.image.manifest.digest ?? 'see `layer-audit inspect`'}) or push a single-platform image`
  return [
    finding(meta, {
      message: `the reference resolves to an image index (${top.mediaType}) holding ${parts.join(' and ')}; Lambda accepts only a single image manifest${hint}`,
      expected: {mediaType: 'a single image manifest'},
      actual: {mediaType: top.mediaType, digest: top.digest, platforms, attestations: attestations.length},
    }),
  ]
}

/**
 * A `docker save` archive's layer.tar files are plain tars, but `docker load` + `docker push` compresses
 * them, so they are not flagged. A registry image is what Lambda pulls: error. An OCI layout/archive is
 * pushed as is by crane, oras or rules_oci's oci_push (skopeo and docker compress): warning.
 */
function uncompressedLayerFindings(ctx: CompareContext): Finding[] {
  const source = ctx.image.source
  if (source === 'docker-archive') return []
  const plain = ctx.layers.filter((l) => l.compression === 'none')
  if (plain.length === 0) return []
  const pushedAsIs = source === 'registry'
  return plain.map((l) =>
    finding(meta, {
      severity: pushedAsIs ? 'error' : 'warning',
      layer: l.layer.index,
      message:
        `layer ${l.layer.index} (${l.layer.digest ?? l.layer.diffId}) is an uncompressed tar (${l.layer.mediaType})` +
        (pushedAsIs ? '; Lambda rejects uncompressed layers (UnsupportedImageLayerDetected)' : '; if this layout is pushed as is (crane, oras, oci_push), Lambda rejects the layer — docker push and skopeo copy compress it'),
      actual: {mediaType: l.layer.mediaType, compression: 'none', size: l.compressedSize},
    }),
  )
}

/**
 * Lambda's MissingParentDirectory: each entry's parent must already exist, either earlier in the same
 * layer's tar stream or in a layer below. Directories listed after their children count as missing
 * (nix2container hit exactly that).
 */
function missingParentFindings(ctx: CompareContext): Finding[] {
  // A first pass remembers only what can hold children (not regular files: ~90% of entries, and the Set
  // of every path was most of this rule's time). It can only see more missing parents than the exact
  // pass, never fewer, so when it sees none there are none; otherwise the exact pass tells.
  if (!missingParents(ctx.layers, (entry) => entry.type !== 'file', () => true)) return []
  const findings: Finding[] = []
  missingParents(ctx.layers, () => true, (contents, missing, present) => {
    // Listed later in the same layer, or not at all: only worth telling apart when something is missing.
    for (const [parent, m] of missing) findings.push(parentFinding(contents, parent, {...m, later: present.has(parent)}))
    return false
  })
  return findings
}

type MissingParents = Map<string, {first: string; count: number}>

/**
 * Walks the layers' entries in stream order, keeping the paths `remember` accepts as present; calls
 * `found` with each layer that has entries whose parent is not present, and stops when it returns true.
 * Returns whether it stopped.
 */
function missingParents(
  layers: readonly LayerContents[],
  remember: (entry: LayerEntry) => boolean,
  found: (contents: LayerContents, missing: MissingParents, present: ReadonlySet<string>) => boolean,
): boolean {
  // Paths that exist so far: everything below, then this layer's entries as its tar stream goes.
  const present = new Set<string>()
  for (const contents of layers) {
    // A layer's whiteouts act on the layers below it, before its own entries.
    for (const w of contents.whiteouts) if (w.kind === 'file') present.delete(w.path)
    let missing: MissingParents | undefined
    // Entries come grouped by directory: a parent once found stays found for the rest of this layer, so
    // the next entry under it needs no new string or hash lookup.
    let parentFound = '/'
    for (const entry of contents.entries) {
      const slash = entry.path.lastIndexOf('/')
      if (!(slash === parentFound.length && entry.path.startsWith(parentFound))) {
        const parent = slash <= 0 ? '/' : entry.path.slice(0, slash)
        if (parent === '/' || present.has(parent)) parentFound = parent
        else {
          missing ??= new Map()
          const m = missing.get(parent)
          if (m) m.count++
          else missing.set(parent, {first: entry.path, count: 1})
        }
      }
      if (remember(entry)) present.add(entry.path)
    }
    if (missing && found(contents, missing, present)) return true
  }
  return false
}

function parentFinding(contents: LayerContents, parent: string, m: {first: string; count: number; later: boolean}): Finding {
  const others = m.count > 1 ? ` and ${m.count - 1} more entr${m.count === 2 ? 'y' : 'ies'}` : ''
  return finding(meta, {
    path: m.first,
    layer: contents.layer.index,
    message:
      `layer ${contents.layer.index}: ${m.first}${others} ${m.later ? `come before their parent directory ${parent} in the tar stream` : `have no parent directory ${parent} in the layer or below it`} (Lambda: MissingParentDirectory)`,
    expected: {parent},
    actual: {entries: m.count, parentListedLater: m.later},
  })
}

export const rule: CompareRule = {meta, check}
