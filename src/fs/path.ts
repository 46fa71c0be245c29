/**
 * Tar member names → absolute POSIX paths inside the image. Done once, at the edge (the layer walker);
 * everything downstream sees only cleaned paths.
 */

/**
 * Cleans a tar member name like Go's `path.Clean("/" + name)`: `./` prefixes, duplicate and trailing
 * slashes and `.` segments go; `..` is resolved, and a `..` that would climb above the root stays at the
 * root (`../../etc/x` → `/etc/x`), as containerd's applier confines entries to the rootfs. The root
 * itself (`.`, `./`, `/`, an empty name) comes back as `/` and callers skip it.
 */
export function cleanTarPath(name: string): string {
  // Fast path: the common "usr/lib/x" or "./usr/lib/x" with nothing to resolve.
  let start = 0
  while (name.startsWith('./', start)) start += 2
  const rest = start ? name.slice(start) : name
  if (rest !== '' && !needsCleaning(rest)) return '/' + rest

  const out: string[] = []
  for (const segment of name.split('/')) {
    if (segment === '' || segment === '.') continue
    if (segment === '..') out.pop()
    else out.push(segment)
  }
  return '/' + out.join('/')
}

/** Any POSIX path, cleaned the same way: "a/./b/../c" → "/a/c"; always absolute. */
export const cleanPath = cleanTarPath

/** True when a name has "//", a "." or ".." segment, a leading or a trailing slash. */
function needsCleaning(name: string): boolean {
  if (name.startsWith('/') || name.endsWith('/')) return true
  if (name.includes('//')) return true
  if (name === '.' || name === '..') return true
  if (name.startsWith('./') || name.startsWith('../')) return true
  if (name.endsWith('/.') || name.endsWith('/..')) return true
  return name.includes('/./') || name.includes('/../')
}

/** "/a/b/c" → "/a/b"; "/a" → "/". */
export function parentPath(path: string): string {
  const slash = path.lastIndexOf('/')
  return slash <= 0 ? '/' : path.slice(0, slash)
}

/** "/a/b/c" → "c". */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1)
}

/** "/a/b/c" → ["/a", "/a/b"]: every ancestor below the root, outermost first. */
export function ancestors(path: string): string[] {
  const out: string[] = []
  let slash = path.indexOf('/', 1)
  while (slash !== -1) {
    out.push(path.slice(0, slash))
    slash = path.indexOf('/', slash + 1)
  }
  return out
}
