/** Where each managed runtime looks for the handler's file (the runtime interface clients' resolution). */
import type {FileTree} from '../../fs/tree.js'
import type {CompareContext} from './context.js'
import {joinPath, resolvePath} from './image-paths.js'

export type RuntimeFamily = 'python' | 'nodejs' | 'ruby' | 'java' | 'dotnet' | 'provided' | 'go'

export function runtimeFamily(runtime: string): RuntimeFamily | undefined {
  const families: RuntimeFamily[] = ['python', 'nodejs', 'ruby', 'java', 'dotnet', 'provided', 'go']
  return families.find((f) => runtime.toLowerCase().startsWith(f))
}

/** The runtime the image carries when the function config does not say: AWS base images and the RICs. */
export function inferRuntime(ctx: CompareContext): {runtime: string; how: string} | undefined {
  if (ctx.function?.runtime) return {runtime: ctx.function.runtime, how: "the function's Runtime"}
  const entry = (ctx.image.config.config?.Entrypoint ?? []).join(' ')
  if (/awslambdaric/.test(entry)) return {runtime: 'python', how: 'the ENTRYPOINT (awslambdaric)'}
  if (/aws-lambda-ric/.test(entry)) return {runtime: 'nodejs', how: 'the ENTRYPOINT (aws-lambda-ric)'}
  const lang = ctx.tree.children('/var/lang/bin').map((n) => n.path.slice('/var/lang/bin/'.length))
  if (lang.some((n) => /^python3/.test(n))) return {runtime: 'python', how: 'the AWS base image (/var/lang/bin/python3)'}
  if (lang.includes('node')) return {runtime: 'nodejs', how: 'the AWS base image (/var/lang/bin/node)'}
  if (lang.includes('ruby')) return {runtime: 'ruby', how: 'the AWS base image (/var/lang/bin/ruby)'}
  return undefined
}

/**
 * The directories the handler module is resolved against: LAMBDA_TASK_ROOT (default /var/task) and the
 * WORKDIR; for Python also the layer paths on sys.path (/opt/python, /opt/python/lib/pythonX.Y/site-packages),
 * where a handler module may come from a layer.
 */
export function taskRoots(ctx: CompareContext, family?: RuntimeFamily): string[] {
  const roots = [ctx.env.LAMBDA_TASK_ROOT || '/var/task']
  const workdir = ctx.image.config.config?.WorkingDir
  if (workdir?.startsWith('/') && !roots.includes(workdir)) roots.push(workdir)
  if (family === 'python') {
    roots.push('/opt/python')
    for (const lib of ctx.tree.children('/opt/python/lib')) {
      if (/\/python3[.\d]*$/.test(lib.path)) roots.push(lib.path + '/site-packages')
    }
  }
  return roots
}

export interface HandlerFiles {
  /** The module part of the handler, as a relative path without extension. */
  module: string
  candidates: string[]
}

/** Candidate files for a handler string; undefined when the family names classes or binaries instead. */
export function handlerFiles(family: RuntimeFamily, handler: string, roots: string[]): HandlerFiles | undefined {
  let module: string
  let suffixes: string[]
  switch (family) {
    case 'python': {
      // "a.b.handler" → module a.b (a/b.py); "a/b.handler" works too. Last dot splits the function.
      const dot = handler.lastIndexOf('.')
      if (dot <= 0) return undefined
      module = handler.slice(0, dot).replace(/\./g, '/')
      suffixes = ['.py', '/__init__.py', '.pyc']
      break
    }
    case 'nodejs':
    case 'ruby': {
      // "src/index.handler" or "index.a.b": the first dot after the last slash ends the module.
      const slash = handler.lastIndexOf('/')
      const dot = handler.indexOf('.', slash + 1)
      if (dot <= slash + 1) return undefined
      module = handler.slice(0, dot)
      suffixes = family === 'nodejs' ? ['.js', '.mjs', '.cjs', '/index.js'] : ['.rb']
      break
    }
    default:
      return undefined
  }
  const candidates = roots.flatMap((root) => suffixes.map((suffix) => joinPath(root, module + suffix)))
  return {module, candidates}
}

export function anyExists(tree: FileTree, paths: string[]): string | undefined {
  return paths.find((p) => {
    const found = resolvePath(tree, p)
    return found && found.node.type !== 'directory'
  })
}

/** Native extension modules (app.cpython-312-x86_64-linux-gnu.so) also satisfy a Python import. */
export function pythonExtensionModule(tree: FileTree, roots: string[], module: string): string | undefined {
  for (const root of roots) {
    const path = joinPath(root, module)
    const dir = path.slice(0, path.lastIndexOf('/')) || '/'
    const base = path.slice(path.lastIndexOf('/') + 1)
    const hit = tree.children(dir).find((n) => n.path.slice(dir.length + 1).startsWith(base + '.') && n.path.endsWith('.so'))
    if (hit) return hit.path
  }
  return undefined
}
