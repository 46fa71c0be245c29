/** `--tag K=V`, parsed once for the inventory. */
import {UsageError} from '../errors.js'

export function parseTags(values: readonly string[]): {key: string; value: string}[] {
  return values.map((text) => {
    const eq = text.indexOf('=')
    if (eq <= 0) throw new UsageError(`--tag ${JSON.stringify(text.slice(0, 60))}: expected KEY=VALUE`)
    return {key: text.slice(0, eq), value: text.slice(eq + 1)}
  })
}
