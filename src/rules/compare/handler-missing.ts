import type {Finding, RuleMeta} from '../types.js'
import type {CompareContext} from './context.js'
import {anyExists, handlerFiles, inferRuntime, pythonExtensionModule, runtimeFamily, taskRoots} from './handler-files.js'
import {finding, type CompareRule} from './rule.js'

export const meta: RuleMeta = {
  id: 'handler-missing',
  title: "The handler's file is not in the image",
  severity: 'error',
  why: 'An image function runs the handler named by the image CMD (e.g. `app.lambda_handler`), which the runtime loads from LAMBDA_TASK_ROOT (/var/task): app.py for Python, index.js/.mjs/.cjs for Node.js, function.rb for Ruby. If the file is missing, every invoke fails with Runtime.ImportModuleError.',
  fix: 'Copy the function code into ${LAMBDA_TASK_ROOT} (`COPY app.py ${LAMBDA_TASK_ROOT}/`) and make CMD name the right module and function.',
  scope: 'compare',
}

export function check(ctx: CompareContext): Finding[] {
  const cmd = ctx.image.config.config?.Cmd?.[0]
  const handler = cmd ?? ctx.function?.handler
  if (!handler) return []
  const from = cmd !== undefined ? 'the image CMD' : "the function's Handler"
  const runtime = inferRuntime(ctx)
  const family = runtime ? runtimeFamily(runtime.runtime) : undefined
  if (!runtime || !family) {
    return [
      finding(meta, {
        severity: 'note',
        message: `handler ${handler} not checked: the runtime is unknown (give the function's configuration to check it)`,
        evidence: {handler},
      }),
    ]
  }
  const roots = taskRoots(ctx, family)
  const files = handlerFiles(family, handler, roots)
  if (!files) {
    if (family === 'python' || family === 'nodejs' || family === 'ruby') {
      return [finding(meta, {message: `handler "${handler}" (from ${from}) is not of the form module.function`, evidence: {handler, runtime: runtime.runtime}})]
    }
    return [
      finding(meta, {
        severity: 'note',
        message: `handler ${handler} not checked: for ${runtime.runtime} it names a class, assembly or binary, not a file`,
        evidence: {handler, runtime: runtime.runtime},
      }),
    ]
  }
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

export const rule: CompareRule = {meta, check, requires: 'function-image'}
