/**
 * Errors cross the thread boundary as data and are rebuilt as the same class with the same code,
 * message and input, so the CLI's one line (`INPUT: message`) and `instanceof` checks are unchanged.
 */
import {
  AwsError,
  DigestMismatchError,
  ImageSourceError,
  LayerAuditError,
  RegistryError,
  UnsupportedMediaTypeError,
  UsageError,
  ZipError,
  type ErrorCode,
} from '../../errors.js'
import {LayerTarError} from '../layer-error.js'

export interface SerializedError {
  name: string
  message: string
  stack?: string
  /** LayerAuditError's code, or a system error's errno code (ENOENT, ECONNRESET, …). */
  code?: string
  input?: string
  /** True for LayerAuditError and its subclasses. */
  typed: boolean
}

const CLASSES: Record<string, {prototype: LayerAuditError}> = {
  LayerAuditError,
  ImageSourceError,
  UnsupportedMediaTypeError,
  DigestMismatchError,
  ZipError,
  AwsError,
  RegistryError,
  UsageError,
  LayerTarError,
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof LayerAuditError) {
    return {name: error.name, message: error.message, stack: error.stack, code: error.code, input: error.input, typed: true}
  }
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code
    return {name: error.name, message: error.message, stack: error.stack, ...(typeof code === 'string' ? {code} : {}), typed: false}
  }
  return {name: 'Error', message: String(error), typed: false}
}

export function reviveError(data: SerializedError): Error {
  if (data.typed) {
    const error = new LayerAuditError(data.code as ErrorCode, data.message, {input: data.input})
    Object.setPrototypeOf(error, (CLASSES[data.name] ?? LayerAuditError).prototype)
    error.name = data.name
    if (data.stack) error.stack = data.stack
    return error
  }
  const error: NodeJS.ErrnoException = new Error(data.message)
  error.name = data.name
  if (data.code) error.code = data.code
  if (data.stack) error.stack = data.stack
  return error
}
