import {Command, Flags, type Interfaces} from '@oclif/core'

import type {Report} from '../audit/report.js'
import {reportView} from '../audit/report-view.js'
import {LayerAuditError, UsageError} from '../errors.js'
import {displayText} from '../report/escape.js'
import {toJsonReport} from '../report/json.js'
import {EXIT_INPUT_ERROR} from './exit-codes.js'
import {jsonPieces} from './json-output.js'
import {LayerProgress} from './progress.js'
import {checkOutputPath} from './output-file.js'
import {emitReport, outputTarget, type OutputFlags} from './report-output.js'
import {installSignalCleanup} from './signals.js'
import {writePieces} from './stdout.js'

/** Every format any command writes: a prefix naming one of them is a format, not part of the path. */
const OUTPUT_FORMATS = ['table', 'json', 'markdown', 'sarif', 'junit', 'asff'] as const

/** oclif's FlagOutput and ArgOutput, which @oclif/core's Interfaces does not export. */
type FlagOutput = {[name: string]: any}

/**
 * Every command's base: turns any failure into one line on stderr and exit code 2, never a stack trace
 * (unless --debug or DEBUG is set) and never a half-printed result on stdout.
 */
export abstract class LayerAuditCommand extends Command {
  static override baseFlags = {
    debug: Flags.boolean({description: 'Show stack traces for errors.', helpGroup: 'GLOBAL'}),
  }

  override async init(): Promise<void> {
    await super.init()
    // Temp spools (stdin, pipes) are removed on SIGINT/SIGTERM/SIGHUP too, not only on the way out.
    installSignalCleanup()
  }

  /** Flags parsed, then --output checked: a path that cannot be written fails before any input is read. */
  protected override async parse<F extends FlagOutput, B extends FlagOutput, A extends FlagOutput>(
    options?: Interfaces.Input<F, B, A>,
    argv?: string[],
  ): Promise<Interfaces.ParserOutput<F, B, A>> {
    checkFlagEnvironment(options?.flags, argv ?? this.argv)
    const parsed = await super.parse(options, argv)
    // --json prints the JSON report; --format names another: one would silently win over the other.
    // LAYER_AUDIT_FORMAT is a default, not a request: --json wins over it.
    const format = (parsed.flags as {format?: unknown}).format
    if (typeof format === 'string' && this.jsonEnabled() && givenOnCommandLine('format', argv ?? this.argv)) {
      throw new UsageError(`--json and --format ${format} ask for two outputs on stdout: give one (--format json is --json)`)
    }
    // Every --output path is checked before any input is read; a FORMAT: prefix is not part of the path.
    const outputs = (parsed.flags as {output?: unknown}).output
    for (const value of Array.isArray(outputs) ? outputs : typeof outputs === 'string' ? [outputs] : []) {
      const target = outputTarget(String(value), OUTPUT_FORMATS, undefined, () => 'json')
      // asff:DIR/ is a directory of batch files (fleet): its files are checked as they are written.
      if (target.format === 'asff' && target.path.endsWith('/')) continue
      await checkOutputPath(target.path)
    }
    return parsed
  }

  protected override async catch(err: Error & {oclif?: {exit?: number}; code?: string}): Promise<void> {
    process.exitCode = EXIT_INPUT_ERROR
    // A flag error happens inside parse(); without this oclif warns (outside production) that we never parsed.
    this.parsed = true
    // The progress line is erased first: the error must not be written after it, on the same line.
    this.endProgress()
    // Escaped: whatever a message quotes, a control character in it never splits the one line or drives the terminal.
    const line = displayText(err instanceof LayerAuditError ? err.line : firstLine(err))
    process.stderr.write(`layer-audit: ${line}\n`)
    if (this.debugging()) process.stderr.write(`${err.stack ?? ''}\n`)
  }

  /** The --json document oclif hands to logJson, written once the run is over (see _run). */
  private pendingJson?: {value: unknown}

  /**
   * Plain JSON, streamed: oclif colourises token by token and builds one string, too slow and too big for
   * 100k-entry trees. oclif calls this synchronously, so the document is kept and written by _run, which
   * can wait for a slow reader (`tree --json | jq`) instead of queueing the whole document in memory.
   */
  override logJson(json: unknown): void {
    this.pendingJson = {value: json}
  }

  override async _run<T>(): Promise<T> {
    const result = await super._run<T>()
    const pending = this.pendingJson
    this.pendingJson = undefined
    if (pending) await writePieces(jsonPieces(pending.value))
    return result
  }

  private progress?: LayerProgress

  /**
   * The progress line of the layer reads (or of what `doing` names) on a TTY (never with --json);
   * erased before the result prints.
   */
  protected progressCallback(doing?: string): LayerProgress['onProgress'] | undefined {
    // --quiet asks for the verdict and the failing findings, nothing else: no progress either.
    this.progress ??= LayerProgress.forTerminal(this.jsonEnabled() || this.argv.includes('--quiet') || this.argv.includes('-q'), process.stderr, doing)
    return this.progress?.onProgress
  }

  /** Shown before the layer counts on the progress line (fleet's "functions 37/205"). */
  protected progressContext(text: string): void {
    if (this.progress) this.progress.context = text
  }

  protected endProgress(): void {
    this.progress?.finish()
  }

  override async finally(error: Error | undefined): Promise<void> {
    this.endProgress()
    return super.finally(error)
  }

  /**
   * A compare, lint or scan report: progress bars erased, then --format/--output/--json and the gate's exit
   * code. Returns what --json prints: the report as --severity/--quiet leave it, made by toJsonReport like
   * --format json (schemaVersion, redaction, fingerprints).
   */
  protected async emit(report: Report, flags: OutputFlags & {color?: boolean}): Promise<Report> {
    this.endProgress()
    const shown = reportView(report, {severity: flags.severity, quiet: flags.quiet, failOn: flags['fail-on']})
    await emitReport(shown, flags, {json: this.jsonEnabled(), color: this.useColor(flags.color)})
    return toJsonReport(shown)
  }

  /** Colour only on a TTY, and never when NO_COLOR is set or --no-color given. */
  protected useColor(flag?: boolean): boolean {
    if (flag !== undefined) return flag
    return Boolean(process.stdout.isTTY) && !process.env.NO_COLOR
  }

  private debugging(): boolean {
    return this.argv.includes('--debug') || Boolean(process.env.DEBUG)
  }
}

/**
 * A flag's environment variable (LAYER_AUDIT_FAIL_ON, …) with a value the flag refuses: said with the
 * variable's name, since oclif's message names only the flag the user never typed.
 */
function checkFlagEnvironment(flags: Record<string, unknown> | undefined, argv: readonly string[]): void {
  for (const [name, definition] of Object.entries(flags ?? {})) {
    const {env, options} = definition as {env?: string; options?: readonly string[]}
    const value = env ? process.env[env] : undefined
    if (value === undefined || !options || givenOnCommandLine(name, argv)) continue
    if (!options.includes(value)) throw new UsageError(`${env}=${value.slice(0, 40)}: expected one of ${options.join(', ')} (it sets --${name})`)
  }
}

function givenOnCommandLine(name: string, argv: readonly string[]): boolean {
  return argv.some((arg) => arg === `--${name}` || arg.startsWith(`--${name}=`))
}

/** oclif's parse errors span several lines ("See more help with --help"); one line is the contract. */
function firstLine(err: Error): string {
  const lines = (err.message || String(err)).split('\n').map((l) => l.trim()).filter((l) => l !== '')
  const message = lines[0] ?? 'unknown error'
  if (err instanceof LayerAuditError) return message
  // oclif's own errors (flag parsing, this.error) carry an `oclif` field; anything else is our bug.
  const fromOclif = (err as {oclif?: unknown}).oclif !== undefined
  if (!fromOclif) return `internal error: ${message} (run with --debug for the stack)`
  // "Parsing --concurrency\n\tExpected an integer less than or equal to 16 …\nSee more help with --help": keep the reason.
  const reason = lines.filter((l) => !/^See more help with/i.test(l)).join(': ')
  return `${reason.length > 300 ? `${reason.slice(0, 300)}…` : reason} (see --help)`
}
