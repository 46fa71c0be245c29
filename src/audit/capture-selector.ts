/**
 * Which files of a layer a CapturePlan keeps facts of. The one place that decides it: the live capture
 * asks as each file streams past, and a cached layer's replay (capture-cache.ts) asks the same questions
 * over the stored entries, so a replay keeps exactly what a read would have.
 */
import type {LayerEntry} from '../fs/entry.js'
import type {CapturePlan} from './content-capture.js'

/** Bits of `CaptureSelector.select`: the file's CRC-32 (and sha256 if the plan says so), its first bytes. */
export const WANT_HASH = 1
export const WANT_HEAD = 2
export const DEFAULT_MAX_EXECUTABLE_HEADS = 256

export class CaptureSelector {
  /** headDirs and executablesUnder with their trailing slash: tested per file, so no string is built per file. */
  private readonly headDirPrefixes: string[]
  private readonly executablePrefix?: string
  private executableHeads = 0

  /** `counts.headsSkipped` is incremented for each executable past maxExecutableHeads. */
  constructor(
    private readonly plan: CapturePlan,
    private readonly counts: {headsSkipped: number},
  ) {
    this.headDirPrefixes = plan.headDirs.map(withSlash)
    if (plan.executablesUnder) this.executablePrefix = withSlash(plan.executablesUnder)
  }

  /** WANT_HASH | WANT_HEAD for a regular file, in stream order (executable heads are counted as they are granted). */
  select(entry: LayerEntry): number {
    return (this.wantsHash(entry) ? WANT_HASH : 0) | (this.wantsHead(entry) ? WANT_HEAD : 0)
  }

  private wantsHash(entry: LayerEntry): boolean {
    const {path} = entry
    const under = this.plan.hashUnder
    if (under !== undefined) {
      let inside = false
      for (let i = 0; i < under.length && !inside; i++) inside = path.startsWith(under[i])
      if (!inside) return false
    }
    return this.plan.hash.get(path) === entry.size
  }

  private wantsHead(entry: LayerEntry): boolean {
    const {path} = entry
    if (this.plan.heads.has(path)) return true
    for (const prefix of this.headDirPrefixes) {
      if (path.startsWith(prefix) && path.length > prefix.length && path.indexOf('/', prefix.length) === -1) return true
    }
    const under = this.executablePrefix
    if (under && (entry.mode & 0o111) !== 0 && path.startsWith(under)) {
      if (this.executableHeads < (this.plan.maxExecutableHeads ?? DEFAULT_MAX_EXECUTABLE_HEADS)) {
        this.executableHeads++
        return true
      }
      this.counts.headsSkipped++
    }
    return false
  }
}

export function withSlash(dir: string): string {
  return dir.endsWith('/') ? dir : dir + '/'
}
