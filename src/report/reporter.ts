/** One interface for every output format: a pure function from the Report to text. */
import type {FailOn} from '../audit/gate.js'
import type {Report} from '../audit/report.js'
import type {RuleMeta} from '../rules/types.js'

export const REPORT_FORMATS = ['table', 'json', 'sarif', 'junit', 'markdown'] as const
export type ReportFormat = (typeof REPORT_FORMATS)[number]

export interface RenderOptions {
  /** Rule metadata for titles, fixes, SARIF rules and JUnit suites (default: the registry's rules for the command). */
  rules?: readonly RuleMeta[]
  /** The gate threshold: decides the verdict and which findings are JUnit failures (default 'error'). */
  failOn?: FailOn
  /** table: ANSI colour. The caller decides (TTY, NO_COLOR, --color/--no-color); default off. */
  color?: boolean
  /** table, markdown: list every finding instead of the first `limit` per group. */
  verbose?: boolean
  /** table: only the verdict and the findings listed (the report's `findings`, already cut to the failing ones). */
  quiet?: boolean
  /**
   * table: columns to fit (the terminal's; the CLI passes it, the library never reads process.stdout).
   * Prose and cells wrap at spaces; a path, digest or ARN is never cut. Default: no limit (a pipe, a file).
   */
  width?: number
  /** table, markdown: rows per group before "… and N more" (default 10 for table, 50 for markdown). */
  limit?: number
  /** sarif: tool version (default: package.json's). */
  toolVersion?: string
  /**
   * sarif, markdown: project home page; rule docs are linked under it (default: package.json's homepage).
   * '' means there is none: no link is made (see tool-info.ts).
   */
  informationUri?: string
  /** asff (fleet): CreatedAt/UpdatedAt, ISO 8601 (default: now). Given, the output is reproducible. */
  generatedAt?: string
}

export interface Reporter {
  readonly format: ReportFormat
  render(report: Report, options?: RenderOptions): string
}
