/** A file that holds credentials by its nature (~/.aws/credentials, ~/.docker/config.json, .npmrc, keys, …). */
import {fingerprint} from '../../secrets/redact.js'
import type {Finding, RuleMeta} from '../types.js'
import type {ScanContext} from './context.js'
import {describeFate, LayerFates} from './layer-fate.js'

export const meta: RuleMeta = {
  id: 'credentials-file',
  title: 'Credentials file in the image',
  severity: 'error',
  why: 'Tools write real credentials to these files (aws configure, docker login, npm login, git credential-store, ssh-keygen); shipped in any layer, even one a later layer deleted, they can be extracted from the image.',
  fix: 'Rotate the credentials; do not COPY home directories or credential files into an image: use a secret mount (RUN --mount=type=secret,id=aws,target=/root/.aws/credentials) so the file never lands in a layer.',
  scope: 'scan',
}

export function check(context: ScanContext): Finding[] {
  const fates = new LayerFates(context.layers, context.tree)
  return context.content.credentialFiles.map((hit) => {
    const fate = fates.of(hit.path, hit.layer)
    const onlyExamples = hit.values.every((v) => v.example)
    const fields = [...new Set(hit.values.map((v) => v.field))].join(', ')
    return {
      rule: meta.id,
      severity: onlyExamples ? 'note' : meta.severity,
      message: `${hit.title} ${hit.path} holds ${fields}${onlyExamples ? ' (documentation example key)' : ''} (${describeFate(hit.layer, fate)})`,
      path: hit.path,
      layer: hit.layer,
      evidence: {
        kind: hit.kind,
        values: hit.values.map((v) => ({field: v.field, redacted: v.redacted, fingerprint: v.fingerprint, ...(v.example ? {example: true} : {})})),
        fingerprint: fingerprint(hit.values.map((v) => v.fingerprint).join(',')),
        state: fate.state,
        ...(fate.by !== undefined ? {hiddenBy: fate.by} : {}),
      },
    } satisfies Finding
  })
}
