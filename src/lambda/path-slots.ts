/**
 * Which position of a list holds each path: an open-addressing hash table of positions in one Int32Array
 * (two 4-byte slots a path). A zip names each path once almost always, but every name must be checked
 * for a later duplicate; a Map of a million paths held ~40 MB more, on top of the layout's own index,
 * at the moment the heap peaks.
 */
export class PathSlots {
  /** Position + 1 of the path's holder; 0 is an empty slot. */
  private readonly slots: Int32Array
  private readonly mask: number

  constructor(capacity: number) {
    let size = 16
    while (size < capacity * 2) size *= 2
    this.slots = new Int32Array(size)
    this.mask = size - 1
  }

  /**
   * Makes `position` the holder of `path` and returns the earlier holder's position, or -1. `pathAt` gives
   * the path held at a position (the table keeps no strings).
   */
  claim(path: string, position: number, pathAt: (position: number) => string): number {
    const {slots, mask} = this
    for (let at = hash(path) & mask; ; at = (at + 1) & mask) {
      const held = slots[at]!
      if (held === 0 || pathAt(held - 1) === path) {
        slots[at] = position + 1
        return held - 1
      }
    }
  }
}

/** FNV-1a over UTF-16 code units. */
function hash(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  return h >>> 0
}
