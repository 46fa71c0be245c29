/** `WWW-Authenticate` challenges as the distribution token spec sends them. */
export interface Challenge {
  scheme: 'bearer' | 'basic'
  realm?: string
  service?: string
  scope?: string
}

/**
 * Parse the first Bearer or Basic challenge. Values may be quoted (with backslash escapes) or bare
 * tokens; parameters of several challenges in one header are split at a new `Scheme ` word.
 */
export function parseChallenge(header: string | string[] | undefined): Challenge | undefined {
  const text = Array.isArray(header) ? header.join(', ') : header
  if (!text) return undefined
  const re = /\s*([A-Za-z][\w-]*)(?:\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*)))?\s*,?/gy
  let current: Challenge | undefined
  const found: Challenge[] = []
  let match: RegExpExecArray | null
  while (re.lastIndex < text.length && (match = re.exec(text)) !== null) {
    const [, name, quoted, bare] = match
    if (quoted === undefined && bare === undefined) {
      // A scheme word starts a new challenge ("Bearer realm=..." → "Bearer" then realm).
      const scheme = name.toLowerCase()
      current = scheme === 'bearer' || scheme === 'basic' ? {scheme} : undefined
      if (current) found.push(current)
      // The first parameter may follow the scheme after a space only.
      continue
    }
    if (!current) continue
    const value = quoted !== undefined ? quoted.replace(/\\(.)/g, '$1') : bare
    const key = name.toLowerCase()
    if (key === 'realm' || key === 'service' || key === 'scope') current[key] = value
    if (match[0] === '') break
  }
  return found.find((c) => c.scheme === 'bearer') ?? found[0]
}
