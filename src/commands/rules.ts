import {Flags} from '@oclif/core'

import {LayerAuditCommand} from '../cli/base-command.js'
import {ownRulesOf, rules} from '../rules/registry.js'
import type {RuleMeta} from '../rules/types.js'
import {renderRules} from '../report/views/rules-view.js'

export default class Rules extends LayerAuditCommand {
  static override summary = 'List the rules compare, lint, scan and fleet check, with their ids and default severities.'
  static override examples = ['<%= config.bin %> rules', '<%= config.bin %> rules --scope lint', '<%= config.bin %> rules --scope scan --json']
  static override enableJsonFlag = true
  static override flags = {
    scope: Flags.option({
      options: ['compare', 'lint', 'scan', 'fleet'] as const,
      summary: 'Only the rules this command runs on its own (compare and lint also run the scan rules; fleet runs every rule).',
    })(),
    color: Flags.boolean({allowNo: true, summary: 'Colour the output (default: on a TTY unless NO_COLOR is set).'}),
  }

  async run(): Promise<{rules: RuleMeta[]}> {
    const {flags} = await this.parse(Rules)
    const list = flags.scope === 'fleet' ? rules.filter((rule) => rule.scope === 'fleet') : flags.scope ? ownRulesOf(flags.scope) : [...rules]
    if (!this.jsonEnabled()) process.stdout.write(renderRules(list, {color: this.useColor(flags.color)}))
    return {rules: list}
  }
}
