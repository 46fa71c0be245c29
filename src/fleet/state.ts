/**
 * `fleet --state FILE`: what an earlier (maybe interrupted) run learned, so a rerun audits only what
 * changed. JSON Lines, appended as each function finishes (one line, one write): a run killed mid-way
 * leaves every finished function on record and at worst one torn last line, which the next run skips.
 * Each line: {"arn", "key", "result"}; the last line of an ARN wins. A function is skipped when its key
 * — a sha256 over its ResolvedImageUri, the configuration the rules read and the audit's own settings —
 * is unchanged. Results are stored redacted, as the JSON report shows them: the file holds no secret.
 */
import {createHash, randomBytes} from 'node:crypto'
import {createReadStream} from 'node:fs'
import {appendFile, open, rename, stat, unlink, writeFile} from 'node:fs/promises'
import {dirname} from 'node:path'
import {createInterface} from 'node:readline'
import {LayerAuditError} from '../errors.js'
import type {FunctionConfig} from '../lambda/function-config.js'
import {packageInfo} from '../report/tool-info.js'
import {functionProblem} from './merge.js'
import type {FleetFunctionResult} from './report.js'

export const STATE_VERSION = 1
/** A state line is a function's redacted result: far below this. Longer lines are not ours. */
const MAX_LINE = 16 * 1024 * 1024

export interface StateLine {
  v: number
  arn: string
  key: string
  result: FleetFunctionResult
}

/**
 * What decides a function's result: the image it runs and every field the rules read. `settings` is the
 * audit's own (rule config, scan cap…): a changed config re-audits everything. The environment is
 * hashed, never stored.
 */
export function stateKey(arn: string, config: FunctionConfig | undefined, settings: unknown): string {
  const relevant = config && {
    packageType: config.packageType,
    image: config.code?.resolvedImageUri ?? config.code?.imageUri,
    architectures: config.architectures,
    environment: Object.entries(config.environment).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    imageConfig: config.imageConfig,
    runtime: config.runtime,
    handler: config.handler,
    layers: config.layers.map((l) => l.arn),
    codeSha256: config.codeSha256,
  }
  const text = JSON.stringify({tool: packageInfo().version, arn, function: relevant ?? null, settings})
  return createHash('sha256').update(text).digest('hex')
}

export class FleetState {
  private constructor(
    readonly file: string,
    private readonly lines: Map<string, StateLine>,
    /** Lines that could not be read (torn by an interrupt, another version): skipped, said once. */
    readonly skippedLines: number,
    /** The file ends in a torn line: the first append starts a new line, or it would be glued to it and lost. */
    private unterminated: boolean,
  ) {}

  /** Reads FILE if it exists (a missing file is an empty state: the first run creates it). */
  static async open(file: string): Promise<FleetState> {
    const lines = new Map<string, StateLine>()
    let skipped = 0
    const info = await stat(file).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined
      throw stateError(file, `cannot read it (${error.code ?? 'error'})`, error)
    })
    if (info && !info.isFile()) throw stateError(file, 'not a regular file')
    // Said now, before any API call, not when the first audited function is recorded.
    if (!info && !(await stat(dirname(file)).catch(() => undefined))?.isDirectory()) throw stateError(file, `no directory ${dirname(file)}`)
    if (info) {
      const input = createInterface({input: createReadStream(file, {encoding: 'utf8'}), crlfDelay: Infinity})
      for await (const text of input) {
        const line = text.length <= MAX_LINE ? parseLine(text) : undefined
        if (line) lines.set(line.arn, line)
        else if (text.trim() !== '') skipped++
      }
    }
    return new FleetState(file, lines, skipped, info !== undefined && info.size > 0 && !(await endsWithNewline(file, info.size)))
  }

  /** The stored result when the function's key is unchanged. */
  lookup(arn: string, key: string): FleetFunctionResult | undefined {
    const line = this.lines.get(arn)
    return line && line.key === key ? line.result : undefined
  }

  /** Appends one finished function (one write, so an interrupt never tears an earlier line). */
  async record(arn: string, key: string, result: FleetFunctionResult): Promise<void> {
    const line: StateLine = {v: STATE_VERSION, arn, key, result}
    this.lines.set(arn, line)
    const start = this.unterminated ? '\n' : ''
    this.unterminated = false
    await appendFile(this.file, start + JSON.stringify(line) + '\n', {mode: 0o600}).catch((error: NodeJS.ErrnoException) => {
      throw stateError(this.file, `cannot write it (${error.code ?? 'error'})`, error)
    })
  }

  /**
   * Rewrites the file with one line per function still in the fleet (`keep`), atomically: appends
   * grow it by a line per function per run; a deleted function drops out.
   */
  async compact(keep: ReadonlySet<string>): Promise<void> {
    const text = [...this.lines.values()].filter((line) => keep.has(line.arn)).map((line) => JSON.stringify(line) + '\n').join('')
    // Created exclusively: whatever is planted at the temp name (a symlink) is never followed.
    const temp = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
    try {
      await writeFile(temp, text, {mode: 0o600, flag: 'wx'})
      await rename(temp, this.file)
    } catch (error) {
      await unlink(temp).catch(() => {})
      throw stateError(this.file, `cannot rewrite it (${(error as NodeJS.ErrnoException).code ?? 'error'})`, error)
    }
  }
}

async function endsWithNewline(file: string, size: number): Promise<boolean> {
  const handle = await open(file, 'r')
  try {
    const last = Buffer.alloc(1)
    await handle.read(last, 0, 1, size - 1)
    return last[0] === 0x0a
  } finally {
    await handle.close()
  }
}

function parseLine(text: string): StateLine | undefined {
  try {
    const value = JSON.parse(text) as Partial<StateLine>
    // A result is checked as merge checks a shard report's: the renderers trust what passes.
    const ok =
      value?.v === STATE_VERSION &&
      typeof value.arn === 'string' &&
      typeof value.key === 'string' &&
      functionProblem(value.result) === undefined &&
      value.result!.arn === value.arn
    return ok ? (value as StateLine) : undefined
  } catch {
    return undefined
  }
}

function stateError(file: string, problem: string, cause?: unknown): LayerAuditError {
  return new LayerAuditError('USAGE', `--state: ${problem}`, {input: file, ...(cause ? {cause} : {})})
}
