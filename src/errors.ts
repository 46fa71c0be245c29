/**
 * Typed errors of the library. The core never prints or exits: commands turn these into one line on
 * stderr and exit code 2 (see src/cli/run-guard.ts). `input` names what the user gave us, so the line
 * reads "INPUT: problem".
 */
export type ErrorCode =
  | 'NOT_FOUND' // a path, reference, tag, blob or platform that does not exist
  | 'UNKNOWN_FORMAT' // not an image archive / layout / zip we recognise
  | 'UNSUPPORTED' // recognised but not supported (schema 1, an unknown media type)
  | 'CORRUPT' // truncated tar, broken gzip/zstd, malformed JSON or zip
  | 'DIGEST_MISMATCH' // sha256 of a blob or layer differs from what the manifest/config says
  | 'TOO_LARGE' // a JSON document or zip entry over its cap
  | 'AMBIGUOUS' // several images or platforms match; the message lists them
  | 'USAGE' // flags that do not fit together
  | 'AWS' // an AWS API refused or failed (never carries a credential)
  | 'NETWORK' // a registry or download failed

export class LayerAuditError extends Error {
  readonly code: ErrorCode
  readonly input?: string

  constructor(code: ErrorCode, message: string, options: {input?: string; cause?: unknown} = {}) {
    super(message, {cause: options.cause})
    this.name = new.target.name
    this.code = code
    this.input = options.input
  }

  /** The one line a user sees: "INPUT: problem". */
  get line(): string {
    return this.input ? `${this.input}: ${this.message}` : this.message
  }
}

export class ImageSourceError extends LayerAuditError {}
export class UnsupportedMediaTypeError extends LayerAuditError {
  constructor(mediaType: string, options: {input?: string} = {}) {
    super('UNSUPPORTED', `unsupported media type ${mediaType}`, options)
  }
}
export class DigestMismatchError extends LayerAuditError {
  constructor(what: string, expected: string, actual: string, options: {input?: string} = {}) {
    super('DIGEST_MISMATCH', `${what}: digest mismatch, expected ${expected}, got ${actual}`, options)
  }
}
export class ZipError extends LayerAuditError {}
export class AwsError extends LayerAuditError {}
export class RegistryError extends LayerAuditError {}
export class UsageError extends LayerAuditError {
  constructor(message: string) {
    super('USAGE', message)
  }
}

/** A flag given an empty value (`--layer "$UNSET"`): named as such, never ignored nor read as a file called "". */
export function emptyFlagError(flag: string): UsageError {
  return new UsageError(`${flag} is empty: give a value (is the variable that should hold it unset?)`)
}
