import type {Finding, RuleMeta} from '../types.js'
import type {CompareContext} from './context.js'
import {finding, type CompareRule} from './rule.js'

export const meta: RuleMeta = {
  id: 'handler-differs',
  title: "The image CMD and the function's Handler differ",
  severity: 'warning',
  why: "An image function ignores the Handler setting of the zip function: the runtime takes the handler from the image CMD (or the function's ImageConfig Command override). If they differ, the image runs another entry point than the zip function did.",
  fix: 'Set `CMD ["<handler>"]` in the Dockerfile to the Handler the zip function used (or set ImageConfig.Command when creating the function).',
  scope: 'compare',
}

export function notApplicable(ctx: CompareContext): string | undefined {
  return ctx.function?.handler ? undefined : "no function Handler to compare the image CMD with"
}

export function check(ctx: CompareContext): Finding[] {
  const handler = ctx.function?.handler
  if (!handler) return []
  const cmd = ctx.image.config.config?.Cmd ?? []
  if (cmd[0] === handler) return []
  return [
    finding(meta, {
      message:
        cmd.length === 0
          ? `the image has no CMD, so the function's Handler ${handler} is not passed to the runtime`
          : `the image CMD names ${cmd[0]} but the function's Handler is ${handler}`,
      expected: {handler},
      actual: {cmd},
    }),
  ]
}

export const rule: CompareRule = {meta, check, notApplicable, requires: 'function-image'}
