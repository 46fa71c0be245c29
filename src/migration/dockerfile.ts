/**
 * The Dockerfile of a zip function's container-image version: the AWS base image for its runtime, its
 * layers' images copied into /opt in the function's order, its code into ${LAMBDA_TASK_ROOT}, its
 * non-secret environment, and its handler as CMD. A pure function of the function's configuration: no
 * AWS call, no file read, so what it writes is what the tests see.
 */
import {UsageError} from '../errors.js'
import type {FunctionConfig} from '../lambda/function-config.js'
import {factsInAssignment} from '../rules/scan/secret-facts.js'
import {isSecretName} from '../secrets/secret-names.js'

/**
 * Managed runtime → AWS base image (repository:tag on public.ecr.aws/lambda). The tags are those the Lambda
 * developer guide gives in "Working with Lambda container images" / "Lambda base images"
 * (https://docs.aws.amazon.com/lambda/latest/dg/images-create.html, python-image.html, nodejs-image.html,
 * java-image.html, csharp-image.html, ruby-image.html) and the image tags on gallery.ecr.aws/lambda.
 * Runtimes Lambda deprecated (python3.8, nodejs16.x, …) are left out on purpose: `--base` names an image.
 */
export const BASE_IMAGES: Readonly<Record<string, string>> = {
  'python3.10': 'python:3.10',
  'python3.11': 'python:3.11',
  'python3.12': 'python:3.12',
  'python3.13': 'python:3.13',
  'python3.14': 'python:3.14',
  'nodejs18.x': 'nodejs:18',
  'nodejs20.x': 'nodejs:20',
  'nodejs22.x': 'nodejs:22',
  'nodejs24.x': 'nodejs:24',
  'java8.al2': 'java:8.al2',
  java11: 'java:11',
  java17: 'java:17',
  java21: 'java:21',
  dotnet8: 'dotnet:8',
  'ruby3.2': 'ruby:3.2',
  'ruby3.3': 'ruby:3.3',
  'ruby3.4': 'ruby:3.4',
  'provided.al2': 'provided:al2',
  'provided.al2023': 'provided:al2023',
}

const BASE_REGISTRY = 'public.ecr.aws/lambda'

/**
 * Variables Lambda sets itself and refuses in a function's configuration ("Defined runtime environment
 * variables", https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars-runtime.html). The base
 * image's runtime sets them in the container too, so copying them would only pin stale values.
 * AWS_LAMBDA_EXEC_WRAPPER is not here: it is the function's own setting, and the base images honour it.
 */
export const RESERVED_VARIABLES: ReadonlySet<string> = new Set([
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_DEFAULT_REGION',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
  'TZ',
])

export interface FunctionDockerfileOptions {
  /** One image reference per layer, in the function's layer order (`layer-audit layer-image` output). */
  layerImages?: string[]
  /** The FROM image, in place of the runtime's AWS base image (required for a runtime the table lacks). */
  base?: string
}

/** The Dockerfile text for a zip function's container-image version. Throws UsageError when it cannot be written. */
export function functionDockerfile(config: FunctionConfig, options: FunctionDockerfileOptions = {}): string {
  const name = config.name ?? config.arn ?? 'the function'
  if (config.packageType === 'Image') {
    throw new UsageError(`${name} is already a container image function (PackageType Image): there is no zip function to migrate`)
  }
  const architecture = config.architectures[0] ?? 'x86_64'
  if (architecture !== 'x86_64' && architecture !== 'arm64') throw new UsageError(`${name}: unknown architecture ${JSON.stringify(architecture)}`)
  const custom = config.runtime?.startsWith('provided') ?? false
  const lines: string[] = [
    `# The container-image version of the zip function ${comment(name)} (${comment(config.runtime ?? 'no runtime')}, ${architecture}), written by layer-audit dockerfile.`,
    '# Check the built image against the zip function before deploying it: layer-audit compare IMAGE --function-config FILE',
  ]

  // AWS's base images are multi-architecture; the Lambda guide builds arm64 ones with `--platform linux/arm64`
  // (python-image.html, "Using an AWS base image"). FROM --platform pins it so a plain `docker build` on an
  // x86 machine cannot produce an image the arm64 function would refuse.
  const platform = architecture === 'arm64' ? '--platform=linux/arm64 ' : ''
  lines.push(`FROM ${platform}${reference(baseImage(config, options.base), '--base')}`, '')

  lines.push(...layerCopies(config, options.layerImages))

  lines.push(
    "# The function's code, what Lambda unpacked into /var/task: unzip the code zip into the build context",
    '# (`aws lambda get-function --query Code.Location` gives its download URL), or build it there as you do for the zip.',
    'COPY . ${LAMBDA_TASK_ROOT}',
    '',
  )

  const env = environmentLines(config.environment)
  if (env.length > 0) lines.push(...env, '')

  if (custom) lines.push(...customRuntimeNote(config.layers.length > 0))
  const imageConfig = config.imageConfig ?? {}
  if (imageConfig.workingDirectory) lines.push(`WORKDIR ${singleLine(imageConfig.workingDirectory, 'ImageConfig.WorkingDirectory')}`)
  if (imageConfig.entryPoint?.length) lines.push(`ENTRYPOINT ${JSON.stringify(imageConfig.entryPoint)}`)
  if (imageConfig.command?.length) {
    lines.push(`CMD ${JSON.stringify(imageConfig.command)}`)
  } else if (config.handler) {
    // The base images' entrypoint takes the handler as its one argument (the function's Handler setting).
    lines.push(`CMD ${JSON.stringify([config.handler])}`)
  } else {
    lines.push('# The function has no Handler: set CMD to the handler the image should run.')
  }
  return `${lines.join('\n')}\n`
}

/** The AWS base image for a managed runtime (public.ecr.aws/lambda/…), or undefined when there is none here. */
export function awsBaseImage(runtime: string | undefined): string | undefined {
  const known = runtime === undefined ? undefined : BASE_IMAGES[runtime]
  return known ? `${BASE_REGISTRY}/${known}` : undefined
}

function baseImage(config: FunctionConfig, base: string | undefined): string {
  if (base !== undefined) return base
  const runtime = config.runtime
  const known = awsBaseImage(runtime)
  if (known) return known
  const what = runtime === undefined ? 'has no Runtime' : `runtime ${JSON.stringify(runtime)} has no AWS base image here`
  throw new UsageError(`${config.name ?? 'function'}: ${what} (supported: ${Object.keys(BASE_IMAGES).join(', ')}); give --base IMAGE`)
}

/** One COPY per layer, in the function's order: a later layer overwrites an earlier one's files, as in /opt. */
function layerCopies(config: FunctionConfig, layerImages: string[] | undefined): string[] {
  if (config.layers.length === 0) return []
  if (layerImages !== undefined && layerImages.length !== config.layers.length) {
    throw new UsageError(
      `--layer-image given ${layerImages.length} time(s), but the function has ${config.layers.length} layer(s): give one per layer, in the function's order`,
    )
  }
  const lines = ["# The function's layers, in its order (a later one overwrites an earlier one's files, as Lambda unpacks them into /opt)."]
  if (layerImages === undefined) {
    lines.push(
      '# Placeholder image names: build each with `layer-audit layer-image --layer ARN --output REF`,',
      '# push it, and name it here (or rerun layer-audit dockerfile with --layer-image REF, once per layer).',
    )
  }
  config.layers.forEach((layer, i) => {
    const image = layerImages ? reference(layerImages[i], '--layer-image') : placeholderImage(layer.arn, i)
    lines.push(`# ${comment(layer.arn)}`, `COPY --from=${image} /opt/ /opt/`)
  })
  lines.push('')
  return lines
}

/** `lambda-layer/log-shipper:3` for `arn:aws:lambda:…:layer:log-shipper:3`: the layer's name and version. */
export function placeholderImage(arn: string, index: number): string {
  const match = /:layer:([A-Za-z0-9_-]+):(\d+)$/.exec(arn)
  if (!match) return `lambda-layer/layer-${index + 1}:latest`
  return `lambda-layer/${match[1].toLowerCase()}:${match[2]}`
}

/** ENV for each plain variable; a comment in place of a secret-looking or reserved one, never its value. */
function environmentLines(environment: Record<string, string>): string[] {
  const names = Object.keys(environment).sort()
  const lines: string[] = []
  const reserved: string[] = []
  for (const name of names) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new UsageError(`environment variable ${JSON.stringify(name)} is not a valid name for ENV`)
    const value = environment[name]
    if (RESERVED_VARIABLES.has(name.toUpperCase())) {
      reserved.push(name)
    } else if (isSecretVariable(name, value)) {
      lines.push(
        `# ${name}: looks like a credential, its value is left out of the image (image config and history are readable by anyone who can pull it).`,
        `#   Keep it in AWS Secrets Manager (or SSM Parameter Store) and read it at run time, or set it on the function's`,
        `#   environment in Lambda's configuration (encrypted with KMS), not here.`,
      )
    } else if (/[\r\n]/.test(value)) {
      lines.push(`# ${name}: its value spans lines, which an ENV line cannot hold: set it in Lambda's configuration.`)
    } else {
      lines.push(`ENV ${name}=${quoteEnvValue(value)}`)
    }
  }
  if (reserved.length > 0) lines.unshift(`# Set by Lambda itself, not copied: ${reserved.join(', ')}`)
  if (lines.length > 0) lines.unshift("# The function's environment variables.")
  return lines
}

/**
 * A credential by the scan's own rules: a name that says secret (whatever the value: even a placeholder is
 * better set outside the image), or a value one of the secret patterns finds (with the name, as the ENV scan
 * sees `NAME=value`).
 */
export function isSecretVariable(name: string, value: string): boolean {
  return isSecretName(name) || factsInAssignment(name, value).length > 0
}

/**
 * A double-quoted ENV value as BuildKit's shell lexer reads it back: inside double quotes the escape
 * character escapes `"`, `$` and itself, so those three are escaped and nothing is expanded. Line breaks
 * are refused (the caller writes a comment instead).
 */
export function quoteEnvValue(value: string): string {
  if (/[\r\n]/.test(value)) throw new UsageError('an ENV value cannot span lines')
  return `"${value.replace(/[\\"$]/g, (c) => `\\${c}`)}"`
}

function customRuntimeNote(hasLayers: boolean): string[] {
  return [
    '# Custom runtime: Lambda ran the first `bootstrap` it found, /var/task/bootstrap (the code) else /opt/bootstrap',
    `# (a layer${hasLayers ? ', copied above' : ''}). In the image it must be an executable file built for the function's`,
    '# architecture, with its interpreter present; point the entrypoint at it, e.g. ENTRYPOINT ["/opt/bootstrap"]',
    '# for a layer\'s, as the Lambda guide does for Go and Rust on provided.al2023 (go-image.html).',
  ]
}

/** An image reference on a FROM/COPY line: one word, nothing that could end the line or start another flag. */
function reference(value: string, flag: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._\-/:@]*$/.test(value)) throw new UsageError(`${flag} ${JSON.stringify(value)}: not an image reference`)
  return value
}

function singleLine(value: string, what: string): string {
  if (/[\r\n]/.test(value)) throw new UsageError(`${what} spans lines`)
  return value
}

/** Text from the configuration inside a comment: a control character could end the comment and start an instruction. */
function comment(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]/g, '?')
}
