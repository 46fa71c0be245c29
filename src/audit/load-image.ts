/** Open an image and make the one streaming pass everything else reads from. */
import {openImage} from '../image/open.js'
import type {Image, OpenOptions} from '../image/model.js'
import type {ContentHook, LayerContents} from '../fs/entry.js'
import {readLayers} from '../fs/read-layers.js'
import {flatten} from '../fs/flatten.js'
import type {FileTree} from '../fs/tree.js'

export interface LoadedImage {
  image: Image
  layers: LayerContents[]
  tree: FileTree
}

export interface LoadOptions extends OpenOptions {
  hooks?: ContentHook[]
  concurrency?: number
  /** Filesystem as of this layer index (tree --layer N). */
  upTo?: number
  /**
   * Only the merged tree is wanted: each layer's own entry list is let go once it is applied (an image of
   * a million files holds them twice otherwise). `layers` then keeps sizes and counts, no entries.
   */
  treeOnly?: boolean
}

/** Opens, reads every layer once (digests verified), flattens; always closes the image. */
export async function loadImage(input: string, options: LoadOptions = {}): Promise<LoadedImage> {
  const image = await openImage(input, options)
  try {
    const layers = await readLayers(image, {hooks: options.hooks, concurrency: options.concurrency})
    const tree = flatten(layers, {upTo: options.upTo, release: options.treeOnly})
    return {image, layers, tree}
  } finally {
    await image.close()
  }
}
