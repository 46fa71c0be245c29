/**
 * Where layer-image writes: `oci:DIR[:TAG]`, `oci-archive:FILE[:TAG]`, `docker-archive:FILE[:REPO:TAG]`.
 * Checked before any zip is read, so a bad form or an unwritable place is a usage error first.
 */
import {constants} from 'node:fs'
import {access, lstat, readdir, stat} from 'node:fs/promises'
import {dirname, resolve} from 'node:path'

import {UsageError} from '../errors.js'
import {isRegistryReference, parseReference, type RegistryReference} from '../image/sources/registry/reference.js'

export type OutputKind = 'oci' | 'oci-archive' | 'docker-archive'

export interface OutputTarget {
  kind: OutputKind
  /** Absolute path of the directory (oci) or file (archives). */
  path: string
  /** oci / oci-archive: the ref name annotation. docker-archive: "REPO:TAG" for RepoTags. */
  tag?: string
}

/** A registry to push to: `docker://HOST/REPO:TAG` or a bare `HOST/REPO:TAG`, read as the registry source reads references. */
export interface RegistryTarget {
  kind: 'registry'
  reference: RegistryReference
}

const FORMS = 'oci:DIR[:TAG], oci-archive:FILE[:TAG], docker-archive:FILE[:REPO:TAG] or [docker://]HOST/REPO:TAG'

export function parseOutputTarget(value: string): OutputTarget | RegistryTarget {
  const colon = value.indexOf(':')
  const kind = value.slice(0, colon)
  if (colon <= 0 || (kind !== 'oci' && kind !== 'oci-archive' && kind !== 'docker-archive')) {
    // Bare, only with a registry host first (a dot, a port or localhost): a mistyped path must not become a Docker Hub push.
    const first = value.split('/')[0]
    const namesHost = value.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')
    if ((value.startsWith('docker://') || namesHost) && isRegistryReference(value)) {
      const reference = parseReference(value)
      if (reference.digest) throw new UsageError(`--output ${JSON.stringify(value)}: push to a tag (HOST/REPO:TAG), not a digest`)
      return {kind: 'registry', reference}
    }
    throw new UsageError(`--output ${JSON.stringify(value)}: expected ${FORMS}`)
  }
  const rest = value.slice(colon + 1)
  let path = rest
  let tag: string | undefined
  if (kind === 'docker-archive') {
    // FILE:REPO:TAG: the last two colon-separated parts, when there are at least three.
    const parts = rest.split(':')
    if (parts.length >= 3) {
      path = parts.slice(0, -2).join(':')
      tag = parts.slice(-2).join(':')
      if (!/^[a-z0-9]+(?:[._/-][a-z0-9]+)*(?::?[0-9]+)?$/.test(parts.at(-2)!) || !/^[\w][\w.-]{0,127}$/.test(parts.at(-1)!)) {
        throw new UsageError(`--output ${JSON.stringify(value)}: ${JSON.stringify(tag)} is not a REPO:TAG`)
      }
    } else if (parts.length === 2) {
      throw new UsageError(`--output ${JSON.stringify(value)}: docker-archive takes FILE or FILE:REPO:TAG`)
    }
  } else {
    const last = rest.lastIndexOf(':')
    if (last >= 0) {
      path = rest.slice(0, last)
      tag = rest.slice(last + 1)
      if (!/^[\w][\w.-]{0,127}$/.test(tag)) throw new UsageError(`--output ${JSON.stringify(value)}: ${JSON.stringify(tag)} is not a tag`)
    }
  }
  if (path === '') throw new UsageError(`--output ${JSON.stringify(value)}: no path: expected ${FORMS}`)
  return {kind, path: resolve(path), ...(tag ? {tag} : {})}
}

/**
 * The output must be creatable: its parent a writable directory; an oci DIR absent or empty; an archive
 * FILE absent or a regular file (replaced at the end, never half-written).
 */
export async function checkOutputTarget(target: OutputTarget, given: string): Promise<void> {
  const parent = dirname(target.path)
  const parentInfo = await stat(parent).catch(() => undefined)
  if (!parentInfo?.isDirectory()) throw new UsageError(`--output ${given}: no directory ${parent}`)
  try {
    await access(parent, constants.W_OK)
  } catch {
    throw new UsageError(`--output ${given}: ${parent} is not writable`)
  }
  const existing = await lstat(target.path).catch(() => undefined)
  if (!existing) return
  if (target.kind === 'oci') {
    if (!existing.isDirectory()) throw new UsageError(`--output ${given}: ${target.path} exists and is not a directory`)
    if ((await readdir(target.path)).length > 0) throw new UsageError(`--output ${given}: ${target.path} is not empty (layer-image writes a new OCI layout)`)
  } else if (!existing.isFile()) {
    throw new UsageError(`--output ${given}: ${target.path} exists and is not a regular file`)
  }
}
