/**
 * flatten(readLayers(image)) against umoci's own rootfs, for images umoci builds layer by layer and skopeo
 * converts: every path, its type, mode, size (regular files) and symlink target must match.
 */
import {execFileSync} from 'node:child_process'
import {chmodSync, linkSync, lstatSync, mkdirSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'
import {flatten} from '../../src/fs/flatten.js'
import {readLayers} from '../../src/fs/read-layers.js'
import {REALDATA_MISSING} from '../helpers/realdata.js'
import {describeUnless} from '../helpers/skip-reason.js'
import {haveTool, openTestImage, packTar, realdata, tmpDir, writeOciLayout} from './helpers.js'

const tools = haveTool('umoci') && haveTool('skopeo')
if (!tools) console.warn('interop tests skipped: umoci and skopeo are needed (apt-get install -y umoci skopeo)')

interface Observed {
  path: string
  type: string
  mode: number
  size?: number
  linkTarget?: string
}

function run(cmd: string, args: string[]): void {
  execFileSync(cmd, args, {stdio: ['ignore', 'ignore', 'pipe']})
}

/** What a container sees, read from an unpacked rootfs with lstat only. */
function walkRootfs(root: string, dir = ''): Observed[] {
  const out: Observed[] = []
  for (const name of readdirSync(join(root, dir)).sort()) {
    const rel = `${dir}/${name}`
    const st = lstatSync(join(root, rel))
    const mode = st.mode & 0o7777
    if (st.isDirectory()) {
      out.push({path: rel, type: 'directory', mode}, ...walkRootfs(root, rel))
    } else if (st.isSymbolicLink()) {
      out.push({path: rel, type: 'symlink', mode, linkTarget: readlinkSync(join(root, rel))})
    } else if (st.isFile()) {
      out.push({path: rel, type: 'file', mode, size: st.size})
    } else if (st.isFIFO()) {
      out.push({path: rel, type: 'fifo', mode})
    } else {
      out.push({path: rel, type: 'other', mode})
    }
  }
  return out
}

async function observedTree(location: string): Promise<Observed[]> {
  const tree = flatten(await readLayers(await openTestImage(location)))
  return tree.entries().map((n) => {
    // A hardlink is one more name for a regular file: the rootfs shows a file of the shared size.
    const type = n.type === 'hardlink' ? 'file' : n.type
    const o: Observed = {path: n.path, type, mode: n.mode}
    if (type === 'file') o.size = n.size
    if (n.type === 'symlink') o.linkTarget = n.linkTarget
    return o
  })
}

/** Writes `layers` steps into a bundle, `umoci repack`ing after each, then converts with skopeo. */
function buildImage(work: string, steps: Array<(rootfs: string) => void>) {
  const layout = join(work, 'oci')
  const bundle = join(work, 'bundle')
  run('umoci', ['init', '--layout', layout])
  run('umoci', ['new', '--image', `${layout}:img`])
  run('umoci', ['unpack', '--rootless', '--image', `${layout}:img`, bundle])
  for (const step of steps) {
    step(join(bundle, 'rootfs'))
    run('umoci', ['repack', '--refresh-bundle', '--image', `${layout}:img`, bundle])
  }
  const check = join(work, 'check')
  run('umoci', ['unpack', '--rootless', '--image', `${layout}:img`, check])
  run('skopeo', ['--insecure-policy', 'copy', '-q', `oci:${layout}:img`, `docker-archive:${join(work, 'img-docker.tar')}`])
  run('skopeo', ['--insecure-policy', 'copy', '-q', `oci:${layout}:img`, `oci-archive:${join(work, 'img-oci.tar')}`])
  return {
    rootfs: join(check, 'rootfs'),
    locations: {
      'oci layout': `oci:${layout}:img`,
      'docker-archive': `docker-archive:${join(work, 'img-docker.tar')}`,
      'oci-archive': `oci-archive:${join(work, 'img-oci.tar')}`,
    },
  }
}

const file = (root: string, path: string, content: string | Buffer, mode = 0o644) => {
  mkdirSync(join(root, path, '..'), {recursive: true})
  writeFileSync(join(root, path), content)
  chmodSync(join(root, path), mode)
}

describe.skipIf(!tools)('interop: umoci-built images', () => {
  let built: ReturnType<typeof buildImage>
  beforeAll(() => {
    built = buildImage(tmpDir('layer-audit-umoci-'), [
      (r) => {
        file(r, 'opt/extensions/ext', '#!/bin/sh\necho ext\n', 0o755)
        file(r, 'opt/lib/a.txt', 'a')
        file(r, 'opt/lib/b.txt', 'bb')
        file(r, 'opt/lib/deep/er/c.txt', 'ccc')
        file(r, 'data/big', Buffer.alloc(100_000, 1))
        linkSync(join(r, 'data/big'), join(r, 'data/big-link'))
        symlinkSync('lib', join(r, 'opt/current'))
        symlinkSync('/etc/passwd', join(r, 'opt/abs'))
        symlinkSync('../../../../escape', join(r, 'opt/escape'))
        file(r, 'etc/conf', 'conf')
        file(r, 'replace-me-dir/x', 'x')
        file(r, 'replace-me-dir/y', 'y')
        file(r, 'replace-me-file', 'file')
        file(r, 'usr/bin/su-ish', 'su', 0o4755)
        mkdirSync(join(r, 'tmp'))
        chmodSync(join(r, 'tmp'), 0o1777)
        mkdirSync(join(r, 'run'))
        execFileSync('mkfifo', [join(r, 'run/pipe')])
      },
      (r) => {
        rmSync(join(r, 'opt/lib/b.txt'))
        rmSync(join(r, 'replace-me-dir'), {recursive: true})
        file(r, 'replace-me-dir', 'now a file')
        rmSync(join(r, 'replace-me-file'))
        file(r, 'replace-me-file/child', 'now a dir')
        rmSync(join(r, 'opt/lib'), {recursive: true})
        file(r, 'opt/lib/new.txt', 'new')
        chmodSync(join(r, 'etc/conf'), 0o600)
        file(r, 'opt/extensions/ext', '#!/bin/sh\necho ext v2\n', 0o755)
      },
      (r) => {
        rmSync(join(r, 'data'), {recursive: true})
        file(r, 'bin/tool', 'tool', 0o755)
        linkSync(join(r, 'bin/tool'), join(r, 'bin/tool2'))
        chmodSync(join(r, 'opt/extensions'), 0o700)
      },
    ])
  }, 120_000)

  for (const format of ['oci layout', 'docker-archive', 'oci-archive'] as const) {
    it(`${format}: flatten equals umoci's rootfs`, async () => {
      const expected = walkRootfs(built.rootfs)
      expect(expected.some((o) => o.path === '/opt/lib/new.txt')).toBe(true)
      expect(await observedTree(built.locations[format])).toEqual(expected)
    })
  }

  it('the layers carry the whiteouts umoci wrote', async () => {
    const layers = await readLayers(await openTestImage(built.locations['oci layout']))
    expect(layers).toHaveLength(3)
    // umoci 0.4.7 writes one .wh. per removed name (no opaque markers), beside the re-created entries.
    expect(layers[1].whiteouts).toEqual(expect.arrayContaining([{kind: 'file', path: '/opt/lib/b.txt'}, {kind: 'file', path: '/replace-me-dir/x'}]))
    expect(layers[1].entries).toContainEqual(expect.objectContaining({path: '/replace-me-dir', type: 'file'}))
    expect(layers[2].whiteouts).toContainEqual({kind: 'file', path: '/data'})
    expect(flatten(layers, {upTo: 1}).get('/data/big-link')).toMatchObject({type: 'hardlink', size: 100_000})
  })
})

describeUnless(tools ? REALDATA_MISSING : 'umoci and skopeo not installed', 'interop: dive test image against umoci', () => {
  it('docker-archive → skopeo → umoci rootfs equals our flatten', async () => {
    const work = tmpDir('layer-audit-umoci-dive-')
    const archive = join(realdata, 'dive/test-docker-image.tar')
    run('skopeo', ['--insecure-policy', 'copy', '-q', `docker-archive:${archive}`, `oci:${join(work, 'oci')}:img`])
    run('umoci', ['unpack', '--rootless', '--image', `${join(work, 'oci')}:img`, join(work, 'b')])
    expect(await observedTree(`docker-archive:${archive}`)).toEqual(walkRootfs(join(work, 'b/rootfs')))
  }, 60_000)
})

describe.skipIf(!tools)('interop: opaque directories (hand-made layers) against umoci', () => {
  it('opaque markers before and after same-layer siblings, rm -rf + mkdir, file → dir', async () => {
    const work = tmpDir('layer-audit-umoci-opq-')
    const layout = join(work, 'oci')
    writeOciLayout(layout, [
      await packTar([
        {name: 'd/', type: 'directory', mode: 0o755},
        {name: 'd/a', content: 'a'},
        {name: 'd/sub/c', content: 'c'},
        {name: 'e/x', content: 'x'},
        {name: 'keep', content: 'file'},
        {name: 'f/', type: 'directory', mode: 0o750},
        {name: 'f/old', content: 'old'},
      ]),
      await packTar([
        {name: 'd/.wh..wh..opq', content: ''},
        {name: 'd/new1', content: 'n1'},
        {name: 'e/new2', content: 'n2'},
        {name: 'e/.wh..wh..opq', content: ''},
      ]),
      await packTar([
        {name: '.wh.keep', content: ''},
        {name: 'keep/', type: 'directory', mode: 0o700},
        {name: 'keep/inside', content: 'i'},
        {name: 'f/', type: 'directory', mode: 0o755},
        {name: 'f/new', content: 'new'},
        {name: '.wh.f', content: ''},
      ]),
    ])
    run('umoci', ['unpack', '--rootless', '--image', `${layout}:img`, join(work, 'b')])
    const expected = walkRootfs(join(work, 'b/rootfs'))
    expect(expected.map((o) => o.path)).toEqual(['/d', '/d/new1', '/e', '/e/new2', '/f', '/f/new', '/keep', '/keep/inside'])
    expect(await observedTree(`oci:${layout}:img`)).toEqual(expected)
  })
})
