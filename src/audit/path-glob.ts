/**
 * The small glob used by `.layer-audit.json` ignores, matched against absolute image paths:
 *   `*`  any run of characters inside one path segment (never `/`)
 *   `?`  one character other than `/`
 *   `**` as a whole segment: zero or more segments, so `/opt/**` matches `/opt` and everything under it,
 *        and `/opt/**` + `/x.so` matches `/opt/x.so` and `/opt/a/b/x.so`
 * Everything else is literal (no braces, classes or negation), and a match covers the whole path.
 */
const cache = new Map<string, RegExp>()

function literal(segment: string): string {
  let source = ''
  for (const char of segment) {
    if (char === '*') source += '[^/]*'
    else if (char === '?') source += '[^/]'
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&')
  }
  return source
}

export function globToRegExp(glob: string): RegExp {
  const cached = cache.get(glob)
  if (cached) return cached
  // "a/**/**/b" means the same as "a/**/b".
  const segments = glob.split('/').filter((segment, i, all) => !(segment === '**' && all[i - 1] === '**'))
  const n = segments.length
  let source = ''
  segments.forEach((segment, i) => {
    if (segment === '**') {
      // A ** takes the slashes around it with it, so that it can also match zero segments.
      if (n === 1) source += '.*'
      else if (i === 0) source += '(?:.*/)?'
      else if (i === n - 1) source += '(?:/.*)?'
      else source += '/(?:.*/)?'
      return
    }
    if (i > 0 && segments[i - 1] !== '**') source += '/'
    source += literal(segment)
  })
  const regexp = new RegExp(`^${source}$`)
  cache.set(glob, regexp)
  return regexp
}

export function matchesGlob(path: string, glob: string): boolean {
  return globToRegExp(glob).test(path)
}
