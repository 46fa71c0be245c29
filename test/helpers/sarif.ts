/** The official OASIS SARIF 2.1.0 schema (errata01, committed in test/report/), compiled once for any test. */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {Ajv, type ValidateFunction} from 'ajv'
import addFormatsModule from 'ajv-formats'

import {REPO} from './cli.js'

// ajv-formats ships CommonJS; under ESM its function is the default export's default.
const addFormats = ((addFormatsModule as unknown as {default?: typeof addFormatsModule}).default ?? addFormatsModule) as unknown as (
  ajv: Ajv,
) => Ajv

export function sarifValidator(): ValidateFunction {
  const schema = JSON.parse(readFileSync(join(REPO, 'test', 'report', 'sarif-schema-2.1.0.json'), 'utf8')) as Record<string, unknown>
  // The schema is draft-04 ("id", "$schema" draft-04); it uses no keyword whose meaning changed since,
  // so Ajv's default draft-07 engine checks it faithfully once the draft-04 markers are dropped.
  const {$schema: _draft, id, ...rest} = schema
  const ajv = new Ajv({strict: false, allErrors: true})
  addFormats(ajv)
  return ajv.compile({$id: id as string, ...rest})
}
