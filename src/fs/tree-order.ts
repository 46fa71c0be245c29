/**
 * The order FileTree.walk yields paths in — depth first, children by name — as a comparison of two
 * paths, so two walks can be merged like two sorted lists. It is string order with "/" below every other
 * character: "/a/c" (inside /a) comes before "/a-b", which plain string order puts first.
 */
const SLASH = 0x2f

export function compareTreeOrder(a: string, b: string): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x === y) continue
    if (x === SLASH) return -1
    if (y === SLASH) return 1
    return x - y
  }
  return a.length - b.length
}

/** True when `path` is `dir` or lies under it. */
export function isAtOrUnder(path: string, dir: string): boolean {
  if (dir === '/') return true
  return path === dir || (path.startsWith(dir) && path.charCodeAt(dir.length) === SLASH)
}
