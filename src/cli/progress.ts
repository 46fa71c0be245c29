/**
 * Download progress for registry layers: one line per layer on stderr (bytes, total, rate), redrawn at
 * most every 100 ms, and only on a TTY without --json. Anywhere else it is silent.
 */
import {humanBytes} from '../report/views/units.js'

export type ProgressCallback = (layerIndex: number, bytes: number, total: number | undefined) => void

export class LayerProgress {
  private readonly layers = new Map<number, {bytes: number; total?: number; started: number}>()
  private drawnLines = 0
  private lastDraw = 0

  constructor(private readonly out: NodeJS.WriteStream = process.stderr) {}

  /** A callback for options.registry.onProgress, or undefined when progress must stay silent. */
  static forTerminal(json: boolean, out: NodeJS.WriteStream = process.stderr): LayerProgress | undefined {
    return out.isTTY && !json && !process.env.CI ? new LayerProgress(out) : undefined
  }

  readonly onProgress: ProgressCallback = (layerIndex, bytes, total) => {
    const now = Date.now()
    const layer = this.layers.get(layerIndex) ?? {bytes: 0, started: now}
    layer.bytes = bytes // cumulative: a resumed download continues from where it was cut
    layer.total = total
    this.layers.set(layerIndex, layer)
    if (now - this.lastDraw >= 100) this.draw(now)
  }

  /** Erases the bars so the report starts on a clean screen. */
  finish(): void {
    if (this.drawnLines) this.out.write(`\x1b[${this.drawnLines}A\x1b[J`)
    this.drawnLines = 0
  }

  private draw(now: number): void {
    this.lastDraw = now
    const lines = [...this.layers.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([index, l]) => {
        const seconds = Math.max(0.001, (now - l.started) / 1000)
        const share = l.total ? Math.min(1, l.bytes / l.total) : 0
        const bar = l.total ? '#'.repeat(Math.round(share * 20)).padEnd(20, '.') : '?'.repeat(20)
        return `layer ${String(index).padStart(2)} [${bar}] ${humanBytes(l.bytes)}${l.total ? ' / ' + humanBytes(l.total) : ''}  ${humanBytes(l.bytes / seconds)}/s`
      })
    const up = this.drawnLines ? `\x1b[${this.drawnLines}A` : ''
    this.out.write(`${up}${lines.map((l) => `\x1b[2K${l}`).join('\n')}\n`)
    this.drawnLines = lines.length
  }
}
