import {existsSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {FIXTURES, runCli} from '../helpers/cli.js'

const tmp = mkdtempSync(join(tmpdir(), 'la-cli-compare-'))
const image = (name: string) => join(FIXTURES, 'images', name)
const zipSide = [
  '--function-config', join(FIXTURES, 'functions', 'function-config.json'),
  '--layer', join(FIXTURES, 'zips', 'layer-log-shipper.zip'),
  '--function-zip', join(FIXTURES, 'zips', 'function-code.zip'),
]

describe('compare through the CLI', () => {
  it('passes the faithful migration (exit 0) in every image format', async () => {
    for (const name of ['function-image-good.docker.tar', 'function-image-good.docker-gzip.tar', 'function-image-good.oci.tar']) {
      const result = await runCli(['compare', image(name), ...zipSide, '--json'])
      expect(result.stderr).toBe('')
      expect(result.code, name).toBe(0)
      const report = JSON.parse(result.stdout)
      expect(report.summary).toMatchObject({error: 0, warning: 0})
      expect(report.function.name).toBe('orders-api')
    }
  })

  it('finds every break of the broken migration and exits 1', async () => {
    const result = await runCli(['compare', image('function-image-broken.docker.tar'), ...zipSide, '--json'])
    expect(result.code).toBe(1)
    const report = JSON.parse(result.stdout)
    const byRule = (rule: string) => report.findings.filter((f: {rule: string}) => f.rule === rule).map((f: {path: string}) => f.path)
    expect(byRule('missing-file')).toContain('/opt/python/lib/python3.12/site-packages/shipper/batch.py')
    expect(byRule('content-mismatch')).toContain('/opt/log-shipper/extension.py')
    expect(byRule('extension-not-executable')).toEqual(['/opt/extensions/log-shipper'])
    // One cause, one finding: the lost exec bit is also a mode mismatch, listed beside the rule.
    expect(byRule('mode-mismatch')).not.toContain('/opt/extensions/log-shipper')
    const lostBit = report.findings.find((f: {rule: string}) => f.rule === 'extension-not-executable')
    expect(lostBit.alsoRules).toEqual(['mode-mismatch'])
    expect(report.findings.find((f: {rule: string}) => f.rule === 'wrapper-missing').alsoRules).toEqual(['missing-file'])
    expect(byRule('missing-file')).not.toContain('/opt/wrapper')
    expect(byRule('extension-interpreter-missing')).toContain('/opt/extensions/py-metrics')
    expect(byRule('extension-arch-mismatch')).toEqual(['/opt/extensions/otel-collector'])
    expect(byRule('extension-crlf-shebang')).toEqual(['/opt/extensions/healthcheck'])
    expect(byRule('wrapper-missing')).toEqual(['/opt/wrapper'])
    expect(report.summary.error).toBe(report.findings.filter((f: {severity: string; suppressed?: unknown}) => f.severity === 'error' && !f.suppressed).length)
    for (const f of report.findings) expect(f.fingerprint, f.rule).toMatch(/\S/)
  })

  it('--fail-on decides the exit code; the table is printed either way', async () => {
    const never = await runCli(['compare', image('function-image-broken.docker.tar'), ...zipSide, '--fail-on', 'never'])
    expect(never.code).toBe(0)
    expect(never.stdout).toMatch(/extension-arch-mismatch/)
    const good = await runCli(['compare', image('function-image-good.docker.tar'), ...zipSide, '--fail-on', 'note'])
    expect(good.code).toBe(0)
    expect(good.stdout.split('\n')[0]).toMatch(/^PASS/)
  })

  it('--output writes the chosen format to a file while the table goes to the terminal', async () => {
    const out = join(tmp, 'report.sarif')
    const result = await runCli(['compare', image('function-image-broken.docker.tar'), ...zipSide, '--output', out])
    expect(result.code).toBe(1)
    expect(result.stdout.split('\n')[0]).toMatch(/^FAIL/)
    const sarif = JSON.parse(readFileSync(out, 'utf8'))
    expect(sarif.version).toBe('2.1.0')
    const ruleIds = sarif.runs[0].results.map((r: {ruleId: string}) => r.ruleId)
    expect(ruleIds).toContain('extension-crlf-shebang')
  })

  it('writes nothing when the input is bad', async () => {
    const out = join(tmp, 'never.json')
    const result = await runCli(['compare', join(tmp, 'missing.tar'), ...zipSide, '--output', out])
    expect(result.code).toBe(2)
    expect(result.stdout).toBe('')
    expect(existsSync(out)).toBe(false)
  })

  it('a baseline suppresses what it already holds; only new findings count', async () => {
    const first = await runCli(['compare', image('function-image-broken.docker.tar'), ...zipSide, '--json'])
    const baseline = join(tmp, 'baseline.json')
    writeFileSync(baseline, first.stdout)
    const again = await runCli(['compare', image('function-image-broken.docker.tar'), ...zipSide, '--baseline', baseline, '--json'])
    expect(again.code).toBe(0)
    const report = JSON.parse(again.stdout)
    expect(report.summary.error).toBe(0)
    expect(report.summary.suppressed).toBe(report.findings.length)
  })

  it('a config ignore needs a reason and suppresses matching findings', async () => {
    const config = join(tmp, 'ignore.json')
    writeFileSync(config, JSON.stringify({ignore: [{rule: 'extension-arch-mismatch', path: '/opt/extensions/*', reason: 'arm64 build is replaced at deploy'}]}))
    const result = await runCli(['compare', image('function-image-broken.docker.tar'), ...zipSide, '--config', config, '--json'])
    const arch = JSON.parse(result.stdout).findings.find((f: {rule: string}) => f.rule === 'extension-arch-mismatch')
    expect(arch.suppressed).toEqual({reason: 'arm64 build is replaced at deploy'})
    writeFileSync(config, JSON.stringify({ignore: [{rule: 'extension-arch-mismatch'}]}))
    const bad = await runCli(['compare', image('function-image-broken.docker.tar'), ...zipSide, '--config', config])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain(config)
  })

  it('audits a layer image against its zip as a layer image: function-image rules not applicable, not findings', async () => {
    const result = await runCli(['compare', image('layer-image.docker.tar'), '--layer', join(FIXTURES, 'zips', 'layer-log-shipper.zip'), '--json'])
    expect(result.code).toBe(0)
    const report = JSON.parse(result.stdout)
    expect(report.findings).toEqual([])
    expect(report.summary).toEqual({error: 0, warning: 0, note: 0, suppressed: 0})
    const notApplicable = report.notApplicable.map((n: {rule: string}) => n.rule)
    expect(notApplicable).toEqual(expect.arrayContaining(['entrypoint-invalid', 'handler-missing', 'handler-differs', 'extension-interpreter-missing']))
    for (const n of report.notApplicable) expect(n.reason).toMatch(/layer image/)
  })
})

describe('compare without the zip function it replaces', () => {
  const noZipSide = /^layer-audit: compare needs the zip function it replaces: --layer, --function-zip, --function or --function-config \(for the image-only checks, use: layer-audit lint IMAGE\)\n$/

  it('is a usage error (exit 2, one line naming the flags, nothing on stdout), never a pass', async () => {
    const cases = [
      ['function-image-broken.docker.tar'],
      ['function-image-broken.docker.tar', '--json'],
      ['function-image-broken.docker.tar', '--fail-on', 'never'],
      ['function-image-good.docker.tar', '--format', 'sarif'],
    ]
    for (const [name, ...extra] of cases) {
      const result = await runCli(['compare', image(name), ...extra])
      expect(result.code, `${name} ${extra.join(' ')}`).toBe(2)
      expect(result.stdout).toBe('')
      expect(result.stderr).toMatch(noZipSide)
    }
    const bare = await runCli(['compare'])
    expect(bare.code).toBe(2)
    expect(bare.stderr).toMatch(noZipSide)
  })

  it('writes no --output file', async () => {
    const out = join(tmp, 'no-zip-side.sarif')
    const result = await runCli(['compare', image('function-image-broken.docker.tar'), '--output', out])
    expect(result.code).toBe(2)
    expect(existsSync(out)).toBe(false)
  })

  it('an empty value (an unset CI variable) is named, not read as nothing or as a file called ""', async () => {
    const cases: [string[], string][] = [
      [['--layer', ''], '--layer'],
      [['--layer='], '--layer'],
      [['--layer', '  '], '--layer'],
      [['--layer', join(FIXTURES, 'zips', 'layer-log-shipper.zip'), '--layer', ''], '--layer'],
      [['--function-zip', ''], '--function-zip'],
      [['--function-config', ''], '--function-config'],
    ]
    for (const [flags, named] of cases) {
      const result = await runCli(['compare', image('function-image-good.docker.tar'), ...flags, '--json'])
      expect(result.code, flags.join(' ')).toBe(2)
      expect(result.stdout).toBe('')
      expect(result.stderr).toBe(`layer-audit: ${named} is empty: give a value (is the variable that should hold it unset?)\n`)
    }
  })

  it('an image function (PackageType Image, no IMAGE given) is still audited: the zip-side rules are not applicable', async () => {
    const config = JSON.parse(readFileSync(join(FIXTURES, 'functions', 'function-config.json'), 'utf8'))
    config.Configuration.PackageType = 'Image'
    config.Configuration.Layers = []
    delete config.Configuration.Handler
    config.Code = {RepositoryType: 'ECR', ImageUri: 'x', ResolvedImageUri: image('function-image-broken.docker.tar')}
    const file = join(tmp, 'image-function.json')
    writeFileSync(file, JSON.stringify(config))
    const result = await runCli(['compare', '--function-config', file, '--json'])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(1)
    const report = JSON.parse(result.stdout)
    const rules = report.findings.map((f: {rule: string}) => f.rule)
    expect(rules).toContain('extension-not-executable')
    expect(rules).not.toContain('extra-file')
    const zipSide = report.notApplicable.filter((n: {reason: string}) => n.reason === 'no zip side to compare with').map((n: {rule: string}) => n.rule)
    expect(zipSide.sort()).toEqual(['content-mismatch', 'extra-file', 'missing-file', 'mode-mismatch', 'symlink-target-mismatch', 'type-mismatch', 'zip-limits'])
  })
})
