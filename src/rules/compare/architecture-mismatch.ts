import {LAMBDA_ARCHITECTURES, lambdaToOci, ociToLambda} from '../../inspect/architecture.js'
import type {Finding, RuleMeta} from '../types.js'
import type {CompareContext} from './context.js'
import {LAYER_IMAGE_NO_ARCHITECTURE} from './extension-arch-mismatch.js'
import {finding, type CompareRule} from './rule.js'

export const meta: RuleMeta = {
  id: 'architecture-mismatch',
  title: "Image platform, function Architectures and layers' CompatibleArchitectures disagree",
  severity: 'error',
  why: 'Lambda runs an image only on the architecture it was built for (linux/amd64 as x86_64, linux/arm64 as arm64), and the function\'s Architectures must name it; otherwise init fails with an exec format error. Layers published for one architecture (CompatibleArchitectures) carry binaries that will not run on the other.',
  fix: 'Build the image for the function\'s architecture (`docker buildx build --platform linux/arm64 …`) or change the function\'s Architectures; take each layer\'s build for that architecture.',
  scope: 'compare',
}

/** A layer image's own platform is not judged: without the function's Architectures there is nothing to check. */
export function notApplicable(ctx: CompareContext): string | undefined {
  return ctx.kind === 'layer' && !ctx.function?.architectures?.[0] ? LAYER_IMAGE_NO_ARCHITECTURE : undefined
}

export function check(ctx: CompareContext): Finding[] {
  const findings: Finding[] = []
  const {os, architecture} = ctx.image.platform
  const platform = [os, architecture, ctx.image.platform.variant].filter(Boolean).join('/')
  const fnArch = ctx.function?.architectures?.[0] ? lambdaToOci(ctx.function.architectures[0]) : undefined
  if (ctx.kind === 'function') {
    if (os !== 'linux' || !LAMBDA_ARCHITECTURES.includes(architecture)) {
      findings.push(
        finding(meta, {
          message: `the image is ${platform}; Lambda runs only linux/amd64 (x86_64) and linux/arm64 images`,
          expected: {platform: ['linux/amd64', 'linux/arm64']},
          actual: {platform},
        }),
      )
    } else if (fnArch && fnArch !== architecture) {
      findings.push(
        finding(meta, {
          message: `the image is ${platform} but the function's Architectures is ${ociToLambda(fnArch)}`,
          expected: {architecture: fnArch},
          actual: {architecture},
        }),
      )
    }
  }
  // What the layers must support: the function's architecture, else the image's (a function image only).
  const target = fnArch ?? (ctx.kind === 'function' ? architecture : undefined)
  if (!target) return findings
  for (const zip of ctx.expected?.sources ?? []) {
    const compatible = zip.compatibleArchitectures
    if (zip.role !== 'layer' || !compatible?.length) continue
    if (compatible.map(lambdaToOci).includes(target)) continue
    findings.push(
      finding(meta, {
        severity: 'warning',
        source: zip.source,
        message: `layer ${zip.source} declares CompatibleArchitectures ${compatible.join(', ')}, but the ${fnArch ? 'function' : 'image'} is ${ociToLambda(target)}`,
        expected: {architecture: ociToLambda(target)},
        actual: {compatibleArchitectures: compatible},
      }),
    )
  }
  return findings
}

export const rule: CompareRule = {meta, check, notApplicable}
