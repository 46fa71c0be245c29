/**
 * `diff --format junit`: three test cases with stable names — files, config, layers — each failing with
 * the list of its changes when there are any, so a CI test tab shows what changed.
 */
import type {DiffReport} from '../../diff/model.js'
import {xml, xmlText} from '../junit.js'
import {changeSummary, configLine} from './describe.js'

export function renderDiffJunit(report: DiffReport): string {
  const changes = report.layers ? report.layers.flatMap((l) => l.changes) : report.files
  const layerLines = [
    ...report.manifest.layers.a.filter((l) => !l.shared).map((l) => `only in A: layer ${l.index} ${l.diffId}`),
    ...report.manifest.layers.b.filter((l) => !l.shared).map((l) => `only in B: layer ${l.index} ${l.diffId}`),
  ]
  const cases = [
    {name: 'files', lines: changes.map(changeSummary)},
    {name: 'config', lines: report.config.map((c) => {
      const {key, detail} = configLine(c)
      return `${key}: ${detail}`
    })},
    {name: 'layers', lines: report.options.semantic ? [] : layerLines},
  ]
  const failures = cases.filter((c) => c.lines.length > 0).length
  const out = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="layer-audit diff" tests="${cases.length}" failures="${failures}">`]
  out.push(`  <testsuite name="${xml(`${report.a.reference} → ${report.b.reference}`)}" tests="${cases.length}" failures="${failures}">`)
  for (const c of cases) {
    if (c.lines.length === 0) {
      out.push(`    <testcase classname="layer-audit.diff" name="${c.name}"/>`)
      continue
    }
    const summary = `${c.lines.length} ${c.name === 'files' ? 'file' : c.name === 'config' ? 'config' : 'layer'} difference${c.lines.length === 1 ? '' : 's'}`
    out.push(`    <testcase classname="layer-audit.diff" name="${c.name}">`)
    out.push(`      <failure message="${xml(summary)}">${xmlText(c.lines.join('\n'))}</failure>`)
    out.push('    </testcase>')
  }
  out.push('  </testsuite>', '</testsuites>', '')
  return out.join('\n')
}
