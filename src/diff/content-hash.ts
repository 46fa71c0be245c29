/**
 * sha256 of every regular file while its layer streams (each image is read once, so the hash is taken
 * before anyone knows whether the other side's copy has the same size); layers may be left out by
 * diff_id. A hook spec, so it runs in layer workers too: one layer's result is its files'
 * digests, 32 bytes each in tar order, and `attach` files them under the entries they belong to.
 */
import {createHash, type Hash} from 'node:crypto'
import type {ContentSink, FileNode, LayerContents} from '../fs/entry.js'
import type {ContentHookSpec, LayerHook} from '../fs/hook-spec.js'
import type {LayerInfo} from '../image/model.js'

export const CONTENT_HASH_MODULE = import.meta.url

export interface ContentHashOptions {
  /** Layers whose files need no hash (shared with the other image). */
  skipDiffIds: string[]
}

/** One layer's digests: file k of the layer (in tar order) is bytes 32k…32k+31; empty when skipped. */
export interface ContentHashResult {
  layer: number
  digests: Uint8Array
}

export function createLayerHook(options: ContentHashOptions, layer: LayerInfo): LayerHook<ContentHashResult> {
  const skip = options.skipDiffIds.includes(layer.diffId)
  const digests: Buffer[] = []
  return {
    hook: () => {
      if (skip) return undefined
      const hash: Hash = createHash('sha256')
      const sink: ContentSink = {
        write: (chunk) => void hash.update(chunk),
        end: () => void digests.push(hash.digest()),
      }
      return sink
    },
    result: () => ({layer: layer.index, digests: Buffer.concat(digests)}),
  }
}

/** The digests of one image's pass, looked up by node once `attach` has run. */
export class ContentHashes {
  private readonly results = new Map<number, Uint8Array>()
  /** Node → layer index × 2^32 + its file number in that layer (a number, not an object, per file). */
  private readonly position = new Map<FileNode, number>()

  constructor(private readonly options: ContentHashOptions) {}

  spec(): ContentHookSpec<ContentHashOptions, ContentHashResult> {
    return {module: CONTENT_HASH_MODULE, factory: createLayerHook, options: this.options, onResult: (_layer, result) => this.results.set(result.layer, result.digests)}
  }

  /** Files each digest under its entry (the entry is the tree's node): call before the entries are released. */
  attach(layers: readonly LayerContents[]): void {
    for (const contents of layers) {
      const digests = this.results.get(contents.layer.index)
      if (!digests || digests.length === 0) continue
      let k = 0
      for (const entry of contents.entries) {
        if (entry.type !== 'file') continue
        if ((k + 1) * 32 > digests.length) break
        this.position.set(entry, contents.layer.index * 2 ** 32 + k++)
      }
    }
  }

  sha256(node: FileNode): string | undefined {
    const where = this.position.get(node)
    if (where === undefined) return undefined
    const at = (where % 2 ** 32) * 32
    return Buffer.from(this.results.get(Math.floor(where / 2 ** 32))!.subarray(at, at + 32)).toString('hex')
  }
}
