/** The result of an audit: what `--json` prints and what every reporter in src/report renders. */
import type {Finding, Summary} from '../rules/types.js'

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
  command: 'compare' | 'scan'
  image: ImageSummary
  function?: FunctionSummary
  findings: Finding[]
  summary: Summary
  /** Counters worth showing (files compared, files skipped by the scan's size cap, …). */
  stats?: Record<string, number>
}
