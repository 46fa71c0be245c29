/** What the content scan records per (layer, path): redacted evidence only, never a raw secret. */
import type {Severity} from '../rules/types.js'

export interface SecretHit {
  layer: number
  path: string
  pattern: string
  description: string
  severity: Severity
  /** One of AWS's documentation keys. */
  example: boolean
  redacted: string
  fingerprint: string
  /** 1-based line of the first occurrence. */
  line: number
  occurrences: number
  /** Variable name for assignment patterns. */
  name?: string
}

export interface CredentialFileHit {
  layer: number
  path: string
  kind: string
  title: string
  values: {field: string; redacted: string; fingerprint: string; example: boolean}[]
}

export interface ContentScanStats {
  /** Regular files whose bytes were scanned (at least partly). */
  filesScanned: number
  bytesScanned: number
  /** Files skipped as binary (NUL byte or known magic in the first bytes). */
  binarySkipped: number
  /** Files longer than the cap: only their first maxFileBytes were scanned. */
  capped: number
}

export interface ContentScanResult {
  secrets: SecretHit[]
  credentialFiles: CredentialFileHit[]
  stats: ContentScanStats
}
