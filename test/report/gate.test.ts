import {describe, expect, it} from 'vitest'
import {atOrAbove, exitCodeFor, failsGate, summarize} from '../../src/audit/gate.js'
import type {Finding} from '../../src/rules/types.js'

const f = (severity: Finding['severity'], suppressed = false): Finding => ({
  rule: 'r',
  severity,
  message: 'm',
  ...(suppressed ? {suppressed: {reason: 'why'}} : {}),
})

describe('gate', () => {
  it('summarizes by severity; suppressed findings count only as suppressed', () => {
    expect(summarize([f('error'), f('error'), f('warning'), f('note'), f('error', true)])).toEqual({
      error: 2,
      warning: 1,
      note: 1,
      suppressed: 1,
    })
    expect(summarize([])).toEqual({error: 0, warning: 0, note: 0, suppressed: 0})
  })

  it('orders severities and treats never as above everything', () => {
    expect(atOrAbove('error', 'warning')).toBe(true)
    expect(atOrAbove('warning', 'warning')).toBe(true)
    expect(atOrAbove('note', 'warning')).toBe(false)
    expect(atOrAbove('error', 'never')).toBe(false)
  })

  it.each([
    ['error', [f('warning'), f('note')], 0],
    ['error', [f('error')], 1],
    ['warning', [f('warning')], 1],
    ['warning', [f('note')], 0],
    ['note', [f('note')], 1],
    ['never', [f('error')], 0],
    ['error', [f('error', true)], 0],
    ['note', [], 0],
  ] as const)('--fail-on %s with %j exits %i', (failOn, findings, code) => {
    expect(exitCodeFor(findings, failOn)).toBe(code)
    expect(exitCodeFor(summarize(findings), failOn)).toBe(code)
    expect(failsGate(findings, failOn)).toBe(code === 1)
  })

  it('defaults to --fail-on error', () => {
    expect(exitCodeFor([f('warning')])).toBe(0)
    expect(exitCodeFor([f('error')])).toBe(1)
  })
})
