/** History entries with empty_layer made no layer: the n-th non-empty entry belongs to layer n. */
import type {HistoryEntry} from './model.js'

export function alignHistory(history: HistoryEntry[] | undefined, layerCount: number): (HistoryEntry | undefined)[] {
  const layered = (history ?? []).filter((entry) => !entry.empty_layer)
  return Array.from({length: layerCount}, (_, i) => layered[i])
}
