/** A DiffReport in each format `diff` offers. */
import type {DiffReport} from '../../diff/model.js'
import {renderDiffJunit} from './junit.js'
import {renderDiffMarkdown} from './markdown.js'
import {renderDiffSarif} from './sarif.js'
import {renderDiffTable} from './table.js'

export const DIFF_FORMATS = ['table', 'json', 'markdown', 'sarif', 'junit'] as const
export type DiffFormat = (typeof DIFF_FORMATS)[number]

export function renderDiff(report: DiffReport, format: DiffFormat, options: {color?: boolean; width?: number; verbose?: boolean} = {}): string {
  switch (format) {
    case 'table':
      return renderDiffTable(report, {color: options.color, width: options.width, ...(options.verbose ? {verbose: true, limit: Number.POSITIVE_INFINITY} : {})})
    case 'markdown':
      return renderDiffMarkdown(report)
    case 'sarif':
      return renderDiffSarif(report)
    case 'junit':
      return renderDiffJunit(report)
    case 'json':
      return JSON.stringify(report, null, 2) + '\n'
  }
}
