/**
 * The audit behind `layer-audit compare`: one streaming pass over the image (content capture and any
 * extra hooks, e.g. the scan rules, riding along), then every compare rule over plain data.
 */
import type {ContentHook, FileNode, LayerContents} from '../fs/entry.js'
import type {ContentHookSpec} from '../fs/hook-spec.js'
import {flatten} from '../fs/flatten.js'
import type {LayerCache} from '../fs/layer-cache.js'
import {readLayers} from '../fs/read-layers.js'
import type {FileTree} from '../fs/tree.js'
import type {Image} from '../image/model.js'
import type {FunctionConfig} from '../lambda/function-config.js'
import type {FunctionLayout} from '../lambda/layout.js'
import {compareRules} from '../rules/compare/all.js'
import type {CompareContext, ExpectedSide, FunctionSettings, ImageKind} from '../rules/compare/context.js'
import {WRAPPER_VARIABLE} from '../rules/compare/environment-paths.js'
import {EXTENSIONS_DIR, extensionsOf} from '../rules/compare/extensions.js'
import {notApplicableReason, type CompareRule} from '../rules/compare/rule.js'
import type {Finding, NotApplicable} from '../rules/types.js'
import {ContentCapture, hashRoots, type CapturePlan} from './content-capture.js'
import {detectImageKind, type KindOption} from './image-kind.js'

export interface CompareOptions {
  image: Image
  /** The layout the zip function had (src/lambda's buildFunctionLayout / resolveFunction). */
  expected?: FunctionLayout
  functionConfig?: FunctionConfig
  /** The function's settings when there is no FunctionConfig (what `lint` takes from its flags); functionConfig wins. */
  function?: FunctionSettings
  /** 'auto' (default) detects a layer image: no ENTRYPOINT/CMD and files only under /opt. */
  kind?: KindOption
  concurrency?: number
  /** More closure hooks for the same pass; they keep every layer on the main thread (see readLayers). */
  extraHooks?: ContentHook[]
  /** More hooks for the same pass as specs, which may run in layer workers (the secret scan's). */
  extraHookSpecs?: ContentHookSpec[]
  /** Also sha256 the files that are hashed (evidence only; CRC-32 is what zips carry). */
  sha256?: boolean
  /** Restrict to these rule ids (default: all compare rules). Rules left out are neither run nor listed as not applicable. */
  rules?: readonly string[]
  /** Layers already read (by this image or another sharing them, this run or an earlier one) come from here (readLayers' `cache`). */
  layerCache?: LayerCache
}

export interface CompareResult {
  findings: Finding[]
  /** The selected rules that did not run on this input, and why (in rule order). */
  notApplicable: NotApplicable[]
  tree: FileTree
  layers: LayerContents[]
  kind: ImageKind
  kindReason: string
  /** The context the rules saw, for callers that run more rules over the same data. */
  context: CompareContext
  stats: Record<string, number>
}

export async function compareImage(options: CompareOptions): Promise<CompareResult> {
  const {image} = options
  const expected = options.expected ? expectedSide(options.expected) : undefined
  const fn = options.functionConfig ? functionSettings(options.functionConfig) : options.function
  const {env, envOrigin} = effectiveEnvironment(image, fn)

  const capture = new ContentCapture(capturePlan(image, expected, env, options.sha256 === true))
  const layers = await readLayers(image, {
    hooks: options.extraHooks,
    hookSpecs: [capture.spec(), ...(options.extraHookSpecs ?? [])],
    concurrency: options.concurrency,
    cache: options.layerCache,
  })
  const tree = flatten(layers)
  const {kind, reason} = detectImageKind(image, tree, options.kind ?? 'auto')

  const context: CompareContext = {
    image,
    tree,
    layers,
    kind,
    kindReason: reason,
    expected,
    function: fn,
    env,
    envOrigin,
    facts: (node: FileNode) => {
      // A hardlink's bytes were streamed under its target's name, in the same layer.
      const path = node.type === 'hardlink' && node.linkTarget ? node.linkTarget : node.path
      return capture.get(node.layer, path)
    },
  }

  const selected = options.rules ? compareRules.filter((r) => options.rules!.includes(r.meta.id)) : compareRules
  const findings: Finding[] = []
  const notApplicable: NotApplicable[] = []
  for (const rule of selected) {
    const reason = notApplicableReason(rule, context)
    // A loop, not push(...): a rule over a million-entry zip can return more findings than a call takes arguments.
    if (reason === undefined) for (const finding of rule.check(context)) findings.push(finding)
    else notApplicable.push({rule: rule.meta.id, reason})
  }

  const stats: Record<string, number> = {
    layers: layers.length,
    imageEntries: tree.size,
    uncompressedBytes: layers.reduce((sum, l) => sum + l.uncompressedSize, 0),
    compressedBytes: layers.reduce((sum, l) => sum + l.compressedSize, 0),
    // Only a comparison has expected entries and hashes files.
    ...(expected ? {expectedEntries: countInScope(expected.tree, kind), hashedFiles: capture.stats.hashedFiles, hashedBytes: capture.stats.hashedBytes} : {}),
    headsCaptured: capture.stats.heads,
    headsSkipped: capture.stats.headsSkipped,
    extensions: extensionsOf(context).length,
    // Extensions whose first bytes were not captured: format, interpreter and architecture unchecked.
    extensionsNotInspected: extensionsOf(context).filter((e) => e.target && !e.format && e.target.node.type !== 'directory').length,
  }
  return {findings, notApplicable, tree, layers, kind, kindReason: reason, context, stats}
}

/** Runs one rule: its findings, or none when it does not apply (notApplicableReason says why). */
export function runRule(rule: CompareRule, ctx: CompareContext): Finding[] {
  return notApplicableReason(rule, ctx) === undefined ? rule.check(ctx) : []
}

/** What the capture must hash and sniff, decided before a byte streams. */
export function capturePlan(image: Image, expected: ExpectedSide | undefined, env: Record<string, string>, sha256: boolean): CapturePlan {
  const hash = new Map<string, number>()
  if (expected) for (const node of expected.tree.walk()) if (node.type === 'file') hash.set(node.path, node.size)
  const heads = new Set<string>()
  const config = image.config.config ?? {}
  const program = config.Entrypoint?.[0] ?? config.Cmd?.[0]
  if (program?.startsWith('/')) heads.add(program)
  const wrapper = env[WRAPPER_VARIABLE]
  if (wrapper?.startsWith('/')) heads.add(wrapper)
  // Symlinks are only known once every layer streamed, too late to ask for bytes; but the zip side says
  // where its extension and wrapper links point, and a faithful image has the same links.
  if (expected) {
    const links = expected.tree.children(EXTENSIONS_DIR).filter((n) => n.type === 'symlink').map((n) => n.path)
    if (wrapper?.startsWith('/')) links.push(wrapper)
    for (const link of links) {
      const target = expected.tree.resolve(link)
      if (target && target.node.type === 'file') heads.add(target.path)
    }
  }
  const hashUnder = hashRoots(hash.keys())
  return {hash, ...(hashUnder ? {hashUnder} : {}), heads, headDirs: [EXTENSIONS_DIR], executablesUnder: '/opt', maxExecutableHeads: 256, sha256}
}

/** What a process in the function sees: the image's ENV, then the function's variables over it. */
export function effectiveEnvironment(image: Image, fn: FunctionSettings | undefined): {env: Record<string, string>; envOrigin: Record<string, 'image' | 'function'>} {
  const env: Record<string, string> = {}
  const envOrigin: Record<string, 'image' | 'function'> = {}
  for (const pair of image.config.config?.Env ?? []) {
    const eq = pair.indexOf('=')
    const name = eq === -1 ? pair : pair.slice(0, eq)
    env[name] = eq === -1 ? '' : pair.slice(eq + 1)
    envOrigin[name] = 'image'
  }
  for (const [name, value] of Object.entries(fn?.environment ?? {})) {
    env[name] = value
    envOrigin[name] = 'function'
  }
  return {env, envOrigin}
}

export function expectedSide(layout: FunctionLayout): ExpectedSide {
  return {
    tree: layout.tree,
    sources: layout.zips.map((z) => ({
      index: z.index,
      source: z.source,
      role: z.role,
      ...(z.compatibleArchitectures ? {compatibleArchitectures: z.compatibleArchitectures} : {}),
    })),
    limits: {
      layers: layout.limits.layers,
      maxLayers: layout.limits.maxLayers,
      unzippedSize: layout.limits.unzippedSize,
      maxUnzippedSize: layout.limits.maxUnzippedSize,
    },
    modeKnown: (path) => layout.entryAt(path)?.entry.noUnixMode !== true,
  }
}

export function functionSettings(config: FunctionConfig): FunctionSettings {
  return {
    ...(config.name ? {name: config.name} : {}),
    ...(config.runtime ? {runtime: config.runtime} : {}),
    ...(config.handler ? {handler: config.handler} : {}),
    architectures: config.architectures.length ? config.architectures : ['x86_64'],
    environment: config.environment,
    // An image function runs its ImageConfig.Command in place of the image CMD.
    ...(config.imageConfig?.command?.length ? {command: config.imageConfig.command} : {}),
    // And its ImageConfig.EntryPoint in place of the image ENTRYPOINT.
    ...(config.imageConfig?.entryPoint?.length ? {entryPoint: config.imageConfig.entryPoint} : {}),
  }
}

function countInScope(tree: FileTree, kind: ImageKind): number {
  let n = 0
  for (const node of tree.walk(kind === 'layer' ? '/opt' : '/')) if (node.type !== 'directory') n++
  return n
}
