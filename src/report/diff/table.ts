/** `diff` on a terminal: the two images, layers, config, files, the Lambda view, and the verdict last. */
import {Chalk} from 'chalk'

import type {DiffReport, FileChange} from '../../diff/model.js'
import {displayText} from '../escape.js'
import {humanBytes} from '../views/units.js'
import {CHANGE_CODE, configLine, createdBy, fileDetail, lambdaLine, layerPair, verdict} from './describe.js'

export interface DiffTableOptions {
  color?: boolean
  /** Columns to fit (default 80). */
  width?: number
  /** File changes listed before "… and N more" (default 200; --verbose: all). */
  limit?: number
}

export function renderDiffTable(report: DiffReport, options: DiffTableOptions = {}): string {
  const c = new Chalk({level: options.color ? 1 : 0})
  const width = Math.max(60, options.width ?? 80)
  const lines: string[] = []
  // The reference is never cut: its details go to the next line when both do not fit.
  const image = (label: string, s: DiffReport['a']) => {
    const reference = displayText(s.reference)
    const details = `${s.platform}, ${s.layers} layer${s.layers === 1 ? '' : 's'}, ${humanBytes(s.uncompressedSize)}`
    if (label.length + reference.length + details.length + 4 <= width) return [`${c.bold(label)}  ${reference}  ${c.dim(details)}`]
    return [`${c.bold(label)}  ${reference}`, `   ${c.dim(details)}`]
  }
  lines.push(...image('A', report.a), ...image('B', report.b), '')

  const m = report.manifest
  const s = report.summary
  const diverge = s.firstDivergingLayer === undefined ? 'same layer stack' : `first difference at layer ${s.firstDivergingLayer}`
  lines.push(`${c.bold('Layers')}  ${s.layers.shared} shared, ${s.layers.onlyA} only in A, ${s.layers.onlyB} only in B; ${diverge}`)
  if (m.mediaType.a !== m.mediaType.b) lines.push(`  media type ${displayText(m.mediaType.a)} → ${displayText(m.mediaType.b)}`)
  if (m.recompressed.length) lines.push(`  same content, recompressed: layer${m.recompressed.length === 1 ? '' : 's'} ${m.recompressed.join(', ')}`)
  if (m.firstDivergingHistory !== undefined) lines.push(`  histories differ from entry ${m.firstDivergingHistory}`)

  lines.push('', `${c.bold('Config')}  ${report.config.length === 0 ? 'no changes' : `${report.config.length} change${report.config.length === 1 ? '' : 's'}`}`)
  for (const change of report.config) {
    const {key, detail} = configLine(change)
    lines.push(fit(`  ${key.padEnd(14)} ${detail}`, width))
  }

  const f = s.files
  const bytes = s.bytesAdded || s.bytesRemoved ? ` (+${humanBytes(s.bytesAdded)}, −${humanBytes(s.bytesRemoved)})` : ''
  lines.push('', `${c.bold('Files')}  ${f.added} added, ${f.removed} removed, ${f.modified} modified${bytes}`)
  const changes = report.layers ? report.layers.flatMap((l) => l.changes.map((change) => ({change, layer: l.index}))) : report.files.map((change) => ({change, layer: undefined}))
  const limit = options.limit ?? 200
  let lastLayer: number | undefined
  for (const [i, {change, layer}] of changes.entries()) {
    if (i >= limit) {
      lines.push(c.dim(`  … and ${changes.length - limit} more (--verbose or --format json lists them all)`))
      break
    }
    if (layer !== undefined && layer !== lastLayer) lines.push(c.dim(`  layer ${layer}`))
    lastLayer = layer
    lines.push(...fileLines(change, width, c))
  }

  lines.push('', `${c.bold('Lambda')}  ${lambdaLine(report)}`, '')
  const line = verdict(report)
  lines.push(report.summary.same ? c.green(line) : c.yellow(line))
  return lines.join('\n') + '\n'
}

/** The change on one line (wrapped only where the path alone is long), its history line below. */
function fileLines(change: FileChange, width: number, c: InstanceType<typeof Chalk>): string[] {
  const code = CHANGE_CODE[change.kind]
  const colour = change.kind === 'added' ? c.green : change.kind === 'removed' ? c.red : c.yellow
  const path = displayText(change.path) + ((change.a ?? change.b)?.type === 'directory' && change.kind !== 'modified' ? '/' : '')
  const detail = fileDetail(change)
  const layers = layerPair(change)
  const shown = `${detail}  ${c.dim(layers)}`
  const out = [`  ${colour(code)} ${path}`]
  if (path.length + detail.length + layers.length + 8 <= width) out[0] += `  ${shown}`
  else out.push(`      ${shown}`)
  const history = createdBy(change)
  if (history) out.push(c.dim(fit(`      ${history}`, width)))
  return out
}

/** Cuts a line of prose to the width ("…"); never used on digests or paths. */
function fit(text: string, width: number): string {
  return text.length <= width ? text : text.slice(0, width - 1) + '…'
}
