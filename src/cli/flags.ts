/** Flags shared by several commands live here, once. */
import {Flags} from '@oclif/core'

import {FAIL_ON_LEVELS, type FailOn} from '../audit/gate.js'
import {REPORT_FORMATS} from '../report/reporter.js'
import {SEVERITIES} from '../rules/types.js'

export const imageFlags = {
  platform: Flags.string({
    summary: 'Platform to pick from a multi-platform image (default linux/amd64 if present, else the only one).',
    helpValue: 'os/arch[/variant]',
    helpGroup: 'IMAGE',
    env: 'LAYER_AUDIT_PLATFORM',
  }),
  image: Flags.string({summary: 'Image to pick from an archive holding several.', helpValue: 'REPO:TAG', helpGroup: 'IMAGE'}),
  'insecure-registry': Flags.string({
    summary: 'Registry host allowed over plain HTTP (loopback always is).',
    multiple: true,
    helpValue: 'HOST[:PORT]',
    helpGroup: 'IMAGE',
  }),
  concurrency: Flags.integer({summary: 'Layers read at once.', min: 1, max: 16, helpGroup: 'IMAGE'}),
  'no-cache': Flags.boolean({summary: 'Neither read nor write the download cache.', helpGroup: 'IMAGE'}),
  'cache-layers': Flags.boolean({summary: 'Also cache registry layer blobs (manifests and configs always are).', helpGroup: 'IMAGE'}),
}

export const awsFlags = {
  region: Flags.string({summary: 'AWS region (default: from the ARN or hostname, else the environment).', helpGroup: 'AWS'}),
  profile: Flags.string({summary: 'AWS profile from the shared config files.', helpGroup: 'AWS'}),
  'endpoint-url': Flags.string({summary: 'Override the AWS endpoint (also AWS_ENDPOINT_URL).', helpGroup: 'AWS'}),
}

export const functionFlags = {
  layer: Flags.string({
    summary: 'A Lambda layer: a zip file or a layer version ARN. Repeat in the function\'s layer order.',
    multiple: true,
    helpValue: 'ZIP|ARN',
    helpGroup: 'FUNCTION',
  }),
  'function-zip': Flags.string({summary: 'The function\'s code zip (unpacked into /var/task).', helpValue: 'ZIP', helpGroup: 'FUNCTION'}),
  function: Flags.string({
    summary: 'Read the function from AWS (GetFunction): its layers, code, runtime, handler and environment.',
    helpValue: 'NAME|ARN[:QUALIFIER]',
    helpGroup: 'FUNCTION',
  }),
  'function-config': Flags.string({
    summary: 'Saved output of `aws lambda get-function` or `get-function-configuration`, for offline CI.',
    helpValue: 'FILE',
    helpGroup: 'FUNCTION',
  }),
}

/** The image as Lambda will run it, for commands that check an image on its own (lint): no zip side. */
export const functionSettingsFlags = {
  architecture: Flags.option({
    options: ['x86_64', 'arm64'] as const,
    summary: "The function's Architectures: the image and its extensions must be built for it.",
    helpGroup: 'FUNCTION',
  })(),
  runtime: Flags.string({
    summary: 'The runtime the handler is for (e.g. python3.12, nodejs20.x; default: recognised from the image).',
    helpValue: 'RUNTIME',
    helpGroup: 'FUNCTION',
  }),
  handler: Flags.string({
    summary: 'The handler the function runs in place of the image CMD (as ImageConfig.Command would): its file must exist; a CMD naming another is a warning.',
    helpValue: 'MODULE.FUNCTION',
    helpGroup: 'FUNCTION',
  }),
  env: Flags.string({
    summary: "A variable of the function's environment (repeatable): AWS_LAMBDA_EXEC_WRAPPER, JAVA_TOOL_OPTIONS, NODE_OPTIONS, … name paths that must exist.",
    multiple: true,
    helpValue: 'NAME=VALUE',
    helpGroup: 'FUNCTION',
  }),
}

/** How compare and lint read the image: its kind, and the secret scan's cap. */
export const imageAuditFlags = {
  kind: Flags.option({
    options: ['auto', 'function', 'layer'] as const,
    default: 'auto' as const,
    summary: 'Audit as a function image or a layer image (default: detect).',
  })(),
  'max-file-bytes': Flags.integer({summary: 'Bytes of each file the secret scan reads (default 1 MiB).', min: 1}),
}

/** --output, for every command that writes a report (compare, lint, scan, diff). */
export const outputFlag = Flags.string({
  char: 'o',
  summary: "Write the report to FILE (repeatable), in FORMAT, else --format, else the format FILE's extension says; the table still goes to the terminal.",
  helpValue: '[FORMAT:]FILE',
  multiple: true,
  helpGroup: 'REPORT',
})

export const reportFlags = {
  format: Flags.option({options: REPORT_FORMATS, summary: 'Report format on stdout.', helpGroup: 'REPORT', env: 'LAYER_AUDIT_FORMAT'})(),
  output: outputFlag,
  'fail-on': Flags.option({
    options: FAIL_ON_LEVELS,
    default: 'error' as FailOn,
    summary: 'Exit 1 when a finding is at or above this severity.',
    helpGroup: 'REPORT',
    env: 'LAYER_AUDIT_FAIL_ON',
  })(),
  severity: Flags.option({
    options: SEVERITIES,
    summary: 'Show findings at or above this severity (the exit code still counts every finding).',
    helpGroup: 'REPORT',
  })(),
  quiet: Flags.boolean({char: 'q', summary: 'Print only the verdict and the findings that fail the gate.', helpGroup: 'REPORT', exclusive: ['verbose']}),
  config: Flags.string({
    summary: 'Rule config (default: the nearest .layer-audit.json or .layer-audit.yaml up to the repository root).',
    helpValue: 'FILE',
    helpGroup: 'REPORT',
    env: 'LAYER_AUDIT_CONFIG',
  }),
  baseline: Flags.string({summary: 'An earlier JSON report: only findings not in it count.', helpValue: 'FILE', helpGroup: 'REPORT'}),
  dockerfile: Flags.string({
    summary: 'The Dockerfile the image was built from: each finding is placed on the instruction that made its layer (SARIF locations, "Dockerfile:12" in tables).',
    helpValue: 'FILE',
    helpGroup: 'REPORT',
  }),
  verbose: Flags.boolean({char: 'v', summary: 'Show every finding in the table, not the first few per rule.', helpGroup: 'REPORT'}),
  color: Flags.boolean({allowNo: true, summary: 'Colour the table (default: on a TTY unless NO_COLOR is set).', helpGroup: 'REPORT'}),
}
