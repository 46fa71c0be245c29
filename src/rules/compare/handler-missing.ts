import type {Finding, RuleMeta} from '../types.js'
import type {CompareContext} from './context.js'
import {anyExists, handlerFiles, inferRuntime, pythonExtensionModule, runtimeFamily, taskRoots, type RuntimeFamily} from './handler-files.js'
import {finding, type CompareRule} from './rule.js'

export const meta: RuleMeta = {
  id: 'handler-missing',
  title: "The handler's file is not in the image",
  severity: 'error',
  why: 'An image function runs the handler named by the image CMD (e.g. `app.lambda_handler`), which the runtime loads from LAMBDA_TASK_ROOT (/var/task): app.py for Python, index.js/.mjs/.cjs for Node.js, function.rb for Ruby. If the file is missing, every invoke fails with Runtime.ImportModuleError.',
  fix: 'Copy the function code into ${LAMBDA_TASK_ROOT} (`COPY app.py ${LAMBDA_TASK_ROOT}/`) and make CMD name the right module and function.',
  scope: 'compare',
}

interface HandlerToCheck {
  handler: string
  /** Where the handler came from, for the message. */
  from: string
  runtime: {runtime: string; how: string}
  family: RuntimeFamily
}

/** The handler the function runs and its runtime, or why there is nothing this rule can check. */
function handlerToCheck(ctx: CompareContext): HandlerToCheck | {notApplicable: string} {
  const override = ctx.function?.command?.[0]
  const cmd = ctx.image.config.config?.Cmd?.[0]
  const handler = override ?? cmd ?? ctx.function?.handler
  if (!handler) return {notApplicable: 'no handler: the image has no CMD and the function names none'}
  const from = override !== undefined ? "the function's command" : cmd !== undefined ? 'the image CMD' : "the function's Handler"
  const runtime = inferRuntime(ctx)
  const family = runtime ? runtimeFamily(runtime.runtime) : undefined
  if (!runtime || !family) return {notApplicable: `handler ${handler}: its runtime is neither given nor recognisable in the image`}
  if (family !== 'python' && family !== 'nodejs' && family !== 'ruby') {
    return {notApplicable: `for ${runtime.runtime} the handler names a class, assembly or binary, not a file`}
  }
  return {handler, from, runtime, family}
}

export function notApplicable(ctx: CompareContext): string | undefined {
  const target = handlerToCheck(ctx)
  return 'notApplicable' in target ? target.notApplicable : undefined
}

export function check(ctx: CompareContext): Finding[] {
  const target = handlerToCheck(ctx)
  if ('notApplicable' in target) return []
  const {handler, from, runtime, family} = target
  const roots = taskRoots(ctx, family)
  const files = handlerFiles(family, handler, roots)
  if (!files) return [finding(meta, {message: `handler "${handler}" (from ${from}) is not of the form module.function`, evidence: {handler, runtime: runtime.runtime}})]
  if (anyExists(ctx.tree, files.candidates)) return []
  if (family === 'python' && pythonExtensionModule(ctx.tree, roots, files.module)) return []
  return [
    finding(meta, {
      path: files.candidates[0],
      message: `handler ${handler} (from ${from}, runtime ${runtime.runtime} from ${runtime.how}) needs ${files.candidates[0]}, which is not in the image`,
      expected: {oneOf: files.candidates},
      evidence: {handler, runtime: runtime.runtime},
    }),
  ]
}

export const rule: CompareRule = {meta, check, notApplicable, requires: 'function-image'}
