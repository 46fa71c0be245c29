import type {Image} from '../image/model.js'
import {formatPlatform} from '../image/platform.js'
import type {LayerContents} from '../fs/entry.js'
import type {ImageSummary} from './report.js'

/** The image facts every report starts with; sizes come from the pass that read the layers. */
export function summarizeImage(image: Image, layers: LayerContents[]): ImageSummary {
  return {
    reference: image.reference,
    source: image.source,
    ...(image.name ? {name: image.name} : {}),
    ...(image.manifest.digest ? {manifestDigest: image.manifest.digest} : {}),
    mediaType: image.manifest.mediaType,
    platform: formatPlatform(image.platform),
    ...(image.config.created ? {created: image.config.created} : {}),
    layers: image.layers.length,
    compressedSize: layers.reduce((sum, l) => sum + l.compressedSize, 0),
    uncompressedSize: layers.reduce((sum, l) => sum + l.uncompressedSize, 0),
  }
}
