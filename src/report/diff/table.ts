/** `diff` on a terminal: the two images, layers, config, files, the Lambda view, and the verdict last. */
import {Chalk} from 'chalk'

import type {DiffReport, FileChange} from '../../diff/model.js'
import {displayText} from '../escape.js'
import {cutAtWord, displayWidth, hangingWrap} from '../text-wrap.js'
import {humanBytes} from '../views/units.js'
import {CHANGE_CODE, configLine, createdBy, fileDetail, lambdaLine, layerPair, verdict} from './describe.js'

export interface DiffTableOptions {
  color?: boolean
  /** Columns to fit (default 80): lines wrap at spaces; paths, digests and link targets are never cut. */
  width?: number
  /** File changes listed before "… and N more" (default 200; --verbose: all). */
  limit?: number
  /** Every value whole: history lines and config values wrap instead of ending in "…". */
  verbose?: boolean
}

/** Narrower than this the layout stops making sense; a terminal that narrow gets lines that wrap. */
const MIN_WIDTH = 40

export function renderDiffTable(report: DiffReport, options: DiffTableOptions = {}): string {
  const c = new Chalk({level: options.color ? 1 : 0})
  const width = Math.max(MIN_WIDTH, options.width ?? 80)
  /** A one-line summary: whole with --verbose (wrapped under `indent`), else its words that fit, then "…". */
  const summary = (indent: string, text: string) => (options.verbose ? hangingWrap(indent, text, width) : [indent + cutAtWord(text, width - indent.length)])
  /** Prose wrapped under its label ("Layers  2 shared, …"). */
  const labelled = (label: string, text: string) => {
    const wrapped = hangingWrap(`${label}  `, text, width)
    return [`${c.bold(label)}${wrapped[0]!.slice(label.length)}`, ...wrapped.slice(1)]
  }
  const lines: string[] = []
  // The reference is never cut: its details go to the next line when both do not fit.
  const image = (label: string, s: DiffReport['a']) => {
    const reference = displayText(s.reference)
    const details = `${s.platform}, ${s.layers} layer${s.layers === 1 ? '' : 's'}, ${humanBytes(s.uncompressedSize)}`
    if (label.length + displayWidth(reference) + details.length + 4 <= width) return [`${c.bold(label)}  ${reference}  ${c.dim(details)}`]
    return [`${c.bold(label)}  ${reference}`, `   ${c.dim(details)}`]
  }
  lines.push(...image('A', report.a), ...image('B', report.b), '')

  const m = report.manifest
  const s = report.summary
  const diverge = s.firstDivergingLayer === undefined ? 'same layer stack' : `first difference at layer ${s.firstDivergingLayer}`
  lines.push(...labelled('Layers', `${s.layers.shared} shared, ${s.layers.onlyA} only in A, ${s.layers.onlyB} only in B; ${diverge}`))
  if (m.mediaType.a !== m.mediaType.b) lines.push(...hangingWrap('  ', `media type ${displayText(m.mediaType.a)} → ${displayText(m.mediaType.b)}`, width))
  if (m.recompressed.length) lines.push(...hangingWrap('  ', `same content, recompressed: layer${m.recompressed.length === 1 ? '' : 's'} ${m.recompressed.join(', ')}`, width))
  if (m.firstDivergingHistory !== undefined) lines.push(`  histories differ from entry ${m.firstDivergingHistory}`)

  lines.push('', `${c.bold('Config')}  ${report.config.length === 0 ? 'no changes' : `${report.config.length} change${report.config.length === 1 ? '' : 's'}`}`)
  for (const change of report.config) {
    const {key, detail} = configLine(change)
    lines.push(...summary(`  ${key.padEnd(14)} `, detail))
  }

  const f = s.files
  const bytes = s.bytesAdded || s.bytesRemoved ? ` (+${humanBytes(s.bytesAdded)}, −${humanBytes(s.bytesRemoved)})` : ''
  lines.push('', ...labelled('Files', `${f.added} added, ${f.removed} removed, ${f.modified} modified${bytes}`))
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
    lines.push(...fileLines(change, width, c, summary))
  }

  lines.push('', ...labelled('Lambda', lambdaLine(report)), '')
  const line = verdict(report)
  lines.push(report.summary.same ? c.green(line) : c.yellow(line))
  return lines.join('\n') + '\n'
}

/** The change on one line (its details on the next where the path is long), its history line below. */
function fileLines(change: FileChange, width: number, c: InstanceType<typeof Chalk>, summary: (indent: string, text: string) => string[]): string[] {
  const code = CHANGE_CODE[change.kind]
  const colour = change.kind === 'added' ? c.green : change.kind === 'removed' ? c.red : c.yellow
  const path = displayText(change.path) + ((change.a ?? change.b)?.type === 'directory' && change.kind !== 'modified' ? '/' : '')
  const detail = fileDetail(change)
  const layers = layerPair(change)
  const out = [`  ${colour(code)} ${path}`]
  if (displayWidth(path) + displayWidth(detail) + layers.length + 8 <= width) out[0] += `  ${detail}  ${c.dim(layers)}`
  else {
    // A link target in the detail is a value: wrapped at spaces, never cut.
    const wrapped = hangingWrap('      ', `${detail}  ${layers}`, width)
    const last = wrapped.length - 1
    if (wrapped[last]!.endsWith(layers)) wrapped[last] = wrapped[last]!.slice(0, -layers.length) + c.dim(layers)
    out.push(...wrapped)
  }
  const history = createdBy(change)
  if (history) out.push(...summary('      ', history).map((line) => c.dim(line)))
  return out
}
