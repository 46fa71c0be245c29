/** The package entry point works without oclif: open, read, flatten, audit. */
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import * as lib from '../../src/index.js'
import {FIXTURES} from '../helpers/cli.js'

describe('library entry point', () => {
  it('loads an image and audits it with no CLI involved', async () => {
    const {tree, layers} = await lib.loadImage(join(FIXTURES, 'images', 'function-image-good.oci.tar'))
    expect(layers).toHaveLength(4)
    expect(tree.get('/var/task/app.py')?.type).toBe('file')
    const report = await lib.runScan({image: join(FIXTURES, 'images', 'secrets-single-stage.docker.tar')})
    expect(report.summary.error).toBeGreaterThan(0)
    expect(lib.rules.length).toBeGreaterThan(20)
    const lint = await lib.runLint({image: join(FIXTURES, 'images', 'function-image-good.oci.tar'), function: {architectures: ['arm64']}})
    expect(lint.findings.map((f) => f.rule)).toContain('architecture-mismatch')
  })

  it('throws typed errors instead of printing', async () => {
    await expect(lib.openImage('/nonexistent/image.tar')).rejects.toBeInstanceOf(lib.LayerAuditError)
  })
})
