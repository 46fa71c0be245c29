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

describe('scan sees every entry of a layer real writers make', () => {
  it("a file whose ustar name field ends in '/' (its PAX path is longer) hides nothing after it", async () => {
    const {execFileSync} = await import('node:child_process')
    const {fakeAccessKeyId, fakeSecretAccessKey} = await import('../../fixtures/lib/fake-secrets.js')
    const {OciLayoutBuilder, tempDir} = await import('../image/helpers.js')
    const long = `site-packages/${'p'.repeat(85)}/module.py` // the 100-byte cut ends at the "/" before module.py
    const credentials = `[default]\naws_access_key_id = ${fakeAccessKeyId('cut-on-slash')}\naws_secret_access_key = ${fakeSecretAccessKey('cut-on-slash')}\n`
    // Python's tarfile (PAX) writes exactly this: name field = first 100 bytes, typeflag '0', PAX path.
    const tar = execFileSync('python3', ['-c', [
      'import io, sys, tarfile',
      'out = io.BytesIO(); t = tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT)',
      'def add(name, data):',
      '    i = tarfile.TarInfo(name); i.size = len(data); t.addfile(i, io.BytesIO(data))',
      `add(${JSON.stringify(long)}, b"print(1)\\n" * 100)`,
      `add("root/.aws/credentials", ${JSON.stringify(credentials)}.encode())`,
      't.close(); sys.stdout.buffer.write(out.getvalue())',
    ].join('\n')])
    expect(tar.toString('latin1', 1024, 1124).endsWith('/')).toBe(true) // the member's header, after the PAX one
    const dir = tempDir()
    try {
      const layout = new OciLayoutBuilder(dir.path)
      layout.writeIndex([layout.image({layers: [{tar}]})])
      const result = await runCli(['scan', dir.path, '--json'])
      expect(result.stderr).toBe('')
      expect(result.code).toBe(1)
      const findings = JSON.parse(result.stdout).findings as {rule: string; path?: string}[]
      expect(findings.some((f) => f.rule === 'credentials-file' && f.path === '/root/.aws/credentials')).toBe(true)
      expect(result.stdout).not.toContain(fakeSecretAccessKey('cut-on-slash'))
    } finally {
      dir.cleanup()
    }
  })
})
