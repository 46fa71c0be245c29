/** Feeds bytes through the content scanner's hook the way readLayers does, in chosen chunk sizes. */
import type {LayerEntry} from '../../src/fs/entry.js'
import type {LayerInfo} from '../../src/image/model.js'
import type {ContentScanner} from '../../src/secrets/content-scanner.js'

export function layerInfo(index: number): LayerInfo {
  return {index, diffId: `sha256:${String(index).padStart(64, '0')}`, mediaType: 'application/vnd.oci.image.layer.v1.tar'}
}

export function fileEntry(path: string, size: number): LayerEntry {
  return {path, type: 'file', mode: 0o644, uid: 0, gid: 0, size, mtime: 0}
}

/** Streams `content` for `path` in `layer` through the scanner's hook, `chunk` bytes at a time. */
export function feed(scanner: ContentScanner, path: string, content: string | Buffer, options: {layer?: number; chunk?: number} = {}): void {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content
  const sink = scanner.hook(fileEntry(path, bytes.length), layerInfo(options.layer ?? 0))
  if (!sink) return
  const chunk = options.chunk ?? 256 * 1024
  for (let i = 0; i < bytes.length; i += chunk) sink.write(bytes.subarray(i, i + chunk))
  sink.end()
}
