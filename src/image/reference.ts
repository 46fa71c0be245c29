/**
 * What the user typed → which transport and where. skopeo-style prefixes pin the format
 * (`docker-archive:PATH[:REPO:TAG]`, `oci-archive:PATH[:REF]`, `oci:DIR[:REF]`, `docker://REF`); `-` is stdin;
 * anything else is detected by content (src/image/open.ts).
 */
import {stat} from 'node:fs/promises'

export type Transport = 'docker-archive' | 'oci-archive' | 'oci' | 'stdin' | 'registry' | 'auto'

export interface ParsedReference {
  transport: Transport
  /** The part after the prefix (still holding an optional `:REF`), or the whole input. */
  location: string
}

const PREFIXES: [string, Transport][] = [
  ['docker-archive:', 'docker-archive'],
  ['oci-archive:', 'oci-archive'],
  ['oci:', 'oci'],
  ['docker://', 'registry'],
]

export function parseReference(input: string): ParsedReference {
  if (input === '-') return {transport: 'stdin', location: '-'}
  for (const [prefix, transport] of PREFIXES) {
    if (input.startsWith(prefix)) return {transport, location: input.slice(prefix.length)}
  }
  return {transport: 'auto', location: input}
}

/**
 * `PATH[:REF]` → path and ref. Paths may hold colons, so the longest prefix that exists on disk is the
 * path; when nothing exists the whole string is the path (and opening it reports "no such file").
 */
export async function splitLocationRef(location: string): Promise<{path: string; ref?: string}> {
  if (await exists(location)) return {path: location}
  for (let colon = location.lastIndexOf(':'); colon > 0; colon = location.lastIndexOf(':', colon - 1)) {
    const path = location.slice(0, colon)
    if (await exists(path)) return {path, ref: location.slice(colon + 1)}
  }
  return {path: location}
}

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined)) !== undefined
}
