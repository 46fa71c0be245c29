/** The result of an audit: what `--json` prints and what every reporter in src/report renders. */
import type {AuditCommand, Finding, NotApplicable, Summary} from '../rules/types.js'

export interface ImageSummary {
  reference: string
  source: string
  name?: string
  manifestDigest?: string
  mediaType: string
  /** os/arch[/variant] */
  platform: string
  created?: string
  layers: number
  /** Sum of blob sizes as stored. */
  compressedSize: number
  /** Sum of uncompressed layer tar sizes (Lambda's 10 GiB limit counts this). */
  uncompressedSize: number
}

export interface FunctionSummary {
  name?: string
  runtime?: string
  handler?: string
  architectures?: string[]
  layers: {source: string; size?: number; compatibleArchitectures?: string[]}[]
  codeSource?: string
}

export interface Report {
  /** The report format's version (docs/report.schema.json); bumped when a field changes meaning or goes. */
  schemaVersion?: number
  command: AuditCommand
  /** The configuration file the audit used (found by walking up from the working directory, or LAYER_AUDIT_CONFIG / --config). */
  config?: string
  /** What the user must know about the audit itself, not the image: e.g. an ignore that has expired. */
  warnings?: string[]
  image: ImageSummary
  /** compare: the zip function; lint: the settings the image was checked with (--architecture, --handler, …). */
  function?: FunctionSummary
  findings: Finding[]
  /** Findings left out of `findings` by --severity or --quiet (the summary still counts them). */
  notShown?: {count: number; reason: string}
  /**
   * Rules of the command that did not run on this input, and why. Not findings: never counted, never gated.
   * Always set by runCompare, runLint and runScan; optional for reports made by hand or read back.
   */
  notApplicable?: NotApplicable[]
  summary: Summary
  /** Counters worth showing (files compared, files skipped by the scan's size cap, …). */
  stats?: Record<string, number>
}
