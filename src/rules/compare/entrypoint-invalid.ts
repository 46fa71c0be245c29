import type {Finding, RuleMeta} from '../types.js'
import type {CompareContext} from './context.js'
import {findOnPath, isFileLike, LAMBDA_DEFAULT_PATH, octal, otherCanExecute, resolvePath} from './image-paths.js'
import {finding, type CompareRule} from './rule.js'

export const meta: RuleMeta = {
  id: 'entrypoint-invalid',
  title: 'ENTRYPOINT cannot be started',
  severity: 'error',
  why: 'Lambda starts an image function by running its ENTRYPOINT (or CMD when there is none) as a least-privileged user. The ENTRYPOINT must be an absolute path to an executable inside the image; a relative name, a missing file or a dangling symlink means the function never initialises (Runtime.InvalidEntrypoint).',
  fix: 'Set ENTRYPOINT to the absolute path of an executable that exists in the image (AWS base images use /lambda-entrypoint.sh), executable by others (`chmod 755`).',
  scope: 'compare',
}

export function check(ctx: CompareContext): Finding[] {
  const config = ctx.image.config.config ?? {}
  // The function's ImageConfig overrides what the image says, as Lambda starts it.
  const override = ctx.function?.entryPoint?.length ? ctx.function.entryPoint : undefined
  const entrypoint = override ?? (config.Entrypoint?.length ? config.Entrypoint : undefined)
  const cmd = ctx.function?.command?.length ? ctx.function.command : config.Cmd
  const argv = entrypoint ?? (cmd?.length ? cmd : undefined)
  if (!argv) return [finding(meta, {message: 'the image has neither ENTRYPOINT nor CMD: Lambda has nothing to run', actual: {entrypoint: null, cmd: null}})]
  const what = override ? "the function's ImageConfig.EntryPoint" : entrypoint ? 'ENTRYPOINT' : 'CMD (there is no ENTRYPOINT)'
  const program = argv[0]
  const actual = {[entrypoint ? 'entrypoint' : 'cmd']: argv}
  if (!program.startsWith('/')) {
    const onPath = findOnPath(ctx.tree, program, ctx.env.PATH ?? LAMBDA_DEFAULT_PATH)
    return [
      finding(meta, {
        message: `${what} starts with ${program}, not an absolute path${onPath ? ` (it would resolve to ${onPath.path} on PATH)` : ''}`,
        actual,
        ...(onPath ? {expected: {entrypoint: [onPath.path, ...argv.slice(1)]}} : {}),
      }),
    ]
  }
  const found = resolvePath(ctx.tree, program)
  if (!found) {
    const link = ctx.tree.get(program)
    return [
      finding(meta, {
        path: program,
        layer: link?.layer,
        message: link?.type === 'symlink' ? `${what} ${program} is a symlink to ${link.linkTarget}, which does not exist in the image` : `${what} ${program} does not exist in the image`,
        actual,
      }),
    ]
  }
  let node = found.node
  if (node.type === 'hardlink' && node.linkTarget) node = ctx.tree.get(node.linkTarget) ?? node
  if (!isFileLike(node)) return [finding(meta, {path: program, layer: node.layer, message: `${what} ${program} is a ${node.type}`, actual})]
  if (!otherCanExecute(node)) {
    return [
      finding(meta, {
        path: program,
        layer: node.layer,
        message: `${what} ${program}${found.path !== program ? ` (→ ${found.path})` : ''} has mode ${octal(node.mode)}: the Lambda user cannot execute it`,
        actual: {...actual, mode: octal(node.mode)},
      }),
    ]
  }
  return []
}

export const rule: CompareRule = {meta, check, requires: 'function-image'}
