import {Chalk} from 'chalk'
import Table from 'cli-table3'

import {commandsRunning} from '../../rules/registry.js'
import type {RuleMeta} from '../../rules/types.js'

export function renderRules(list: readonly RuleMeta[], options: {color: boolean}): string {
  const c = new Chalk({level: options.color ? 1 : 0})
  const paint = {error: c.red, warning: c.yellow, note: c.cyan}
  const table = new Table({
    head: ['rule', 'severity', 'commands', 'title'],
    style: {head: options.color ? ['cyan'] : [], border: options.color ? ['grey'] : []},
  })
  for (const r of list) table.push([r.id, paint[r.severity](r.severity), commandsRunning(r).join(', '), r.title])
  return `${table.toString()}\nEach rule's page: docs/rules/<rule>.md\n`
}
