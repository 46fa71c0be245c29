/**
 * What every compare rule reads: the flattened image, its layers, the layout the zip function had, the
 * function's settings and the facts captured while the image streamed. Plain data, computed once by
 * src/audit/compare.ts; rules never touch a stream.
 */
import type {LayerContents, FileNode} from '../../fs/entry.js'
import type {FileTree} from '../../fs/tree.js'
import type {Image} from '../../image/model.js'

/** What one pass over a file's bytes learned (only for files a rule asked about). */
export interface FileFacts {
  size: number
  crc32?: number
  sha256?: string
  /** The first bytes (up to the capture's head size), for sniffing ELF headers and #! lines. */
  head?: Buffer
}

/** The zip side: the /opt and /var/task Lambda would have unpacked (src/lambda's FunctionLayout, narrowed). */
export interface ExpectedSide {
  tree: FileTree
  /** Zip files or layer ARNs in the order Lambda applies them (layers first, code last); index = FileNode.layer. */
  sources: {index: number; source: string; role: 'layer' | 'code'; compatibleArchitectures?: string[]}[]
  limits?: {layers: number; maxLayers: number; unzippedSize: number; maxUnzippedSize: number}
  /** False for a zip entry stored without Unix attributes: its mode says nothing. Absent: all known. */
  modeKnown?(path: string): boolean
}

/** The zip function's settings that matter to the image (from GetFunction or a config file). */
export interface FunctionSettings {
  name?: string
  runtime?: string
  /** A zip function's Handler (the image CMD should name it). */
  handler?: string
  /**
   * What an image function runs in place of the image CMD (its ImageConfig.Command; `lint --handler`):
   * the handler is then its first word.
   */
  command?: string[]
  /** What an image function starts in place of the image ENTRYPOINT (its ImageConfig.EntryPoint). */
  entryPoint?: string[]
  /** Lambda names: x86_64 | arm64. */
  architectures?: string[]
  environment?: Record<string, string>
}

export type ImageKind = 'function' | 'layer'

export interface CompareContext {
  image: Image
  tree: FileTree
  layers: LayerContents[]
  kind: ImageKind
  /** Why the image is audited as that kind (detected or forced). */
  kindReason: string
  expected?: ExpectedSide
  function?: FunctionSettings
  /** The environment a process in the function sees: the image's ENV overlaid by the function's variables. */
  env: Record<string, string>
  /** Where each variable of `env` came from. */
  envOrigin: Record<string, 'image' | 'function'>
  /** Facts of the copy of a file that won the flatten (node.layer), or undefined when none were captured. */
  facts(node: FileNode): FileFacts | undefined
}
