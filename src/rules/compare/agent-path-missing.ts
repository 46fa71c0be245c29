import type {FileTree} from '../../fs/tree.js'
import type {Finding, RuleMeta} from '../types.js'
import type {CompareContext} from './context.js'
import {agentPaths, type NamedPath} from './environment-paths.js'
import {resolvePath} from './image-paths.js'
import {finding, type CompareRule} from './rule.js'

export const meta: RuleMeta = {
  id: 'agent-path-missing',
  title: 'An agent or preload named in the environment is not in the image',
  severity: 'error',
  why: 'JAVA_TOOL_OPTIONS (-javaagent:/opt/…jar), NODE_OPTIONS (--require /opt/…) and DOTNET_STARTUP_HOOKS load code from a layer before the handler. Without the layer the path must exist in the image, or the JVM, Node or .NET refuses to start.',
  fix: 'Copy the agent from its layer into the image at the same path, or drop the option from the function\'s environment and the image ENV.',
  scope: 'compare',
  // An agent path missing from the image is also a missing file: reported once here.
  subsumes: ['missing-file'],
}

export function check(ctx: CompareContext): Finding[] {
  const findings: Finding[] = []
  for (const named of agentPaths(ctx)) {
    if (ctx.kind === 'layer' && !named.path.startsWith('/opt/')) continue
    if (exists(ctx.tree, named)) continue
    findings.push(
      finding(meta, {
        path: named.path,
        message: `${named.variable} (${named.via} ${named.path}, from ${named.origin === 'function' ? "the function's environment" : "the image's ENV"}) names a path that does not exist in the image`,
        evidence: {variable: named.variable, origin: named.origin},
      }),
    )
  }
  return findings
}

/** Node resolves `--require /opt/x` as a module: x, x.js, x.json, x.node, x/index.js, or a package dir. */
function exists(tree: FileTree, named: NamedPath): boolean {
  if (resolvePath(tree, named.path)) return true
  if (named.variable !== 'NODE_OPTIONS') return false
  return ['.js', '.cjs', '.mjs', '.json', '.node', '/index.js', '/package.json'].some((suffix) => resolvePath(tree, named.path + suffix))
}

export const rule: CompareRule = {meta, check}
