/**
 * An account for `fleet` to audit, on loopback: the real docker-registry holding IMAGE_COUNT images
 * (fleet-images.ts) behind a fault proxy that denies one repository as ECR does (403 DENIED), and the
 * Lambda stub serving FUNCTION_COUNT image functions over those images in two regions, plus the odd
 * ones out: a function whose repository is denied, one whose image was deleted, one GetFunction denies,
 * and two zip functions.
 */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {LambdaStub, STUB_ACCOUNT} from '../../lambda/lambda-stub.js'
import {startFaultProxy, type FaultProxy} from '../../registry/helpers/fault-proxy.js'
import {startRegistry, type RegistryServer} from '../../registry/helpers/registry-server.js'
import {FIXTURES} from '../../helpers/cli.js'
import {IMAGE_COUNT, pushFleetImages, type FleetImage} from './fleet-images.js'

export const FUNCTION_COUNT = 200
export const REGIONS = ['eu-west-1', 'us-east-1'] as const
/** The first 150 functions live in eu-west-1, the rest in us-east-1. */
const EU_FUNCTIONS = 150
export const DENIED_REPOSITORY = 'fleet/denied'
export const ODD_FUNCTIONS = {deniedRepository: 'odd-denied-repo', deletedImage: 'odd-deleted-image', deniedGetFunction: 'odd-denied-config', zip: ['odd-zip-python', 'odd-zip-custom']}

export interface FleetWorld {
  registry: RegistryServer
  proxy: FaultProxy
  stub: LambdaStub
  images: FleetImage[]
  /** The 200 image functions' names, in order. */
  imageFunctions: string[]
  /** Region of each function by name. */
  regionOf: Map<string, string>
  arnOf(name: string): string
  /** Bytes of every distinct layer blob of the images (what reading each layer once costs). */
  uniqueLayerBytes: number
  uniqueLayers: number
  dir: string
  stop(): Promise<void>
}

export const functionName = (k: number) => `fn-${String(k).padStart(3, '0')}`

export async function startFleetWorld(options: {baseFiles?: number; baseFileBytes?: number} = {}): Promise<FleetWorld> {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-world-'))
  const registry = await startRegistry()
  const images = await pushFleetImages(registry.host, dir, options)
  const proxy = await startFaultProxy(registry.port, (req) =>
    req.path.startsWith(`/v2/${DENIED_REPOSITORY}/`)
      ? {kind: 'status', status: 403, body: {errors: [{code: 'DENIED', message: `User: arn:aws:iam::${STUB_ACCOUNT}:role/auditor is not authorized to perform: ecr:BatchGetImage`}]}}
      : {kind: 'pass'},
  )
  const stub = new LambdaStub()
  await stub.start()
  const regionOf = new Map<string, string>()
  const add = (name: string, region: string, fn: Parameters<LambdaStub['functions']['set']>[1]) => {
    regionOf.set(name, region)
    stub.functionsIn(region).set(name, fn)
  }
  const imageFunctions: string[] = []
  for (let k = 0; k < FUNCTION_COUNT; k++) {
    const image = images[k % IMAGE_COUNT]
    const name = functionName(k)
    imageFunctions.push(name)
    const variables: Record<string, string> = {LOG_LEVEL: 'info'}
    // Every third function names a wrapper its image lacks (wrapper-missing), every eleventh one it has.
    if (k % 3 === 0) variables.AWS_LAMBDA_EXEC_WRAPPER = '/opt/otel-handler'
    else if (k % 11 === 0) variables.AWS_LAMBDA_EXEC_WRAPPER = '/var/runtime/bootstrap'
    add(name, k < EU_FUNCTIONS ? REGIONS[0] : REGIONS[1], {
      configuration: {
        FunctionName: name,
        PackageType: 'Image',
        Architectures: [k % 8 === 7 ? 'arm64' : 'x86_64'],
        Environment: {Variables: variables},
        ...(k % 10 === 1 ? {ImageConfigResponse: {ImageConfig: {Command: ['missing.handler']}}} : {}),
      },
      imageUri: `${proxy.host}/${image.repository}:1`,
      resolvedImageUri: `${proxy.host}/${image.repository}@${image.manifestDigest}`,
      tags: {team: k % 2 === 0 ? 'orders' : 'payments', tier: String(k % 3)},
    })
  }
  const imageConfig = (name: string) => ({FunctionName: name, PackageType: 'Image', Architectures: ['x86_64'], Environment: {Variables: {}}})
  add(ODD_FUNCTIONS.deniedRepository, REGIONS[0], {
    configuration: imageConfig(ODD_FUNCTIONS.deniedRepository),
    imageUri: `${proxy.host}/${DENIED_REPOSITORY}:1`,
    resolvedImageUri: `${proxy.host}/${DENIED_REPOSITORY}@${images[0].manifestDigest}`,
    tags: {team: 'orders'},
  })
  add(ODD_FUNCTIONS.deletedImage, REGIONS[0], {
    configuration: imageConfig(ODD_FUNCTIONS.deletedImage),
    imageUri: `${proxy.host}/${images[1].repository}:gone`,
    resolvedImageUri: `${proxy.host}/${images[1].repository}@sha256:${'0'.repeat(64)}`,
    tags: {team: 'orders'},
  })
  add(ODD_FUNCTIONS.deniedGetFunction, REGIONS[1], {configuration: imageConfig(ODD_FUNCTIONS.deniedGetFunction), imageUri: `${proxy.host}/${images[2].repository}:1`, resolvedImageUri: `${proxy.host}/${images[2].repository}@${images[2].manifestDigest}`})
  stub.deniedFunctions.add(ODD_FUNCTIONS.deniedGetFunction)
  add(ODD_FUNCTIONS.zip[0], REGIONS[0], {
    configuration: {FunctionName: ODD_FUNCTIONS.zip[0], PackageType: 'Zip', Runtime: 'python3.12', Handler: 'app.handler', Architectures: ['x86_64']},
    codeZip: join(FIXTURES, 'zips/function-code.zip'),
  })
  add(ODD_FUNCTIONS.zip[1], REGIONS[1], {
    configuration: {FunctionName: ODD_FUNCTIONS.zip[1], PackageType: 'Zip', Runtime: 'provided.al2023', Handler: 'bootstrap', Architectures: ['arm64']},
    codeZip: join(FIXTURES, 'zips/layer-log-shipper.zip'),
  })

  const blobs = new Map<string, number>()
  for (const image of images) image.layerDigests.forEach((digest, i) => blobs.set(digest, image.layerSizes[i]))
  return {
    registry,
    proxy,
    stub,
    images,
    imageFunctions,
    regionOf,
    arnOf: (name) => `arn:aws:lambda:${regionOf.get(name)}:${STUB_ACCOUNT}:function:${name}`,
    uniqueLayerBytes: [...blobs.values()].reduce((a, b) => a + b, 0),
    uniqueLayers: blobs.size,
    dir,
    async stop() {
      await stub.stop()
      await proxy.stop()
      await registry.stop()
      rmSync(dir, {recursive: true, force: true})
    },
  }
}

/** The environment fleet and compare need to reach the stubs with the real SDK (no real credentials, ever). */
export function awsTestEnvironment(world: FleetWorld, cacheDir: string): NodeJS.ProcessEnv {
  return {
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AWS_REGION: REGIONS[0],
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL_LAMBDA: world.stub.endpoint,
    LAYER_AUDIT_CACHE_DIR: cacheDir,
    XDG_CACHE_HOME: cacheDir,
  }
}
