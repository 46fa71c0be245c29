import {Chalk} from 'chalk'
import Table from 'cli-table3'

import type {InspectResult} from '../../audit/inspect.js'
import {shortDigest} from '../../image/digest.js'
import {displayText as safe} from '../escape.js'
import {humanBytes} from './units.js'

export function renderInspect(result: InspectResult, options: {color: boolean}): string {
  const c = new Chalk({level: options.color ? 1 : 0})
  const img = result.image
  const cfg = result.config
  const lines: string[] = []
  // Values come from the image: each is escaped (safe) before any colour is added around it.
  const row = (label: string, value: string | undefined) => {
    if (value !== undefined && value !== '') lines.push(`${c.bold(label.padEnd(12))} ${value}`)
  }
  row('Image', safe(img.reference + (img.name && img.name !== img.reference ? ` (${img.name})` : '')))
  row('Source', img.source)
  row('Manifest', `${img.manifestDigest ?? '(no digest: archive manifest)'} ${c.dim(safe(img.mediaType))}`)
  for (const ix of result.indexes) row('Index', `${ix.digest ?? '-'} ${c.dim(safe(ix.mediaType))} [${safe(ix.platforms.join(', '))}]`)
  row('Platform', safe(img.platform))
  row('Config', img.configDigest)
  row('Created', img.created && safe(img.created))
  row('Entrypoint', cfg.entrypoint ? safe(JSON.stringify(cfg.entrypoint)) : undefined)
  row('Cmd', cfg.cmd ? safe(JSON.stringify(cfg.cmd)) : undefined)
  row('Workdir', cfg.workdir && safe(cfg.workdir))
  row('User', cfg.user && safe(cfg.user))
  row('Env', Array.isArray(cfg.env) ? cfg.env.map(safe).join(', ') : Object.entries(cfg.env).map(([k, v]) => safe(`${k}=${v}`)).join('\n' + ' '.repeat(13)))
  row('Attestations', img.attestations ? String(img.attestations) : undefined)
  row(
    'Size',
    `${humanBytes(result.sizes.compressed)} stored, ${humanBytes(result.sizes.uncompressed)} uncompressed (${result.sizes.uncompressed} bytes), ${humanBytes(result.sizes.merged)} in ${result.sizes.entries} merged entries`,
  )
  row(
    'Efficiency',
    `${(result.efficiency.score * 100).toFixed(2)} %, ${humanBytes(result.efficiency.wastedBytes)} wasted (${(result.efficiency.userWastedPercent * 100).toFixed(2)} % of the layers above the first)`,
  )
  const table = new Table({
    head: ['#', 'digest', 'stored', 'uncompressed', 'files', 'created by'],
    style: {head: options.color ? ['cyan'] : [], border: options.color ? ['grey'] : []},
    wordWrap: true,
    colWidths: [null, null, null, null, null, 60],
  } as ConstructorParameters<typeof Table>[0])
  for (const l of result.layers) {
    table.push([
      String(l.index),
      shortDigest(l.digest ?? l.diffId),
      `${humanBytes(l.compressedSize)}${l.compression === 'none' ? '' : ' ' + l.compression}`,
      humanBytes(l.uncompressedSize),
      String(l.files) + (l.whiteouts ? ` (-${l.whiteouts})` : ''),
      safe((l.createdBy ?? '').replace(/\s+/g, ' ').slice(0, 200)),
    ])
  }
  return `${lines.join('\n')}\n\n${table.toString()}\n`
}
