/** The reference reading of a layer image: `umoci raw unpack` of an OCI layout, listed as lstat sees /opt. */
import {execFileSync} from 'node:child_process'
import {mkdtempSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {expect} from 'vitest'

import {listTree, type Seen} from '../lambda/zips.js'

/** Unpacks `layout:tag` into a new directory under scratch (rootless: modes kept, owner ours); the rootfs path. */
export function umociRawUnpack(layout: string, tag: string, scratch: string): string {
  const rootfs = join(mkdtempSync(join(scratch, 'umoci-')), 'rootfs')
  execFileSync('umoci', ['raw', 'unpack', '--rootless', '--image', `${layout}:${tag}`, rootfs], {stdio: ['ignore', 'ignore', 'pipe']})
  return rootfs
}

/** A layer image's files as umoci unpacks them: everything must be under /opt. */
export function umociView(layout: string, tag: string, scratch: string): Map<string, Seen> {
  const rootfs = umociRawUnpack(layout, tag, scratch)
  expect(readdirSync(rootfs)).toEqual(['opt'])
  return listTree(join(rootfs, 'opt'), '/opt')
}
