/**
 * What became of a file a layer wrote: still in the final image, or hidden by a later layer (deleted by
 * a whiteout, or overwritten). Hidden is not gone: the bytes still ship in the lower layer's blob and
 * anyone who pulls the image can extract them.
 */
import type {LayerContents} from '../../fs/entry.js'
import type {FileTree} from '../../fs/tree.js'

export interface LayerFate {
  state: 'present' | 'deleted' | 'overwritten'
  /** The layer that deleted or overwrote it. */
  by?: number
}

export class LayerFates {
  private readonly byIndex = new Map<number, LayerContents>()
  private readonly entryTypes = new Map<number, Map<string, string>>()

  constructor(
    layers: LayerContents[],
    private readonly tree: FileTree,
  ) {
    for (const contents of layers) this.byIndex.set(contents.layer.index, contents)
  }

  of(path: string, layer: number): LayerFate {
    const node = this.tree.get(path)
    if (node && node.layer === layer) return {state: 'present'}
    const last = Math.max(...this.byIndex.keys())
    for (let next = layer + 1; next <= last; next++) {
      const contents = this.byIndex.get(next)
      if (!contents) continue
      const types = this.typesOf(next, contents)
      if (types.has(path)) return {state: 'overwritten', by: next}
      for (const ancestor of ancestors(path)) {
        const type = types.get(ancestor)
        if (type !== undefined && type !== 'directory') return {state: 'overwritten', by: next}
      }
      for (const whiteout of contents.whiteouts) {
        const hit = whiteout.kind === 'file' ? whiteout.path === path || path.startsWith(whiteout.path + '/') : path.startsWith(whiteout.path + '/')
        if (hit) return {state: 'deleted', by: next}
      }
    }
    return {state: node ? 'overwritten' : 'deleted', by: node?.layer}
  }

  private typesOf(index: number, contents: LayerContents): Map<string, string> {
    let types = this.entryTypes.get(index)
    if (!types) {
      types = new Map(contents.entries.map((entry) => [entry.path, entry.type]))
      this.entryTypes.set(index, types)
    }
    return types
  }
}

function ancestors(path: string): string[] {
  const out: string[] = []
  for (let i = path.lastIndexOf('/'); i > 0; i = path.lastIndexOf('/', i - 1)) out.push(path.slice(0, i))
  return out
}

/** "layer 2" or "still shipped in layer 2, deleted by layer 3". */
export function describeFate(layer: number, fate: LayerFate): string {
  if (fate.state === 'present') return `layer ${layer}`
  const verb = fate.state === 'deleted' ? 'deleted' : 'overwritten'
  return fate.by === undefined ? `still shipped in layer ${layer}, ${verb} later` : `still shipped in layer ${layer}, ${verb} by layer ${fate.by}`
}
