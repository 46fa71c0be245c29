/** The registry as one more source through the CLI: the same audit whether the image is a file or pushed. */
import {mkdtempSync, writeFileSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {FIXTURES, runCli} from '../helpers/cli.js'
import {skopeoPush, startRegistry, type RegistryServer} from '../registry/helpers/registry-server.js'

const tmp = mkdtempSync(join(tmpdir(), 'la-cli-registry-'))
const env = {XDG_CACHE_HOME: join(tmp, 'cache')}
const zipSide = ['--layer', join(FIXTURES, 'zips', 'layer-log-shipper.zip'), '--function-zip', join(FIXTURES, 'zips', 'function-code.zip')]

describe('images read from a registry', () => {
  let registry: RegistryServer

  beforeAll(async () => {
    registry = await startRegistry()
    await skopeoPush(`oci-archive:${join(FIXTURES, 'images', 'function-image-good.oci.tar')}`, `${registry.host}/orders-api:good`)
    await skopeoPush(`docker-archive:${join(FIXTURES, 'images', 'function-image-broken.docker.tar')}`, `${registry.host}/orders-api:broken`)
    await skopeoPush(`oci-archive:${join(FIXTURES, 'images', 'function-index-attested.oci.tar')}`, `${registry.host}/orders-api:multi`, {all: true})
  })
  afterAll(async () => registry?.stop())

  it('tree of a pushed image equals tree of the archive it came from', async () => {
    const local = await runCli(['tree', join(FIXTURES, 'images', 'function-image-good.oci.tar'), '--json'])
    const remote = await runCli(['tree', `docker://${registry.host}/orders-api:good`, '--json'], {env})
    expect(remote.stderr).toBe('')
    expect(JSON.parse(remote.stdout).entries).toEqual(JSON.parse(local.stdout).entries)
  })

  it('compare gates a pushed image like a local one', async () => {
    const good = await runCli(['compare', `${registry.host}/orders-api:good`, ...zipSide], {env})
    expect(good.code).toBe(0)
    const broken = await runCli(['compare', `${registry.host}/orders-api:broken`, ...zipSide, '--json'], {env})
    expect(broken.code).toBe(1)
    const rules = JSON.parse(broken.stdout).findings.map((f: {rule: string}) => f.rule)
    expect(rules).toContain('extension-arch-mismatch')
    expect(rules).toContain('missing-file')
  })

  it('--function-config of an image function audits its ResolvedImageUri', async () => {
    const config = JSON.parse(readFileSync(join(FIXTURES, 'functions', 'function-config.json'), 'utf8'))
    config.Configuration.PackageType = 'Image'
    config.Configuration.Layers = []
    config.Code = {RepositoryType: 'ECR', ImageUri: `${registry.host}/orders-api:broken`, ResolvedImageUri: `${registry.host}/orders-api:broken`}
    const file = join(tmp, 'image-function.json')
    writeFileSync(file, JSON.stringify(config))
    const result = await runCli(['compare', '--function-config', file, '--json'], {env})
    expect(result.code).toBe(1)
    const report = JSON.parse(result.stdout)
    expect(report.image.reference).toBe(`${registry.host}/orders-api:broken`)
    expect(report.findings.map((f: {rule: string}) => f.rule)).toContain('extension-not-executable')
  })

  it('an index with attestations is flagged as a manifest shape Lambda rejects', async () => {
    const result = await runCli(['compare', `${registry.host}/orders-api:multi`, '--platform', 'linux/amd64', ...zipSide, '--json'], {env})
    const findings = JSON.parse(result.stdout).findings.filter((f: {rule: string}) => f.rule === 'unsupported-manifest')
    expect(findings.length).toBeGreaterThan(0)
  })

  it('a repository that is not there is named as such, not as a missing tag', async () => {
    const result = await runCli(['inspect', `${registry.host}/no-such-repo:1`], {env})
    expect(result.code).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stderr).toMatch(/repository no-such-repo not found on /)
  })

  it('a tag that is not there is one clear line, exit 2', async () => {
    const result = await runCli(['inspect', `${registry.host}/orders-api:nope`], {env})
    expect(result.code).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stderr).toContain('orders-api')
  })
})
