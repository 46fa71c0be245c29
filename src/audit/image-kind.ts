/**
 * Function image or layer image? A Lambda layer's container-image version (FROM scratch, files only under
 * /opt, no ENTRYPOINT or CMD) is only ever copied into function images, so checks that need a runnable
 * image (interpreters, handler, entrypoint) do not apply to it.
 */
import type {FileTree} from '../fs/tree.js'
import type {Image} from '../image/model.js'
import type {ImageKind} from '../rules/compare/context.js'

export type KindOption = ImageKind | 'auto'

export function detectImageKind(image: Image, tree: FileTree, option: KindOption = 'auto'): {kind: ImageKind; reason: string} {
  if (option !== 'auto') return {kind: option, reason: `audited as a ${option} image: --kind ${option}`}
  const config = image.config.config ?? {}
  if (config.Entrypoint?.length || config.Cmd?.length) return {kind: 'function', reason: 'the image has an ENTRYPOINT or CMD'}
  for (const node of tree.walk()) {
    if (node.type === 'directory') continue
    if (node.path !== '/opt' && !node.path.startsWith('/opt/')) {
      return {kind: 'function', reason: `the image has files outside /opt (e.g. ${node.path})`}
    }
  }
  return {kind: 'layer', reason: 'a layer image: no ENTRYPOINT or CMD and files only under /opt'}
}
