/**
 * BuildKit attestations: an index lists, beside each image manifest, an "attestation manifest" whose
 * layers are in-toto statements (SLSA provenance, SPDX SBOM). Provenance in mode=max records the build
 * args (v0.2: predicate.invocation.parameters.args["build-arg:NAME"]; v1:
 * predicate.buildDefinition.externalParameters.request.args) and the LLB definition with each RUN's
 * environment, so a credential passed as a build arg lands here even in a clean multi-stage image.
 */
import {checkDepth} from '../image/document-shape.js'
import type {Descriptor, Image} from '../image/model.js'

export interface AttestationDocument {
  /** Digest of the attestation manifest. */
  manifest: string
  /** Digest of the layer (the in-toto statement). */
  layer: string
  predicateType?: string
  statement: unknown
}

export interface AttestationRead {
  documents: AttestationDocument[]
  /** Attestation manifests or layers that could not be read (missing blob, not JSON); counted, not fatal. */
  unreadable: number
}

/** Reads every attestation statement of the image; never rejects (a missing blob is counted). */
export async function readAttestations(image: Image): Promise<AttestationRead> {
  const read: AttestationRead = {documents: [], unreadable: 0}
  for (const descriptor of image.attestations) {
    let manifest: {layers?: Descriptor[]}
    try {
      manifest = JSON.parse((await image.readBlob(descriptor)).toString('utf8')) as {layers?: Descriptor[]}
      checkDepth(manifest, 'attestation manifest', image.reference)
      if (!Array.isArray(manifest.layers ?? [])) throw new Error('layers is not an array')
    } catch {
      read.unreadable++
      continue
    }
    for (const layer of manifest.layers ?? []) {
      if (typeof layer?.mediaType !== 'string' || !/json/i.test(layer.mediaType)) continue
      try {
        if (typeof layer !== 'object' || layer === null || typeof layer.digest !== 'string') throw new Error('not a descriptor')
        const statement = JSON.parse((await image.readBlob(layer)).toString('utf8')) as {predicateType?: string}
        checkDepth(statement, 'attestation', image.reference)
        read.documents.push({
          manifest: descriptor.digest,
          layer: layer.digest,
          predicateType: stringOrUndefined(statement?.predicateType) ?? stringOrUndefined(layer.annotations?.['in-toto.io/predicate-type']),
          statement,
        })
      } catch {
        read.unreadable++
      }
    }
  }
  return read
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}

export interface JsonString {
  /** JSONPath-like location ("$.predicate.invocation.parameters.args['build-arg:TOKEN']"). */
  path: string
  /** The property name holding the string, when it is an object property. */
  key?: string
  value: string
}

/** Every string value in a JSON document with its location (iterative: deep documents cannot overflow the stack). */
export function* jsonStrings(root: unknown): Generator<JsonString> {
  const stack: {value: unknown; path: string; key?: string}[] = [{value: root, path: '$'}]
  while (stack.length > 0) {
    const {value, path, key} = stack.pop()!
    if (typeof value === 'string') yield {path, key, value}
    else if (Array.isArray(value)) for (let i = value.length - 1; i >= 0; i--) stack.push({value: value[i], path: `${path}[${i}]`})
    else if (value && typeof value === 'object') {
      const entries = Object.entries(value as Record<string, unknown>)
      for (let i = entries.length - 1; i >= 0; i--) {
        const [k, v] = entries[i]
        stack.push({value: v, path: /^[A-Za-z_$][\w$]*$/.test(k) ? `${path}.${k}` : `${path}['${k.replace(/'/g, "\\'")}']`, key: k})
      }
    }
  }
}

/** A build arg as recorded by provenance: from a `build-arg:NAME` key, or a `NAME=value` env entry of a RUN. */
export interface RecordedArg {
  name: string
  value: string
  path: string
  from: 'build-arg' | 'env'
}

export function recordedArgs(statement: unknown): RecordedArg[] {
  const out: RecordedArg[] = []
  for (const s of jsonStrings(statement)) {
    if (s.key?.startsWith('build-arg:')) out.push({name: s.key.slice('build-arg:'.length), value: s.value, path: s.path, from: 'build-arg'})
    else if (/\.env\[\d+\]$/.test(s.path)) {
      const eq = s.value.indexOf('=')
      if (eq > 0) out.push({name: s.value.slice(0, eq), value: s.value.slice(eq + 1), path: s.path, from: 'env'})
    }
  }
  return out
}
