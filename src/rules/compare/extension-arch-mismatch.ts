import {lambdaToOci, ociToLambda} from '../../inspect/architecture.js'
import type {Finding, RuleMeta} from '../types.js'
import type {CompareContext} from './context.js'
import {extensionsOf} from './extensions.js'
import {finding, type CompareRule} from './rule.js'

export const meta: RuleMeta = {
  id: 'extension-arch-mismatch',
  title: 'Extension binary is built for another CPU architecture',
  severity: 'error',
  why: 'An extension binary runs only on the architecture it was compiled for. An arm64 (aarch64) binary in an x86_64 function, or the reverse, fails with "exec format error" at init. Layers declare CompatibleArchitectures; an image must match the function\'s Architectures.',
  fix: 'Copy the extension build for the function\'s architecture (most vendors publish an -x86_64 and an -arm64 variant of the layer or layer image), or switch the function\'s Architectures and the image platform together.',
  scope: 'compare',
  // A binary built for the other architecture also differs in content: reported once here.
  subsumes: ['content-mismatch'],
}

export function notApplicable(ctx: CompareContext): string | undefined {
  return targetArchitectures(ctx).length === 0 ? LAYER_IMAGE_NO_ARCHITECTURE : undefined
}

/** A layer image's platform says nothing (see targetArchitectures); without the function's, nothing to match. */
export const LAYER_IMAGE_NO_ARCHITECTURE = "a layer image's platform says nothing about the CPU and the function's Architectures is not known"

export function check(ctx: CompareContext): Finding[] {
  const targets = targetArchitectures(ctx)
  if (targets.length === 0) return []
  const findings: Finding[] = []
  for (const ext of extensionsOf(ctx)) {
    if (ext.format?.kind !== 'elf') continue
    const {elf} = ext.format
    const arch = elf.architecture ?? `machine ${elf.machine}`
    const wrong = targets.filter((t) => t.arch !== arch || (arch === 'amd64' && elf.bits !== 64))
    if (wrong.length === 0) continue
    findings.push(
      finding(meta, {
        path: ext.path,
        layer: ext.target?.node.layer ?? ext.node.layer,
        message: `${ext.path} is a ${elf.bits}-bit ${ociToLambda(arch)} binary, but ${wrong.map((t) => `${t.what} ${t.what.includes(' and ') ? 'are' : 'is'} ${ociToLambda(t.arch)}`).join(' and ')}`,
        expected: {architecture: wrong[0].arch},
        actual: {architecture: arch, elfMachine: elf.machine, bits: elf.bits},
      }),
    )
  }
  return findings
}

/** What the binary must match: the image platform (function images) and the function's Architectures. */
function targetArchitectures(ctx: CompareContext): {what: string; arch: string}[] {
  const out: {what: string; arch: string}[] = []
  // A layer image is only a carrier of files (often FROM scratch, built on any host): its platform says nothing.
  if (ctx.kind === 'function' && ctx.image.platform.architecture) {
    out.push({what: 'the image', arch: ctx.image.platform.architecture})
  }
  const fn = ctx.function?.architectures?.[0]
  if (fn) {
    const arch = lambdaToOci(fn)
    if (!out.some((t) => t.arch === arch)) out.push({what: 'the function', arch})
    else out[0].what = 'the image and the function'
  }
  return out
}

export const rule: CompareRule = {meta, check, notApplicable}
