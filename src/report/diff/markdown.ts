/**
 * `diff --format markdown`: a PR comment — verdict first, then layers, config and files as short tables.
 * References, keys, values, paths and history come from the images: rendered literally (markdown-text.ts).
 */
import type {DiffReport} from '../../diff/model.js'
import {cellCode, code, literal} from '../markdown-text.js'
import {humanBytes} from '../views/units.js'
import {CHANGE_CODE, configLine, createdBy, fileDetail, lambdaLine, layerPair, verdict} from './describe.js'

export function renderDiffMarkdown(report: DiffReport, options: {limit?: number} = {}): string {
  const s = report.summary
  const out: string[] = [`### layer-audit diff: ${verdict(report)}`, '']
  out.push(`- **A** ${code(report.a.reference)} (${report.a.platform}, ${report.a.layers} layers, ${humanBytes(report.a.uncompressedSize)})`)
  out.push(`- **B** ${code(report.b.reference)} (${report.b.platform}, ${report.b.layers} layers, ${humanBytes(report.b.uncompressedSize)})`)
  const diverge = s.firstDivergingLayer === undefined ? 'same layer stack' : `first difference at layer ${s.firstDivergingLayer}`
  out.push(`- **Layers**: ${s.layers.shared} shared, ${s.layers.onlyA} only in A, ${s.layers.onlyB} only in B; ${diverge}`)
  out.push(`- **Lambda**: ${literal(lambdaLine(report))}`, '')
  if (report.config.length) {
    out.push('| config | change |', '|---|---|')
    for (const change of report.config) {
      const {key, detail} = configLine(change)
      out.push(`| ${literal(key)} | ${literal(detail)} |`)
    }
    out.push('')
  }
  const changes = report.layers ? report.layers.flatMap((l) => l.changes) : report.files
  if (changes.length) {
    out.push(`**Files**: ${s.files.added} added, ${s.files.removed} removed, ${s.files.modified} modified`, '')
    out.push('| | path | change | layers |', '|---|---|---|---|')
    const limit = options.limit ?? 100
    for (const change of changes.slice(0, limit)) {
      const history = createdBy(change)
      out.push(`| ${CHANGE_CODE[change.kind]} | ${cellCode(change.path)} | ${literal(fileDetail(change))} | ${layerPair(change)}${history ? ` <br>${cellCode(history.slice(0, 60))}` : ''} |`)
    }
    if (changes.length > limit) out.push('', `… and ${changes.length - limit} more (see the JSON report).`)
    out.push('')
  }
  return out.join('\n')
}
