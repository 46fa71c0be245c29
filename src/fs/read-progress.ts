/**
 * readLayers' side of LayerProgressCallback (image/model.ts): each layer announced at 0 before any is
 * read, its count reported as the blob streams, and its end. A read passes 64 KiB to 1 MiB at a time, so
 * reporting is throttled: one clock read per chunk, one callback per layer every REPORT_INTERVAL_MS.
 */
import type {Image, LayerInfo, LayerProgressCallback} from '../image/model.js'

export const REPORT_INTERVAL_MS = 200

/** Bytes of one layer's blob read so far, reported to `report` now and then and once at the end. */
export class LayerMeter {
  private bytes = 0
  private reported = Date.now()

  constructor(
    private readonly report: LayerProgressCallback,
    private readonly layer: LayerInfo,
    private readonly image: string,
  ) {}

  add(bytes: number): void {
    this.bytes += bytes
    const now = Date.now()
    if (now - this.reported < REPORT_INTERVAL_MS) return
    this.reported = now
    this.report(this.layer.index, this.bytes, this.layer.size, this.image)
  }

  /** The layer is read: its count is its size. */
  done(): void {
    this.report(this.layer.index, this.bytes, this.layer.size ?? this.bytes, this.image)
  }
}

/** The meters of a readLayers call, every layer announced at 0 (a display knows the whole before the first byte). */
export function layerMeters(image: Image, report: LayerProgressCallback | undefined): Map<LayerInfo, LayerMeter> | undefined {
  if (!report) return undefined
  const meters = new Map<LayerInfo, LayerMeter>()
  for (const layer of image.layers) {
    report(layer.index, 0, layer.size, image.reference)
    meters.set(layer, new LayerMeter(report, layer, image.reference))
  }
  return meters
}
