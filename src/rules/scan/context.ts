/** What every scan rule reads: the image, the one pass over its layers, and what the content scan found. */
import type {LayerContents} from '../../fs/entry.js'
import type {FileTree} from '../../fs/tree.js'
import type {Image} from '../../image/model.js'
import type {AttestationRead} from '../../secrets/attestations.js'
import type {ContentScanResult} from '../../secrets/hits.js'
import type {Finding, RuleMeta} from '../types.js'

export interface ScanContext {
  image: Image
  layers: LayerContents[]
  /** The final filesystem (flatten of every layer). */
  tree: FileTree
  content: ContentScanResult
  attestations: AttestationRead
}

export interface ScanRule {
  meta: RuleMeta
  check(context: ScanContext): Finding[]
}
