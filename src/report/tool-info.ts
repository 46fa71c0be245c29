/** Who made the report, for SARIF's tool.driver and rule links. Read from package.json once. */
import {readFileSync} from 'node:fs'

export const TOOL_NAME = 'layer-audit'
/** Used when package.json has no "homepage"; set "homepage" there to change every link. */
const FALLBACK_HOMEPAGE = 'https://github.com/layer-audit/layer-audit'

interface PackageInfo {
  version: string
  homepage: string
}

let cached: PackageInfo | undefined

/** src/report/ and dist/report/ both sit two levels below package.json. */
export function packageInfo(): PackageInfo {
  if (cached) return cached
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {version?: string; homepage?: string}
    cached = {version: pkg.version ?? '0.0.0', homepage: (pkg.homepage ?? FALLBACK_HOMEPAGE).replace(/#.*$/, '').replace(/\/+$/, '')}
  } catch {
    cached = {version: '0.0.0', homepage: FALLBACK_HOMEPAGE}
  }
  return cached
}

/** docs/rules/<id>.md under the project home page. */
export function ruleDocsUri(ruleId: string, homepage = packageInfo().homepage): string {
  return `${homepage.replace(/\/+$/, '')}/blob/main/docs/rules/${encodeURIComponent(ruleId)}.md`
}
