/**
 * A hand-made compare report that exercises every part of the reporters: several rules and severities,
 * a rule with mixed severities, findings with and without paths, layer and source origins, expected/
 * actual/evidence, a config-suppressed and a baseline-suppressed finding, evidence that a careless
 * rule left unredacted (the reporters must mask it), and rules listed as not applicable.
 */
import type {Report} from '../../src/audit/report.js'
import {summarize} from '../../src/audit/gate.js'
import type {Finding, RuleMeta} from '../../src/rules/types.js'

/** Fabricated credentials in the shape of real ones; they must never appear in any rendered output. */
export const RAW_SECRETS = {
  accessKeyId: 'AKIAZ7QX3NPL5KW2TEST',
  secretAccessKey: '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',
  githubToken: 'ghp_Q1w2E3r4T5y6U7i8O9p0A1s2D3f4G5h6J7k8',
}

export const fixtureRules: RuleMeta[] = [
  {
    id: 'missing-file',
    title: 'File from the zip function is missing from the image',
    severity: 'error',
    why: 'Code or extensions that the layers put in /opt are not there at run time.',
    fix: 'COPY the layer contents into /opt (COPY --from=<layer image> /opt/ /opt/).',
    scope: 'compare',
  },
  {
    id: 'content-mismatch',
    title: 'Same path, different bytes',
    severity: 'error',
    why: 'The image ships another version of the file than the layer did.',
    fix: 'Rebuild the image from the same layer version.',
    scope: 'compare',
  },
  {
    id: 'mode-mismatch',
    title: 'Permission bits differ',
    severity: 'warning',
    why: 'A lost exec bit stops a binary or script from starting.',
    fix: 'chmod the file in the Dockerfile, or COPY --chmod=755.',
    scope: 'compare',
  },
  {
    id: 'extension-not-executable',
    title: 'Extension the Lambda runtime user cannot run',
    severity: 'error',
    why: 'Lambda starts extensions as a non-owner user: other-execute (and other-read for scripts) is needed.',
    fix: 'RUN chmod 755 /opt/extensions/* in the Dockerfile.',
    scope: 'compare',
  },
  {
    id: 'extra-file',
    title: 'File in /opt that no layer has',
    severity: 'note',
    why: 'Usually harmless; sometimes a leftover of an older layer version.',
    fix: 'Remove it if nothing uses it.',
    scope: 'compare',
  },
  {
    id: 'image-too-large',
    title: 'Image near or over the 10 GiB limit',
    severity: 'error',
    why: 'Lambda rejects images over 10 GiB uncompressed.',
    fix: 'Use a smaller base image or multi-stage builds.',
    scope: 'compare',
  },
  {
    id: 'secret-in-history',
    title: 'Credential in the image history',
    severity: 'error',
    why: 'Anyone who can pull the image can read its history.',
    fix: 'Use a secret mount (RUN --mount=type=secret) or a multi-stage build.',
    scope: 'scan',
  },
  {
    id: 'handler-missing',
    title: "The handler's file is not in the image",
    severity: 'error',
    why: 'Every invoke fails with Runtime.ImportModuleError.',
    fix: 'Copy the code into /var/task and make CMD name it.',
    scope: 'compare',
  },
  {
    id: 'entrypoint-invalid',
    title: 'ENTRYPOINT cannot be started',
    severity: 'error',
    why: 'The function never initialises.',
    fix: 'Point ENTRYPOINT at an executable in the image.',
    scope: 'compare',
  },
]

const findings: Finding[] = [
  {
    rule: 'missing-file',
    severity: 'error',
    path: '/opt/extensions/datadog-agent',
    message: 'file from layer datadog-extension.zip is not in the image',
    source: 'datadog-extension.zip',
    expected: {type: 'file', size: 48213504, mode: '0755'},
  },
  {
    rule: 'missing-file',
    severity: 'error',
    path: '/opt/nodejs/node_modules/dd-trace/index.js',
    message: 'file from layer datadog-node.zip is not in the image',
    source: 'datadog-node.zip',
    expected: {type: 'file', size: 2113, mode: '0644'},
  },
  {
    rule: 'content-mismatch',
    severity: 'error',
    path: '/opt/python/lib/shared_util.py',
    message: 'content differs: 1204 bytes expected, 1187 in the image',
    source: 'shared-lib.zip',
    layer: 3,
    expected: {size: 1204, sha256: '3f1c9a0d5e7b2c4a6f8e0d1c3b5a7e9f1d3c5b7a9e1f3d5c7b9a1e3f5d7c9b1a'},
    actual: {size: 1187, sha256: '9b1a7c5d3e1f9a7b5c3d1e9f7a5b3c1d9e7f5a3b1c9d7e5f3a1b9c7d5e3f1a9b'},
  },
  {
    rule: 'mode-mismatch',
    severity: 'warning',
    path: '/opt/bin/report.sh',
    message: 'mode 0775 in the image, 0755 in the layer',
    source: 'shared-lib.zip',
    layer: 3,
    expected: {mode: '0755'},
    actual: {mode: '0775'},
  },
  {
    rule: 'mode-mismatch',
    severity: 'error',
    path: '/opt/wrapper_script',
    message: 'exec bit lost: mode 0644 in the image, 0755 in the layer',
    source: 'datadog-node.zip',
    layer: 4,
    expected: {mode: '0755'},
    actual: {mode: '0644'},
  },
  {
    rule: 'extension-not-executable',
    severity: 'error',
    path: '/opt/extensions/log-shipper',
    message: 'mode 0744: the Lambda runtime user (not the owner) cannot execute it',
    layer: 4,
    actual: {mode: '0744', owner: '0:0'},
    identity: 'log-shipper',
  },
  {
    rule: 'secret-in-history',
    severity: 'error',
    message: `build arg AWS_SECRET_ACCESS_KEY in history step 5 (RUN aws lambda get-layer-version-by-arn …) with key id ${RAW_SECRETS.accessKeyId}`,
    identity: 'AWS_SECRET_ACCESS_KEY sha256:5d41402abc4b2a76',
    evidence: {
      step: 5,
      variable: 'AWS_SECRET_ACCESS_KEY',
      // A rule should never do this; the reporters mask it anyway.
      value: RAW_SECRETS.secretAccessKey,
      secretSha256: 'sha256:5d41402abc4b2a76',
      createdBy: `|2 GITHUB_TOKEN=${RAW_SECRETS.githubToken} AWS_SECRET_ACCESS_KEY=${RAW_SECRETS.secretAccessKey} /bin/sh -c ./fetch-layers.sh`,
    },
  },
  {
    rule: 'image-too-large',
    severity: 'warning',
    message: '9.4 GiB uncompressed: within 10% of the 10 GiB limit',
    actual: {uncompressedSize: 10093173145},
  },
  {rule: 'extra-file', severity: 'note', path: '/opt/LICENSE', message: 'in the image but in no layer', layer: 2},
  {rule: 'extra-file', severity: 'note', path: '/opt/README.md', message: 'in the image but in no layer', layer: 2},
  {
    rule: 'content-mismatch',
    severity: 'error',
    path: '/opt/python/lib/build_id.txt',
    message: 'content differs: 41 bytes expected, 41 in the image',
    source: 'shared-lib.zip',
    layer: 3,
    suppressed: {reason: 'stamped with the build id at image build time'},
  },
  {
    rule: 'extra-file',
    severity: 'note',
    path: '/opt/CHANGELOG.md',
    message: 'in the image but in no layer',
    layer: 2,
    suppressed: {reason: 'in baseline'},
  },
]

export function fixtureReport(): Report {
  return {
    command: 'compare',
    image: {
      reference: 'fixtures/orders-api.tar',
      source: 'docker-archive',
      name: 'orders-api:1.4.2',
      manifestDigest: 'sha256:7d2b9c4e1f0a3b5c7d9e1f2a4b6c8d0e2f4a6b8c0d2e4f6a8b0c2d4e6f8a0b2c',
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      platform: 'linux/amd64',
      created: '2024-05-02T10:11:12Z',
      layers: 6,
      compressedSize: 3518437376,
      uncompressedSize: 10093173145,
    },
    function: {
      name: 'orders-api',
      runtime: 'nodejs20.x',
      handler: 'index.handler',
      architectures: ['x86_64'],
      layers: [
        {source: 'datadog-extension.zip', size: 21233664, compatibleArchitectures: ['x86_64']},
        {source: 'datadog-node.zip', size: 5242880},
        {source: 'shared-lib.zip', size: 104857},
      ],
      codeSource: 'function.zip',
    },
    findings: findings.map((finding) => ({...finding})),
    // Rules that did not run (as with --kind layer): listed, never counted.
    notApplicable: [
      {rule: 'handler-missing', reason: 'audited as a layer image: --kind layer; check the function image that copies it'},
      {rule: 'entrypoint-invalid', reason: 'audited as a layer image: --kind layer; check the function image that copies it'},
    ],
    summary: summarize(findings),
    stats: {expectedEntries: 1893, hashedFiles: 212},
  }
}

/** A clean scan: nothing found. */
export function passingReport(): Report {
  return {
    command: 'scan',
    image: {
      reference: 'oci:build/layout:orders-api',
      source: 'oci-layout',
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      platform: 'linux/arm64',
      layers: 2,
      compressedSize: 1024,
      uncompressedSize: 4096,
    },
    findings: [],
    summary: {error: 0, warning: 0, note: 0, suppressed: 0},
  }
}
