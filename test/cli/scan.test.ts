import {describe, expect, it} from 'vitest'
import {join} from 'node:path'

import {FIXTURES, runCli} from '../helpers/cli.js'

const image = (name: string) => join(FIXTURES, 'images', name)

describe('scan through the CLI', () => {
  it('finds the single-stage build\'s credentials in history, config and a deleted file', async () => {
    const result = await runCli(['scan', image('secrets-single-stage.docker.tar'), '--json'])
    expect(result.code).toBe(1)
    const rules = new Set(JSON.parse(result.stdout).findings.map((f: {rule: string}) => f.rule))
    expect([...rules].sort()).toEqual(['credentials-file', 'secret-build-arg', 'secret-in-config', 'secret-in-history'])
  })

  it('passes the multi-stage FROM scratch build', async () => {
    const result = await runCli(['scan', image('secrets-multi-stage.docker.tar')])
    expect(result.code).toBe(0)
    expect(result.stdout.split('\n')[0]).toMatch(/^PASS/)
  })

  it('reports documentation example keys as notes, not errors', async () => {
    const result = await runCli(['scan', image('secrets-doc-example.docker.tar'), '--json'])
    expect(result.code).toBe(0)
    const findings = JSON.parse(result.stdout).findings
    expect(findings.length).toBeGreaterThan(0)
    for (const f of findings.filter((x: {rule: string}) => x.rule !== 'secret-build-arg')) expect(f.severity).toBe('note')
  })

  it('reads build args recorded in a provenance attestation', async () => {
    const result = await runCli(['scan', image('function-index-attested.oci.tar'), '--json'])
    expect(result.code).toBe(1)
    const rules = JSON.parse(result.stdout).findings.map((f: {rule: string}) => f.rule)
    expect(rules).toContain('secret-in-attestation')
  })
})
