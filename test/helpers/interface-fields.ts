/** The fields each interface of a source file declares, for the tests that hold a JSON schema to its TypeScript type. */
import {readFileSync} from 'node:fs'
import ts from 'typescript'

/** A JSON schema object, as far as the tests read it. */
export interface ObjectSchema {
  properties: Record<string, unknown>
  required?: string[]
  additionalProperties?: unknown
  $defs?: Record<string, ObjectSchema>
}

/** interface name → field name → optional?, for the interfaces a source file declares. */
export function interfaceFields(file: string): Record<string, Record<string, boolean>> {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022)
  const found: Record<string, Record<string, boolean>> = {}
  for (const statement of source.statements) {
    if (!ts.isInterfaceDeclaration(statement)) continue
    const fields: Record<string, boolean> = {}
    for (const member of statement.members) {
      if (ts.isPropertySignature(member) && member.name && ts.isIdentifier(member.name)) fields[member.name.text] = Boolean(member.questionToken)
    }
    found[statement.name.text] = fields
  }
  return found
}
