/** What `inspect` shows about a zip function: the layout Lambda builds and the limits that push people to images. */
import type {ResolvedFunction} from '../lambda/resolve.js'
import type {FunctionSummary} from './report.js'

export interface FunctionInspectResult {
  function: FunctionSummary & {packageType?: string; resolvedImageUri?: string; environment?: string[]}
  zips: {index: number; role: string; source: string; mount: string; size: number; uncompressedSize: number; entries: number; compatibleArchitectures?: string[]}[]
  limits: {layers: number; maxLayers: number; unzippedSize: number; maxUnzippedSize: number; tooManyLayers: boolean; tooLarge: boolean}
  shadowed: {path: string; by: string; over: string[]}[]
  notes: string[]
}

export function inspectFunction(resolved: ResolvedFunction): FunctionInspectResult {
  const {layout, config, summary} = resolved
  return {
    function: {
      ...summary,
      ...(config?.packageType ? {packageType: config.packageType} : {}),
      ...(config?.code?.resolvedImageUri ? {resolvedImageUri: config.code.resolvedImageUri} : {}),
      // Names only: values of a function's environment are often secrets.
      ...(config ? {environment: Object.keys(config.environment ?? {})} : {}),
    },
    zips: layout.zips.map((z) => ({
      index: z.index,
      role: z.role,
      source: z.source,
      mount: z.mount,
      size: z.size,
      uncompressedSize: z.uncompressedSize,
      entries: z.entries,
      ...(z.compatibleArchitectures ? {compatibleArchitectures: z.compatibleArchitectures} : {}),
    })),
    limits: {...layout.limits},
    shadowed: layout.shadowed.map((s) => ({path: s.path, by: s.bySource, over: s.overSources})),
    notes: [...resolved.notes, ...layout.notes.map((n) => `${n.source}: ${n.name ? n.name + ': ' : ''}${n.message}`)],
  }
}
