/**
 * Column widths for a terminal table that must fit a width: columns of values (paths, rule ids) are never
 * wrapped; prose columns wrap at spaces, down to their longest word. When even that is too wide the answer
 * is "no table" and the caller lists the rows instead — a value is never cut to make a table fit.
 */
import {displayWidth, longestWord, wrapWords} from './text-wrap.js'

export interface Column {
  head: string
  cells: readonly string[]
  /** 'whole': shown as it is (a path, a rule id). 'words': prose, wrapped at spaces. */
  wrap: 'whole' | 'words'
  /**
   * A prose column's width when there is room: the column is set to it (a readable measure, and tables
   * of one report line up); without it, the column is as wide as its longest cell.
   */
  measure?: number
  /** The narrowest a prose column may get before a list reads better than the table. */
  min?: number
}

/** Borders and padding of a cli-table3 table: "│ a │ b │" is 3 columns per column plus one. */
export function tableOverhead(columns: number): number {
  return 3 * columns + 1
}

function widest(texts: readonly string[]): number {
  let width = 0
  for (const text of texts) for (const line of text.split('\n')) width = Math.max(width, displayWidth(line))
  return width
}

/**
 * Content width of each column (padding and borders not included), or undefined when the table cannot
 * fit `width` without cutting a value. Without a width, every column gets what it asks for.
 */
export function fitColumns(columns: readonly Column[], width?: number): number[] | undefined {
  const floors = columns.map((column) => {
    const head = displayWidth(column.head)
    if (column.wrap === 'whole') return Math.max(head, widest(column.cells))
    return Math.max(head, column.min ?? 0, ...column.cells.map(longestWord))
  })
  const widths = columns.map((column, i) =>
    column.wrap === 'whole' ? floors[i]! : Math.max(floors[i]!, column.measure ?? widest([column.head, ...column.cells])),
  )
  if (width === undefined) return widths
  const budget = width - tableOverhead(columns.length)
  let excess = widths.reduce((sum, w) => sum + w, 0) - budget
  // Narrow the widest prose column one column at a time: prose columns end up about as wide as each other.
  while (excess > 0) {
    let pick = -1
    for (let i = 0; i < columns.length; i++) {
      if (widths[i]! > floors[i]! && (pick < 0 || widths[i]! > widths[pick]!)) pick = i
    }
    if (pick < 0) return undefined
    widths[pick] = widths[pick]! - 1
    excess--
  }
  return widths
}

/** A prose cell wrapped to its column (a value longer than the column keeps a line of its own, whole). */
export function wrapCell(text: string, width: number): string {
  return wrapWords(text, width).join('\n')
}
