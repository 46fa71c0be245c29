/** Errors about the contents of one layer's tar stream (not about the archive or registry around it). */
import {LayerAuditError, type ErrorCode} from '../errors.js'
import {layerLabel} from '../image/digest.js'
import type {LayerInfo} from '../image/model.js'

export class LayerTarError extends LayerAuditError {
  constructor(code: ErrorCode, layer: LayerInfo, problem: string, options: {input?: string; cause?: unknown} = {}) {
    super(code, `${layerLabel(layer)}: ${problem}`, options)
  }
}
