/**
 * `diff --format sarif`: each change is a result (level note) of one of four rules — a file added,
 * removed or modified, a config key changed — located at `image:///<path>` in B (A for removals).
 */
import {createHash} from 'node:crypto'

import type {DiffReport} from '../../diff/model.js'
import {SARIF_SCHEMA_URI} from '../sarif.js'
import {TOOL_NAME, packageInfo} from '../tool-info.js'
import {changeSummary, configLine} from './describe.js'

const RULES = [
  {id: 'diff-file-added', text: 'A path B has and A does not'},
  {id: 'diff-file-removed', text: 'A path A has and B does not'},
  {id: 'diff-file-modified', text: 'A path both have, with a different type, mode, owner, content, target, xattrs or mtime'},
  {id: 'diff-config-changed', text: 'A config key (entrypoint, cmd, env, labels, …) that differs'},
] as const

/** The same change is the same alert across runs: a hash of what it is about, never of its message. */
function stableId(parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex')
}

export function renderDiffSarif(report: DiffReport): string {
  const {version, homepage} = packageInfo()
  const index = (id: string) => RULES.findIndex((r) => r.id === id)
  const changes = report.layers ? report.layers.flatMap((l) => l.changes) : report.files
  const results = [
    ...changes.map((change) => {
      const ruleId = `diff-file-${change.kind}`
      return {
        ruleId,
        ruleIndex: index(ruleId),
        level: 'note',
        message: {text: changeSummary(change)},
        locations: [{physicalLocation: {artifactLocation: {uri: `image:///${encodeURI(change.path.replace(/^\//, ''))}`}}}],
        partialFingerprints: {'layerAuditDiff/v1': stableId(['diff', change.kind, change.path])},
      }
    }),
    ...report.config.map((change) => {
      const {key, detail} = configLine(change)
      return {
        ruleId: 'diff-config-changed',
        ruleIndex: index('diff-config-changed'),
        level: 'note',
        message: {text: `${key}: ${detail}`},
        locations: [{physicalLocation: {artifactLocation: {uri: `image:${encodeURI(report.b.reference)}`}}}],
        partialFingerprints: {'layerAuditDiff/v1': stableId(['diff', 'config', key])},
      }
    }),
  ]
  const sarif = {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {driver: {name: TOOL_NAME, version, informationUri: homepage, rules: RULES.map((r) => ({id: r.id, shortDescription: {text: r.text}, defaultConfiguration: {level: 'note'}}))}},
        automationDetails: {id: 'layer-audit/diff/'},
        results,
      },
    ],
  }
  return JSON.stringify(sarif, null, 2) + '\n'
}
