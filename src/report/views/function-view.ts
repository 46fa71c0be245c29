import {Chalk} from 'chalk'
import Table from 'cli-table3'

import type {FunctionInspectResult} from '../../audit/inspect-function.js'
import {displayText as safe} from '../escape.js'
import {humanBytes} from './units.js'

export function renderFunctionInspect(result: FunctionInspectResult, options: {color: boolean}): string {
  const c = new Chalk({level: options.color ? 1 : 0})
  const f = result.function
  const lines: string[] = []
  // Names and settings come from zips and the Lambda API: escaped before any colour is added.
  const row = (label: string, value?: string) => {
    if (value) lines.push(`${c.bold(label.padEnd(14))} ${value}`)
  }
  row('Function', f.name && safe(f.name))
  row('Package type', f.packageType && safe(f.packageType))
  row('Runtime', f.runtime && safe(f.runtime))
  row('Handler', f.handler && safe(f.handler))
  row('Architectures', f.architectures?.join(', '))
  row('Image', f.resolvedImageUri && safe(f.resolvedImageUri))
  row('Environment', f.environment && safe(f.environment.join(', ')))
  const l = result.limits
  const over = (bad: boolean, text: string) => (bad ? c.red(`${text} (over Lambda's limit)`) : text)
  row('Layers', over(l.tooManyLayers, `${l.layers} of ${l.maxLayers}`))
  row('Unzipped', over(l.tooLarge, `${humanBytes(l.unzippedSize)} (${l.unzippedSize} of ${l.maxUnzippedSize} bytes)`))
  const table = new Table({
    head: ['#', 'zip', 'into', 'zip size', 'unzipped', 'entries', 'architectures'],
    style: {head: options.color ? ['cyan'] : [], border: options.color ? ['grey'] : []},
  })
  for (const z of result.zips) {
    table.push([String(z.index), safe(z.source), z.mount, humanBytes(z.size), humanBytes(z.uncompressedSize), String(z.entries), z.compatibleArchitectures?.join(', ') ?? ''])
  }
  let text = `${lines.join('\n')}\n\n${table.toString()}\n`
  if (result.shadowed.length) {
    text += `\n${result.shadowed.length} file(s) shadowed by a later zip:\n`
    text += result.shadowed.slice(0, 20).map((s) => safe(`  ${s.path}  (${s.by} over ${s.over.join(', ')})`)).join('\n') + '\n'
    if (result.shadowed.length > 20) text += `  … and ${result.shadowed.length - 20} more (--json lists all)\n`
  }
  if (result.notes.length) text += `\nNotes:\n${result.notes.map((n) => `  ${safe(n)}`).join('\n')}\n`
  return text
}
