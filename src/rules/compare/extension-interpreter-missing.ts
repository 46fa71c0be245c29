import type {FileTree} from '../../fs/tree.js'
import type {Finding, RuleMeta} from '../types.js'
import type {CompareContext} from './context.js'
import {extensionsOf} from './extensions.js'
import {findOnPath, isFileLike, LAMBDA_DEFAULT_PATH, resolvePath} from './image-paths.js'
import {finding, type CompareRule} from './rule.js'

export const meta: RuleMeta = {
  id: 'extension-interpreter-missing',
  title: "Extension's interpreter is not in the image",
  severity: 'error',
  why: 'A script extension needs the interpreter its #! line names (for `/usr/bin/env X`, X on the PATH), and a dynamically linked binary needs its program interpreter (the ELF loader, e.g. musl\'s /lib/ld-musl-x86_64.so.1 for a binary built on Alpine). The zip function got them from the managed runtime; in an image they must be in the image, or the extension fails to start.',
  fix: 'Install the interpreter in the image (or base the image on the runtime the extension was written for), or rebuild the binary for the image\'s libc (or statically, e.g. Rust/Go with musl static linking).',
  scope: 'compare',
}

export function check(ctx: CompareContext): Finding[] {
  const findings: Finding[] = []
  const pathVar = ctx.env.PATH ?? LAMBDA_DEFAULT_PATH
  for (const ext of extensionsOf(ctx)) {
    const layer = ext.target?.node.layer ?? ext.node.layer
    if (ext.format?.kind === 'script') {
      const {shebang} = ext.format
      if (!shebang.interpreter) continue // an empty #! line: exec fails, but that is not a missing interpreter
      if (!fileExists(ctx.tree, shebang.interpreter)) {
        findings.push(
          finding(meta, {
            path: ext.path,
            layer,
            message: `${ext.path} runs ${shebang.line}, but ${shebang.interpreter} does not exist in the image`,
            expected: {interpreter: shebang.interpreter},
            evidence: {shebang: shebang.line},
          }),
        )
        continue
      }
      if (shebang.envProgram && !findOnPath(ctx.tree, shebang.envProgram, pathVar)) {
        findings.push(
          finding(meta, {
            path: ext.path,
            layer,
            message: `${ext.path} runs ${shebang.line}, but ${shebang.envProgram} is not on the image's PATH (${pathVar})`,
            expected: {program: shebang.envProgram, PATH: pathVar},
            evidence: {shebang: shebang.line},
          }),
        )
      }
      continue
    }
    if (ext.format?.kind === 'elf' && ext.format.elf.interpreter) {
      // A binary for the other CPU cannot run whatever loader is present: extension-arch-mismatch says so.
      if (ext.format.elf.architecture !== ctx.image.platform.architecture) continue
      const loader = ext.format.elf.interpreter
      if (fileExists(ctx.tree, loader)) continue
      findings.push(
        finding(meta, {
          path: ext.path,
          layer,
          message: `${ext.path} is a dynamically linked binary whose loader ${loader} does not exist in the image${libcHint(ctx.tree, loader)}`,
          expected: {programInterpreter: loader},
          evidence: {machine: ext.format.elf.architecture ?? ext.format.elf.machine},
        }),
      )
    }
  }
  return findings
}

function fileExists(tree: FileTree, path: string): boolean {
  const found = resolvePath(tree, path)
  return found !== undefined && isFileLike(found.node)
}

/** The usual story: a binary built on Alpine (musl) copied into a glibc image, or the reverse. */
function libcHint(tree: FileTree, loader: string): string {
  const glibc = ['/lib64/ld-linux-x86-64.so.2', '/lib/ld-linux-aarch64.so.1'].some((p) => fileExists(tree, p))
  const musl = tree.children('/lib').some((n) => n.path.startsWith('/lib/ld-musl-'))
  if (loader.includes('ld-musl') && glibc) return ' (the binary was built against musl libc, e.g. on Alpine; the image uses glibc)'
  if (loader.includes('ld-linux') && musl) return ' (the binary was built against glibc; the image uses musl libc)'
  return ''
}

export const rule: CompareRule = {meta, check, requires: 'function-image'}
