/** Hand-built trees, images and contexts for rule tests: plain data, no streams. */
import {crc32} from 'node:zlib'
import type {EntryType, FileNode, LayerContents, LayerEntry} from '../../src/fs/entry.js'
import {FileTree} from '../../src/fs/tree.js'
import type {Image, ImageConfig} from '../../src/image/model.js'
import type {CompareContext, ExpectedSide, FileFacts, FunctionSettings, ImageKind} from '../../src/rules/compare/context.js'
import {notApplicableReason, type CompareRule} from '../../src/rules/compare/rule.js'
import {runRule} from '../../src/audit/compare.js'
import type {Finding} from '../../src/rules/types.js'

export interface NodeSpec {
  type?: EntryType
  mode?: number
  size?: number
  linkTarget?: string
  layer?: number
  source?: string
  /** File content: sets size, crc32 (zip side) and the captured facts (image side). */
  content?: string | Buffer
  uid?: number
}

/** A tree from {path: spec}; parent directories are added (0755) as flatten and unzip would. */
export function buildTree(spec: Record<string, NodeSpec | string>, defaults: {layer?: number; source?: string} = {}): FileTree {
  const tree = new FileTree()
  for (const [path, raw] of Object.entries(spec)) {
    const s: NodeSpec = typeof raw === 'string' ? {content: raw} : raw
    const parts = path.split('/').filter(Boolean)
    for (let i = 1; i < parts.length; i++) {
      const dir = '/' + parts.slice(0, i).join('/')
      if (!tree.get(dir)) tree.set(node(dir, {type: 'directory'}, defaults))
    }
    tree.set(node(path, s, defaults))
  }
  return tree
}

function node(path: string, s: NodeSpec, defaults: {layer?: number; source?: string}): FileNode {
  const type = s.type ?? (s.linkTarget !== undefined ? 'symlink' : 'file')
  const content = s.content === undefined ? undefined : Buffer.from(s.content)
  const n: FileNode = {
    path,
    type,
    mode: s.mode ?? (type === 'directory' ? 0o755 : type === 'symlink' ? 0o777 : 0o644),
    uid: s.uid ?? 0,
    gid: 0,
    size: content?.length ?? s.size ?? 0,
    mtime: 0,
    layer: s.layer ?? defaults.layer ?? 0,
  }
  if (s.linkTarget !== undefined) n.linkTarget = s.linkTarget
  const source = s.source ?? defaults.source
  if (source) n.source = source
  if (content && type === 'file') n.crc32 = crc32(content) >>> 0
  return n
}

/** Facts as the capture would have them: CRC-32 and the first 4 KiB of every file with content. */
export function factsFrom(spec: Record<string, NodeSpec | string>): Map<string, FileFacts> {
  const facts = new Map<string, FileFacts>()
  for (const [path, raw] of Object.entries(spec)) {
    const s: NodeSpec = typeof raw === 'string' ? {content: raw} : raw
    if (s.content === undefined) continue
    const content = Buffer.from(s.content)
    facts.set(path, {size: content.length, crc32: crc32(content) >>> 0, head: content.subarray(0, 4096)})
  }
  return facts
}

export function makeImage(options: {config?: ImageConfig['config']; architecture?: string; os?: string; source?: Image['source']; indexes?: Image['indexes']; manifestDigest?: string} = {}): Image {
  const architecture = options.architecture ?? 'amd64'
  const os = options.os ?? 'linux'
  return {
    reference: 'test-image',
    source: options.source ?? 'oci-layout',
    manifest: {mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: options.manifestDigest ?? 'sha256:' + 'a'.repeat(64)},
    indexes: options.indexes ?? [],
    platform: {os, architecture},
    config: {architecture, os, config: options.config ?? {}},
    configDigest: 'sha256:' + 'c'.repeat(64),
    layers: [],
    attestations: [],
    openLayer: () => Promise.reject(new Error('not used')),
    readBlob: () => Promise.reject(new Error('not used')),
    close: () => Promise.resolve(),
  }
}

export function layerContents(index: number, entries: Partial<LayerEntry>[], extra: Partial<LayerContents> = {}): LayerContents {
  return {
    layer: {index, diffId: `sha256:${String(index).repeat(64).slice(0, 64)}`, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: `sha256:${'d'.repeat(63)}${index}`},
    entries: entries.map((e) => ({path: '/x', type: 'file', mode: 0o644, uid: 0, gid: 0, size: 0, mtime: 0, ...e})),
    whiteouts: [],
    compression: 'gzip',
    compressedSize: 100,
    uncompressedSize: 1000,
    ...extra,
  }
}

export interface ContextSpec {
  image?: Image
  files?: Record<string, NodeSpec | string>
  expected?: Record<string, NodeSpec | string>
  expectedSources?: ExpectedSide['sources']
  expectedLimits?: ExpectedSide['limits']
  modeUnknown?: string[]
  function?: FunctionSettings
  kind?: ImageKind
  layers?: LayerContents[]
  /** Override captured facts (e.g. to drop a head). */
  facts?: Map<string, FileFacts>
}

export function makeContext(spec: ContextSpec): CompareContext {
  const image = spec.image ?? makeImage()
  const files = spec.files ?? {}
  const tree = buildTree(files)
  const facts = spec.facts ?? factsFrom(files)
  const env: Record<string, string> = {}
  const envOrigin: Record<string, 'image' | 'function'> = {}
  for (const pair of image.config.config?.Env ?? []) {
    const [k, ...v] = pair.split('=')
    env[k] = v.join('=')
    envOrigin[k] = 'image'
  }
  for (const [k, v] of Object.entries(spec.function?.environment ?? {})) {
    env[k] = v
    envOrigin[k] = 'function'
  }
  let expected: ExpectedSide | undefined
  if (spec.expected) {
    const unknown = new Set(spec.modeUnknown ?? [])
    expected = {
      tree: buildTree(spec.expected, {source: 'layer.zip'}),
      sources: spec.expectedSources ?? [{index: 0, source: 'layer.zip', role: 'layer'}],
      limits: spec.expectedLimits,
      modeKnown: (path) => !unknown.has(path),
    }
  }
  return {
    image,
    tree,
    layers: spec.layers ?? [layerContents(0, [])],
    kind: spec.kind ?? 'function',
    kindReason: spec.kind === 'layer' ? 'a layer image: no ENTRYPOINT or CMD and files only under /opt' : 'the image has an ENTRYPOINT or CMD',
    expected,
    function: spec.function,
    env,
    envOrigin,
    facts: (n) => facts.get(n.type === 'hardlink' && n.linkTarget ? n.linkTarget : n.path),
  }
}

export function run(rule: CompareRule, spec: ContextSpec): Finding[] {
  return runRule(rule, makeContext(spec))
}

/** Why the rule does not apply to this context (it then reports nothing), or undefined when it runs. */
export function notApplicable(rule: CompareRule, spec: ContextSpec): string | undefined {
  return notApplicableReason(rule, makeContext(spec))
}

/** A minimal ELF header (+ one PT_INTERP program header when interp is given). */
export function elf(options: {machine: number; bits?: 32 | 64; interp?: string; bigEndian?: boolean}): Buffer {
  const bits = options.bits ?? 64
  const le = !options.bigEndian
  const ehsize = bits === 64 ? 64 : 52
  const phentsize = bits === 64 ? 56 : 32
  const interp = options.interp ? Buffer.from(options.interp + '\0') : undefined
  const buf = Buffer.alloc(ehsize + phentsize + (interp?.length ?? 0) + 64)
  buf.set([0x7f, 0x45, 0x4c, 0x46, bits === 64 ? 2 : 1, le ? 1 : 2, 1], 0)
  const w16 = (v: number, at: number) => (le ? buf.writeUInt16LE(v, at) : buf.writeUInt16BE(v, at))
  const w32 = (v: number, at: number) => (le ? buf.writeUInt32LE(v, at) : buf.writeUInt32BE(v, at))
  const w64 = (v: number, at: number) => (le ? buf.writeBigUInt64LE(BigInt(v), at) : buf.writeBigUInt64BE(BigInt(v), at))
  w16(interp ? 3 : 2, 16)
  w16(options.machine, 18)
  const phnum = interp ? 1 : 0
  if (bits === 64) {
    w64(ehsize, 32)
    w16(phentsize, 54)
    w16(phnum, 56)
  } else {
    w32(ehsize, 28)
    w16(phentsize, 42)
    w16(phnum, 44)
  }
  if (interp) {
    const at = ehsize
    const offset = ehsize + phentsize
    w32(3, at)
    if (bits === 64) {
      w64(offset, at + 8)
      w64(interp.length, at + 32)
    } else {
      w32(offset, at + 4)
      w32(interp.length, at + 16)
    }
    buf.set(interp, offset)
  }
  return buf
}

export const EM_X86_64 = 62
export const EM_AARCH64 = 183
