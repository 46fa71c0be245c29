/**
 * fleet's images through ECR's credentials: the real @aws-sdk/client-ecr (GetAuthorizationToken) against
 * the ECR stub, its "AWS:<password>" token accepted by a loopback docker-registry with htpasswd auth (as
 * ECR's registry API accepts it), behind a proxy that answers one repository 403 DENIED as ECR does.
 * And when ECR refuses the token itself, every image function is unauditable, and the run still ends
 * with a report.
 */
import {existsSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, expect, it} from 'vitest'
import type {FleetReport} from '../../src/fleet/report.js'
import {runFleet} from '../../src/fleet/run-fleet.js'
import {describeUnless} from '../helpers/skip-reason.js'
import {LambdaStub, STUB_ACCOUNT, useFakeAwsEnvironment} from '../lambda/lambda-stub.js'
import {startEcrStub, type EcrStub} from '../registry/helpers/ecr-stub.js'
import {startFaultProxy, type FaultProxy} from '../registry/helpers/fault-proxy.js'
import {REGISTRY_BINARY, startRegistry, type RegistryServer} from '../registry/helpers/registry-server.js'
import {pushFleetImages, type FleetImage} from './helpers/fleet-images.js'

const missing = !existsSync(REGISTRY_BINARY) ? `${REGISTRY_BINARY} is not installed (apt-get install docker-registry)` : undefined
const PASSWORD = 'ecr-token-password-7f3a'

let registry: RegistryServer
let proxy: FaultProxy
let ecr: EcrStub
let stub: LambdaStub
let images: FleetImage[]
let dir: string
let restoreEnv: () => void

async function fleet(): Promise<FleetReport> {
  return runFleet({
    regions: ['eu-west-1'],
    endpointUrl: stub.endpoint,
    // The loopback registry stands in for an ECR host: authenticate to it through ECR.
    open: {registry: {ecrRegistries: [proxy.host], endpointUrl: ecr.endpoint, region: 'eu-west-1', noCache: true}},
  })
}

describeUnless(missing, 'fleet with ECR credentials', () => {
  beforeAll(async () => {
    restoreEnv = useFakeAwsEnvironment('eu-west-1')
    dir = mkdtempSync(join(tmpdir(), 'fleet-ecr-'))
    process.env.LAYER_AUDIT_CACHE_DIR = join(dir, 'cache')
    registry = await startRegistry({users: {AWS: PASSWORD}})
    images = await pushFleetImages(registry.host, dir, {count: 2, creds: `AWS:${PASSWORD}`})
    proxy = await startFaultProxy(registry.port, (req) =>
      req.path.startsWith('/v2/fleet/locked/') ? {kind: 'status', status: 403, body: {errors: [{code: 'DENIED', message: 'not authorized to perform: ecr:BatchGetImage'}]}} : {kind: 'pass'},
    )
    ecr = await startEcrStub(PASSWORD)
    stub = new LambdaStub()
    await stub.start()
    for (const [i, image] of images.entries()) {
      stub.functions.set(`api-${i}`, {
        configuration: {FunctionName: `api-${i}`, PackageType: 'Image', Architectures: [image.architecture === 'arm64' ? 'arm64' : 'x86_64']},
        imageUri: `${proxy.host}/${image.repository}:1`,
        resolvedImageUri: `${proxy.host}/${image.repository}@${image.manifestDigest}`,
      })
    }
    stub.functions.set('locked', {
      configuration: {FunctionName: 'locked', PackageType: 'Image'},
      imageUri: `${proxy.host}/fleet/locked:1`,
      resolvedImageUri: `${proxy.host}/fleet/locked@${images[0].manifestDigest}`,
    })
  }, 60_000)

  afterAll(async () => {
    await stub?.stop()
    await ecr?.stop()
    await proxy?.stop()
    await registry?.stop()
    restoreEnv?.()
    delete process.env.LAYER_AUDIT_CACHE_DIR
    if (dir) rmSync(dir, {recursive: true, force: true})
  })

  it('pulls every image with the token GetAuthorizationToken gave, and reports the denied repository as that function\'s finding', async () => {
    const report = await fleet()
    const byName = new Map(report.functions.map((f) => [f.name, f]))
    for (const name of ['api-0', 'api-1']) {
      expect(byName.get(name)?.image?.manifestDigest, name).toBeDefined()
      expect(byName.get(name)?.verdict).not.toBe('error')
    }
    const locked = byName.get('locked')!
    expect(locked.verdict).toBe('error')
    expect(locked.findings[0].rule).toBe('function-unauditable')
    expect(locked.findings[0].message).toMatch(/access denied .*fleet\/locked \(403 DENIED\)/)
    // One token for the registry, signed for its region, by the real client-ecr.
    const tokens = ecr.calls.filter((c) => c.target === 'AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken')
    expect(tokens.length).toBeGreaterThanOrEqual(1)
    expect(tokens.every((c) => c.region === 'eu-west-1')).toBe(true)
    // The registry saw the token's password as basic auth, never anonymous pulls of the images.
    const pulls = proxy.requests.filter((r) => r.path.includes('/manifests/') && !r.path.includes('/locked/'))
    expect(pulls.length).toBeGreaterThan(0)
    expect(pulls.every((r) => r.authorization === `Basic ${Buffer.from(`AWS:${PASSWORD}`).toString('base64')}` || r.authorization === undefined)).toBe(true)
    expect(JSON.stringify(report)).not.toContain(PASSWORD)
    expect(report.functions.map((f) => f.arn)).toContain(`arn:aws:lambda:eu-west-1:${STUB_ACCOUNT}:function:locked`)
  }, 60_000)

  it('when ECR refuses the token, every image function is unauditable and the run still reports', async () => {
    ecr.answer = {error: 'AccessDeniedException', status: 400}
    try {
      const report = await fleet()
      expect(report.functions).toHaveLength(3)
      for (const fn of report.functions) {
        expect(fn.verdict, fn.name).toBe('error')
        expect(fn.findings[0].message, fn.name).toMatch(/ECR|GetAuthorizationToken|access denied|not authorized/i)
      }
      expect(report.summary.error).toBe(3)
    } finally {
      ecr.answer = {password: PASSWORD}
    }
  }, 60_000)
})
