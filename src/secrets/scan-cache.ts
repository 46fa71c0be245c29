/**
 * How a layer's secret scan is kept in the layer cache. A layer's hits depend on its bytes and the
 * bytes read per file only, so maxFileBytes is the key; a stored result takes the layer index of the
 * image that loads it (the same layer sits at different positions in different images).
 */
import type {HookResultCache} from '../fs/hook-spec.js'
import type {ContentScanResult} from './hits.js'

export function scanCache<O>(maxFileBytes: number): HookResultCache<O, ContentScanResult> {
  return {
    key: `scan max-file-bytes=${maxFileBytes}`,
    encode: (result) => result,
    decode: (stored, layer) => {
      const {secrets, credentialFiles, stats} = stored as ContentScanResult
      const counts = stats !== null && typeof stats === 'object' && ['filesScanned', 'bytesScanned', 'binarySkipped', 'capped'].every((k) => typeof (stats as unknown as Record<string, unknown>)[k] === 'number')
      const hits = [...(Array.isArray(secrets) ? secrets : [null]), ...(Array.isArray(credentialFiles) ? credentialFiles : [null])]
      if (!counts || !hits.every((hit) => hit !== null && typeof hit === 'object' && typeof hit.path === 'string')) throw new Error('scan cache: not a stored scan')
      return {
        secrets: secrets.map((hit) => ({...hit, layer: layer.index})),
        credentialFiles: credentialFiles.map((hit) => ({...hit, layer: layer.index})),
        stats: {...stats},
      }
    },
  }
}
