/**
 * Progress of the layer reads on stderr, one line redrawn in place — layers read, bytes of how many, rate,
 * time left: `reading layers 3/12 · 1.2 GB / 2.0 GB · 150 MB/s · 6 s left`. Only on a TTY, never with
 * --json or under CI, and only once the work has taken a moment (a small image shows nothing). Every
 * source reports through readLayers (image/model.ts LayerProgressCallback): local archives and layouts,
 * and registry downloads, which are read as they arrive. The line is erased before the report prints.
 */
import type {LayerProgressCallback} from '../image/model.js'
import {humanBytes} from '../report/views/units.js'

export type ProgressCallback = LayerProgressCallback

/** Nothing is drawn before the reads have taken this long: a quick run stays silent. */
const FIRST_DRAW_MS = 500
const REDRAW_MS = 200

export class LayerProgress {
  /** Per layer of each image ("image\0index"): bytes read so far, of total. */
  private readonly layers = new Map<string, {bytes: number; total?: number}>()
  private started?: number
  private lastDraw = 0
  private drawn = false
  private finished = false
  /**
   * What the layer reads are part of, shown first (fleet: "functions 37/205"). With it, no time left is
   * shown: the bytes still to come are only those of the images already opened.
   */
  context?: string

  constructor(
    private readonly out: NodeJS.WriteStream = process.stderr,
    /** What the line says is being done to the layers' bytes ("reading layers", "pushing blobs"). */
    private readonly doing = 'reading layers',
  ) {}

  /** The callback for OpenOptions.onProgress, or undefined when progress must stay silent. */
  static forTerminal(json: boolean, out: NodeJS.WriteStream = process.stderr, doing?: string): LayerProgress | undefined {
    return out.isTTY && !json && !process.env.CI ? new LayerProgress(out, doing) : undefined
  }

  readonly onProgress: ProgressCallback = (layerIndex, bytes, total, image = '') => {
    if (this.finished) return
    const now = Date.now()
    this.started ??= now
    const key = `${image}\0${layerIndex}`
    const layer = this.layers.get(key)
    // Counts only grow; a layer read again (diff hashes a few files twice) starts its count over.
    if (!layer || bytes === 0 || bytes >= layer.bytes) this.layers.set(key, {bytes, total})
    if (now - this.started >= FIRST_DRAW_MS && now - this.lastDraw >= REDRAW_MS) this.draw(now)
  }

  /** Erases the line so the report starts on a clean screen; later reports are ignored. */
  finish(): void {
    this.finished = true
    if (this.drawn) this.out.write('\r\x1b[2K')
    this.drawn = false
  }

  /** The line as it reads now, fitted to `columns` by leaving out its last parts. */
  line(now: number, columns: number): string {
    let bytes = 0
    let total = 0
    let totalKnown = true
    let done = 0
    for (const layer of this.layers.values()) {
      bytes += layer.bytes
      if (layer.total === undefined) totalKnown = false
      else total += layer.total
      if (layer.total !== undefined && layer.bytes >= layer.total) done++
    }
    const seconds = Math.max(0.001, (now - (this.started ?? now)) / 1000)
    const rate = bytes / seconds
    const parts = [
      ...(this.context ? [this.context] : []),
      `${this.doing} ${done}/${this.layers.size}`,
      totalKnown ? `${humanBytes(bytes)} / ${humanBytes(total)}` : humanBytes(bytes),
      `${humanBytes(Math.round(rate))}/s`,
      ...(!this.context && totalKnown && rate > 0 && total > bytes ? [`${duration((total - bytes) / rate)} left`] : []),
    ]
    // One column short of the width: a line that fills the last column makes some terminals wrap.
    while (parts.length > 1 && parts.join(' · ').length > columns - 1) parts.pop()
    return parts.join(' · ').slice(0, Math.max(0, columns - 1))
  }

  private draw(now: number): void {
    this.lastDraw = now
    this.out.write(`\r\x1b[2K${this.line(now, this.out.columns || 80)}`)
    this.drawn = true
  }
}

/** "6 s", "4 min 10 s", "1 h 2 min". */
function duration(seconds: number): string {
  const s = Math.ceil(seconds)
  if (s < 60) return `${s} s`
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`
}
