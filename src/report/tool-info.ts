/** Who made the report, for SARIF's tool.driver and rule links. Read from package.json once. */
import {readFileSync} from 'node:fs'

export const TOOL_NAME = 'layer-audit'

interface PackageInfo {
  version: string
  /**
   * package.json's "homepage" (no fragment, no trailing slash), or undefined when it has none: then reports
   * link nowhere and name the rule's docs by their path in the package (a link is never made up).
   */
  homepage?: string
}

let cached: PackageInfo | undefined

/** src/report/ and dist/report/ both sit two levels below package.json. */
export function packageInfo(): PackageInfo {
  if (cached) return cached
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {version?: string; homepage?: string}
    const homepage = pkg.homepage?.replace(/#.*$/, '').replace(/\/+$/, '')
    cached = {version: pkg.version ?? '0.0.0', ...(homepage ? {homepage} : {})}
  } catch {
    cached = {version: '0.0.0'}
  }
  return cached
}

/** The rule's page in the package: docs/rules/<id>.md. */
export function ruleDocsPath(ruleId: string): string {
  return `docs/rules/${ruleId}.md`
}

/** docs/rules/<id>.md under the project home page; undefined without one (an empty string is none). */
export function ruleDocsUri(ruleId: string, homepage = packageInfo().homepage): string | undefined {
  if (!homepage) return undefined
  return `${homepage.replace(/\/+$/, '')}/blob/main/docs/rules/${encodeURIComponent(ruleId)}.md`
}
