/** Words for one change, shared by the table, Markdown, SARIF and JUnit renderers of a diff. */
import type {ConfigChange, DiffReport, DiffSide, FileChange} from '../../diff/model.js'
import {displayText} from '../escape.js'
import {humanBytes} from '../views/units.js'

export const CHANGE_CODE: Record<FileChange['kind'], string> = {added: 'A', removed: 'D', modified: 'M'}

const octal = (mode: number) => mode.toString(8).padStart(4, '0')

/** "mode 0644 → 0755, content", "file 12 B", "directory, 3 entries below". */
export function fileDetail(change: FileChange): string {
  if (change.kind !== 'modified') {
    const side = (change.a ?? change.b)!
    const below = change.entriesBelow ? `, ${change.entriesBelow} ${change.entriesBelow === 1 ? 'entry' : 'entries'} below` : ''
    return `${what(side)}${below}`
  }
  const a = change.a!
  const b = change.b!
  const parts = (change.fields ?? []).map((field) => {
    switch (field) {
      case 'type':
        return `type ${a.type} → ${b.type}`
      case 'mode':
        return `mode ${octal(a.mode)} → ${octal(b.mode)}`
      case 'uid':
        return `uid ${a.uid} → ${b.uid}`
      case 'gid':
        return `gid ${a.gid} → ${b.gid}`
      case 'size':
        return `size ${humanBytes(a.size)} → ${humanBytes(b.size)}`
      case 'content':
        return 'content'
      case 'linkTarget':
        return `target ${displayText(a.linkTarget ?? '')} → ${displayText(b.linkTarget ?? '')}`
      case 'xattrs':
        return 'xattrs'
      case 'mtime':
        return `mtime ${isoTime(a.mtime)} → ${isoTime(b.mtime)}`
    }
  })
  const below = change.entriesBelow ? ` (${change.entriesBelow} entries below ${change.a!.type === 'directory' ? 'removed' : 'added'})` : ''
  return parts.join(', ') + below
}

function what(side: DiffSide): string {
  if (side.type === 'file') return `file ${humanBytes(side.size)}`
  if (side.type === 'symlink' || side.type === 'hardlink') return `${side.type} → ${displayText(side.linkTarget ?? '')}`
  return side.type
}

/** "L1 → L3" (the layers that last wrote the path on each side). */
export function layerPair(change: FileChange): string {
  const a = change.a ? `L${change.a.layer}` : '-'
  const b = change.b ? `L${change.b.layer}` : '-'
  return `${a} → ${b}`
}

/** The history line of the layer that made the change: B's for added and modified paths, A's for removed. */
export function createdBy(change: FileChange): string | undefined {
  const line = (change.b ?? change.a)?.createdBy
  return line === undefined ? undefined : displayText(line)
}

export function configLine(change: ConfigChange): {key: string; detail: string} {
  const key = change.name === undefined ? change.key : `${change.key} ${displayText(change.name)}`
  const show = (value: string | undefined) => (value === undefined ? '' : displayText(value))
  if (change.kind === 'added') return {key, detail: change.b === undefined ? 'added' : `added: ${show(change.b)}`}
  if (change.kind === 'removed') return {key, detail: change.a === undefined ? 'removed' : `removed (was ${show(change.a)})`}
  return {key, detail: change.a === undefined && change.b === undefined ? 'changed' : `${show(change.a)} → ${show(change.b)}`}
}

export function verdict(report: DiffReport): string {
  const s = report.summary
  if (s.same) return 'SAME: no differences' + (report.options.semantic ? ' (semantic: timestamps, history and layer digests ignored)' : '')
  const parts: string[] = []
  const files = s.files.added + s.files.removed + s.files.modified
  if (files) parts.push(`${files} file change${files === 1 ? '' : 's'}`)
  if (s.config) parts.push(`${s.config} config change${s.config === 1 ? '' : 's'}`)
  if (!files && !s.config) parts.push('layers or history differ')
  return `DIFFERENT: ${parts.join(', ')}`
}

/** "touches /opt/extensions; handler (CMD) changed; 12.0 MB → 13.1 MB of 10 GiB". */
export function lambdaLine(report: DiffReport): string {
  const l = report.summary.lambda
  const parts: string[] = []
  if (l.extensions) parts.push('touches /opt/extensions')
  else if (l.opt) parts.push('touches /opt')
  if (l.task) parts.push('touches /var/task')
  if (l.entrypoint) parts.push('ENTRYPOINT changed')
  if (l.handler) parts.push('handler (CMD) changed')
  parts.push(`${humanBytes(l.sizeA)} → ${humanBytes(l.sizeB)} of 10 GiB${l.overLimit ? ' (B is over the limit)' : ''}`)
  return parts.join('; ')
}

export function isoTime(seconds: number): string {
  const date = new Date(seconds * 1000)
  return Number.isNaN(date.getTime()) ? String(seconds) : date.toISOString().replace('.000Z', 'Z')
}

export function changeSummary(change: FileChange): string {
  return `${change.kind} ${displayText(change.path)}: ${fileDetail(change)}`
}
