import type {Finding, RuleMeta} from '../types.js'
import type {CompareContext} from './context.js'
import {EXTENSIONS_DIR, extensionsOf} from './extensions.js'
import {finding, type CompareRule} from './rule.js'

export const MAX_EXTENSIONS = 10

export const meta: RuleMeta = {
  id: 'too-many-extensions',
  title: 'More than 10 extensions',
  severity: 'error',
  why: 'Lambda supports at most 10 extensions per function (Lambda quotas: "Extensions"); every file directly in /opt/extensions counts as one.',
  fix: 'Remove extensions the function no longer needs, or move helper files out of /opt/extensions into a subdirectory.',
  scope: 'compare',
}

export function check(ctx: CompareContext): Finding[] {
  const extensions = extensionsOf(ctx)
  if (extensions.length <= MAX_EXTENSIONS) return []
  return [
    finding(meta, {
      path: EXTENSIONS_DIR,
      message: `${EXTENSIONS_DIR} holds ${extensions.length} extensions; Lambda allows ${MAX_EXTENSIONS}`,
      expected: {max: MAX_EXTENSIONS},
      actual: {count: extensions.length, extensions: extensions.map((e) => e.path.slice(EXTENSIONS_DIR.length + 1))},
    }),
  ]
}

export const rule: CompareRule = {meta, check}
