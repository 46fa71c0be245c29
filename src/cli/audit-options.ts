/** Flags → the options compare, lint and scan share (image, config, baseline, Dockerfile, scan cap). */
import type {AuditCommonOptions} from '../audit/run-audit.js'
import {openOptionsFrom, type ImageFlagValues} from './image-options.js'
import type {ProgressCallback} from './progress.js'

export interface AuditFlagValues extends ImageFlagValues {
  config?: string
  baseline?: string
  dockerfile?: string
  'max-file-bytes'?: number
}

export function auditOptionsFrom(flags: AuditFlagValues, onProgress?: ProgressCallback): AuditCommonOptions {
  return {
    open: openOptionsFrom(flags, onProgress),
    configFile: flags.config,
    baselineFile: flags.baseline,
    dockerfile: flags.dockerfile,
    maxFileBytes: flags['max-file-bytes'],
  }
}
