import {Args, loadHelpClass} from '@oclif/core'

import {LayerAuditCommand} from '../cli/base-command.js'
import {UsageError} from '../errors.js'

/** `layer-audit help [COMMAND]`: what `COMMAND --help` prints (oclif's plugin-help, without the dependency). */
export default class Help extends LayerAuditCommand {
  static override summary = 'Show help for layer-audit or one of its commands (same as COMMAND --help).'
  static override args = {command: Args.string({required: false, description: 'The command to explain.'})}
  static override strict = false
  static override examples = ['<%= config.bin %> help compare']

  async run(): Promise<void> {
    const {argv} = await this.parse(Help)
    const words = argv as string[]
    const id = words.join(':')
    if (words.length > 0 && !this.config.findCommand(id) && !this.config.findTopic(id)) {
      throw new UsageError(`no command "${words.join(' ')}"; \`layer-audit help\` lists them`)
    }
    const HelpClass = await loadHelpClass(this.config)
    await new HelpClass(this.config, this.config.pjson.oclif.helpOptions ?? {}).showHelp(words)
  }
}
