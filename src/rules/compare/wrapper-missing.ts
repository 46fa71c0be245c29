import type {Finding, RuleMeta} from '../types.js'
import type {CompareContext} from './context.js'
import {WRAPPER_VARIABLE} from './environment-paths.js'
import {resolvePath} from './image-paths.js'
import {finding, type CompareRule} from './rule.js'

export const meta: RuleMeta = {
  id: 'wrapper-missing',
  title: 'AWS_LAMBDA_EXEC_WRAPPER names a path that is not in the image',
  severity: 'error',
  why: 'The runtime starts through the wrapper script named by AWS_LAMBDA_EXEC_WRAPPER (e.g. /opt/otel-instrument from a tracing layer). The layer that provided it is not attached to an image function; if the image lacks it, the runtime cannot start.',
  fix: 'Copy the wrapper from the layer into the image at the same path, or remove AWS_LAMBDA_EXEC_WRAPPER from the function\'s environment (and the image ENV) if the layer is no longer used.',
  scope: 'compare',
  // A wrapper missing from the image is also a missing file: reported once here.
  subsumes: ['missing-file'],
}

export function check(ctx: CompareContext): Finding[] {
  const wrapper = ctx.env[WRAPPER_VARIABLE]
  if (!wrapper) return []
  const origin = ctx.envOrigin[WRAPPER_VARIABLE] === 'function' ? "the function's environment" : "the image's ENV"
  if (!wrapper.startsWith('/')) {
    return [
      finding(meta, {
        message: `${WRAPPER_VARIABLE}=${wrapper} (from ${origin}) is not an absolute path`,
        path: wrapper,
        evidence: {variable: WRAPPER_VARIABLE, origin: ctx.envOrigin[WRAPPER_VARIABLE]},
      }),
    ]
  }
  // A layer image only carries /opt: a wrapper elsewhere comes from the function image.
  if (ctx.kind === 'layer' && !wrapper.startsWith('/opt/')) return []
  if (resolvePath(ctx.tree, wrapper)) return []
  const link = ctx.tree.get(wrapper)
  return [
    finding(meta, {
      message: `${WRAPPER_VARIABLE}=${wrapper} (from ${origin}) ${link?.type === 'symlink' ? `is a symlink to ${link.linkTarget}, which does not exist` : 'does not exist in the image'}`,
      path: wrapper,
      evidence: {variable: WRAPPER_VARIABLE, origin: ctx.envOrigin[WRAPPER_VARIABLE]},
    }),
  ]
}

export const rule: CompareRule = {meta, check}
