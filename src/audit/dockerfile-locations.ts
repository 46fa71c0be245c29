/**
 * --dockerfile FILE: each finding gets the Dockerfile instruction that made what it is about
 * (`finding.instruction`), so SARIF can place it on that line. A finding is tied to a history entry by
 * its layer (the n-th history entry that made a layer made layer n), else by the history entries its
 * evidence names (the scan's history rules), else — for a variable or label of the image config — by the
 * last ENV or LABEL entry that set it. Findings about the image as a whole have no entry and no line.
 * The file is read before the image; a Dockerfile that does not match the image's history places what it
 * can and says why in one warning, never fails the audit.
 */
import {isAbsolute, relative, resolve, sep} from 'node:path'

import {placeHistory, type HistoryPlacement} from '../dockerfile/match.js'
import {collapseWhitespace, readHistoryStep} from '../dockerfile/history-step.js'
import {parseDockerfile, type Dockerfile, type Instruction} from '../dockerfile/parse.js'
import {emptyFlagError, LayerAuditError} from '../errors.js'
import type {Image} from '../image/model.js'
import {FileTooLargeError, readFileCapped} from '../io/capped-read.js'
import type {DockerfileInstructionRef, Finding} from '../rules/types.js'
import {clip, redact} from '../secrets/redact.js'
import {isSecretName} from '../secrets/secret-names.js'

const MAX_DOCKERFILE_BYTES = 1024 * 1024
const MAX_TEXT = 120

export interface LoadedDockerfile {
  /** As reports name it: relative to the working directory when it is inside it, else as given; "/" separators. */
  file: string
  dockerfile: Dockerfile
}

export class DockerfileError extends LayerAuditError {}

export async function loadDockerfile(given: string, cwd: string = process.cwd()): Promise<LoadedDockerfile> {
  if (given.trim() === '') throw emptyFlagError('--dockerfile')
  const path = resolve(cwd, given)
  let text: string
  try {
    text = (await readFileCapped(path, MAX_DOCKERFILE_BYTES)).toString('utf8')
  } catch (error) {
    if (error instanceof FileTooLargeError) throw new DockerfileError('TOO_LARGE', 'Dockerfile over 1 MiB', {input: given})
    const code = (error as NodeJS.ErrnoException).code
    const problem = code === 'ENOENT' ? 'Dockerfile not found' : code === 'EISDIR' ? 'is a directory, not a Dockerfile' : `cannot read the Dockerfile (${code ?? 'error'})`
    throw new DockerfileError('NOT_FOUND', problem, {input: given, cause: error})
  }
  if (text.length > MAX_DOCKERFILE_BYTES) throw new DockerfileError('TOO_LARGE', 'Dockerfile over 1 MiB', {input: given})
  return {file: shownPath(given, path, cwd), dockerfile: parseDockerfile(text)}
}

/** What a SARIF consumer resolves against the repository: relative to where the audit ran, "/" separators. */
function shownPath(given: string, path: string, cwd: string): string {
  const inside = relative(resolve(cwd), path)
  const shown = inside !== '' && !inside.startsWith('..') && !isAbsolute(inside) ? inside : given
  return shown.split(sep).join('/')
}

export interface PlacedFindings {
  findings: Finding[]
  /** One line when the Dockerfile does not match the image's history: why, and how many findings were placed. */
  warning?: string
}

export function placeFindings(findings: readonly Finding[], image: Image, loaded: LoadedDockerfile): PlacedFindings {
  const history = image.config.history ?? []
  const placement = placeHistory(loaded.dockerfile, history, image.layers.length)
  const layerEntries = history.flatMap((entry, index) => (entry.empty_layer ? [] : [index]))
  let placeable = 0
  let placed = 0
  const out = findings.map((finding) => {
    const entry = historyEntryOf(finding, layerEntries, image)
    if (entry === undefined) return finding
    placeable++
    const instruction = instructionRef(placement, entry, loaded.file)
    if (!instruction) return finding
    placed++
    return {...finding, instruction}
  })
  if (!placement.problem) return {findings: out}
  const counted = placeable > 0 ? `; ${placed} of ${placeable} findings placed on a line` : ''
  return {findings: out, warning: `--dockerfile ${loaded.file} does not match the image: ${placement.problem}${counted}`}
}

function historyEntryOf(finding: Finding, layerEntries: readonly number[], image: Image): number | undefined {
  const evidence = finding.evidence ?? {}
  // secret-in-history and secret-build-arg name the history entries they read: the first is where the
  // value was written (an ENV, an ARG), which may have made no layer.
  const entries = evidence.history
  if (Array.isArray(entries) && typeof entries[0] === 'number') return entries[0]
  if (finding.layer !== undefined) return layerEntries[finding.layer]
  // secret-in-config: a variable or label of the config was set by the last ENV or LABEL naming it.
  const keyword = evidence.where === 'config Env' ? 'ENV' : evidence.where === 'config Labels' ? 'LABEL' : undefined
  if (keyword && typeof evidence.key === 'string') return lastEntrySetting(image, keyword, evidence.key)
  return undefined
}

function lastEntrySetting(image: Image, keyword: string, name: string): number | undefined {
  const history = image.config.history ?? []
  for (let index = history.length - 1; index >= 0; index--) {
    const step = readHistoryStep(history[index].created_by ?? '')
    if (step.keyword === keyword && step.rest.split(' ').some((word) => word.split('=')[0] === name)) return index
  }
  return undefined
}

function instructionRef(placement: HistoryPlacement, entry: number, file: string): DockerfileInstructionRef | undefined {
  const placed = placement.entries[entry]
  if (!placed) return undefined
  return {
    file,
    line: placed.instruction.line,
    endLine: placed.instruction.endLine,
    stage: placed.stage.name ?? String(placed.stage.index),
    text: instructionText(placed.instruction),
  }
}

/**
 * The instruction on one line, capped. A Dockerfile can hold a credential (`ENV API_TOKEN=…`): values of
 * variables named like secrets are redacted here (the report's own redaction catches known shapes).
 */
function instructionText(instruction: Instruction): string {
  const text = collapseWhitespace(instruction.original).replace(/([A-Za-z_][A-Za-z0-9_.-]*)=("[^"]*"|'[^']*'|\S+)/g, (whole, name: string, value: string) =>
    isSecretName(name) && !value.startsWith('$') ? `${name}=${redact(value.replace(/^["']|["']$/g, ''))}` : whole,
  )
  return clip(text, MAX_TEXT)
}
