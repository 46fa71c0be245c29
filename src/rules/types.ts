/** Rules are data: metadata beside logic, one module each, listed in src/rules/registry.ts. */
export type Severity = 'error' | 'warning' | 'note'

/** The commands that audit an image and produce a Report. */
export type AuditCommand = 'compare' | 'lint' | 'scan'
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'note']

export interface RuleMeta {
  /** Stable kebab-case id, e.g. "extension-not-executable"; also the docs page name docs/rules/<id>.md. */
  id: string
  title: string
  severity: Severity
  /** Why it matters, in a sentence or two. */
  why: string
  /** How to fix it. */
  fix: string
  /**
   * The command that owns it. `compare` rules also run in `lint` unless they need the zip side (see
   * src/rules/compare/all.ts); `scan` rules run in every audit; `fleet` rules only in `fleet` (about a
   * function of the account, not an image's bytes).
   */
  scope: 'compare' | 'scan' | 'fleet'
  /**
   * Rules whose finding at the same path has the same cause when this rule fires there (an extension
   * that lost its exec bit is also a mode mismatch): the two are reported as one finding of this rule,
   * with the other ids in `alsoRules`.
   */
  subsumes?: readonly string[]
}

export interface Finding {
  rule: string
  severity: Severity
  message: string
  /** Absolute path inside the image or the function layout, when the finding is about a path. */
  path?: string
  /** Index of the image layer the evidence lives in. */
  layer?: number
  /** The zip file or ARN on the expected side. */
  source?: string
  expected?: Record<string, unknown>
  actual?: Record<string, unknown>
  /** Extra facts (already redacted: never a raw secret). */
  evidence?: Record<string, unknown>
  /**
   * What tells this finding apart from others of the same rule at the same path, and stays the same when
   * the image is rebuilt: e.g. the variable name plus the secret's sha256, an extension's file name. Never a
   * raw secret, a message, a layer index or a layer digest. Part of the fingerprint (see report/fingerprint.ts).
   */
  identity?: string
  /** Stable across runs: sha256 over rule, path and the finding's identity (see report/fingerprint.ts). */
  fingerprint?: string
  /** Set when a config ignore or a baseline matched; suppressed findings do not count for the gate. */
  suppressed?: {reason: string}
  /**
   * Other rules that fired on the same path for the same cause (an extension that lost its exec bit is
   * also a mode mismatch): reported once, under `rule`, with these ids beside it.
   */
  alsoRules?: string[]
  /**
   * The Dockerfile instruction that made the finding's layer (`--dockerfile`): 1-based lines of the
   * instruction (continuations included) and its stage's name or index.
   */
  instruction?: DockerfileInstructionRef
}

/** Where in a Dockerfile a finding's layer was made. */
export interface DockerfileInstructionRef {
  /** The Dockerfile as given on the command line. */
  file: string
  line: number
  endLine: number
  /** The stage's name (`FROM … AS name`) or its 0-based index. */
  stage: string
  /** The instruction as written, continuations joined (capped). */
  text: string
}

/**
 * A rule that did not run on this input, and why: what it needs is not there (the zip side, the function's
 * Handler or runtime) or it does not apply to this kind of image (a layer image has no entrypoint). Not a
 * finding: never counted, never gated, never a SARIF result.
 */
export interface NotApplicable {
  rule: string
  reason: string
}

export interface Summary {
  error: number
  warning: number
  note: number
  suppressed: number
}
