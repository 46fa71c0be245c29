/**
 * An image never makes layer-audit read outside it, and its bytes never reach an error message:
 * symlinks out of an OCI layout or an archive, JSON that is not JSON, media types of 2,000 characters,
 * pipes given as a path (docs/security.md).
 */
import {spawn} from 'node:child_process'
import {mkdirSync, readFileSync, renameSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {openImage} from '../../src/image/index.js'
import {liveSpoolCount} from '../../src/io/spool.js'
import {TarArchive} from '../../src/image/sources/tar-index.js'
import {errorOf, layerTar, OciLayoutBuilder, readAllLayers, run, sha256, tempDir} from './helpers.js'

const tmp = tempDir('la-untrusted-')
afterAll(() => tmp.cleanup())
const at = (...parts: string[]): string => join(tmp.path, ...parts)

/** A secret only a file outside the image holds: it must appear in no result and no error. */
const OUTSIDE_SECRET = 'ghp_OutsideTheImage0123456789abcdefABCDEF'

/** An OCI layout with one image whose config and layer are plain blobs. */
function layout(name: string): {dir: string; builder: OciLayoutBuilder; manifest: ReturnType<OciLayoutBuilder['image']>} {
  const dir = at(name)
  const builder = new OciLayoutBuilder(dir)
  const manifest = builder.image({layers: [{tar: layerTar({'var/task/app.py': 'print(1)\n'})}]})
  builder.writeIndex([manifest])
  return {dir, builder, manifest}
}

/** The config blob of a layout built by `layout` (the manifest's config descriptor). */
function configPath(dir: string, manifestDigest: string): string {
  const manifest = JSON.parse(readFileSync(join(dir, 'blobs', 'sha256', manifestDigest.slice(7)), 'utf8')) as {config: {digest: string}}
  return join(dir, 'blobs', 'sha256', manifest.config.digest.slice(7))
}

beforeAll(() => {
  writeFileSync(at('outside.txt'), `${OUTSIDE_SECRET}\nroot:x:0:0\n`)
})

describe('an OCI layout is read only inside itself', () => {
  it('refuses an index.json that is a symlink out of the layout (to /etc/passwd)', async () => {
    const {dir} = layout('index-to-passwd')
    renameSync(join(dir, 'index.json'), join(dir, 'index.real'))
    symlinkSync('/etc/passwd', join(dir, 'index.json'))
    const error = await errorOf(openImage(dir))
    expect(error.code).toBe('CORRUPT')
    expect(error.message).toBe('index.json leads outside the layout (a symlink out of it): not read')
    expect(error.line).not.toMatch(/root:/)
  })

  it('refuses a blob that is a symlink to /proc/self/environ, or to a file beside the layout', async () => {
    process.env.LA_TEST_OUTSIDE_SECRET = OUTSIDE_SECRET
    try {
      for (const target of ['/proc/self/environ', at('outside.txt')]) {
        const {dir, manifest} = layout(`blob-out-${target.length}`)
        const config = configPath(dir, manifest.digest)
        renameSync(config, `${config}.real`)
        symlinkSync(target, config)
        const error = await errorOf(openImage(dir))
        expect(error.code).toBe('CORRUPT')
        expect(error.message).toMatch(/^blob sha256:[a-f0-9]{64} leads outside the layout/)
        expect(error.line).not.toContain(OUTSIDE_SECRET)
      }
    } finally {
      delete process.env.LA_TEST_OUTSIDE_SECRET
    }
  })

  it('refuses a blobs directory that is a symlink out of the layout', async () => {
    const {dir} = layout('blobs-dir-out')
    renameSync(join(dir, 'blobs'), at('blobs-elsewhere'))
    symlinkSync(at('blobs-elsewhere'), join(dir, 'blobs'))
    const error = await errorOf(openImage(dir))
    expect(error.message).toMatch(/leads outside the layout/)
  })

  it('follows a symlink from one file of the layout to another (deduplicated blobs)', async () => {
    const {dir, manifest} = layout('inside-links')
    mkdirSync(join(dir, 'store'))
    const config = configPath(dir, manifest.digest)
    renameSync(config, join(dir, 'store', 'config'))
    symlinkSync('../../store/config', config)
    renameSync(join(dir, 'index.json'), join(dir, 'store', 'index.json'))
    symlinkSync('store/index.json', join(dir, 'index.json'))
    const image = await openImage(dir)
    expect(image.layers).toHaveLength(1)
    await readAllLayers(image)
  })

  it('never blocks on a FIFO planted in the layout: it is not a regular file', async () => {
    const {dir} = layout('index-fifo')
    renameSync(join(dir, 'index.json'), join(dir, 'index.real'))
    run('mkfifo', [join(dir, 'index.json')])
    const error = await errorOf(openImage(dir))
    expect(error.message).toBe('index.json is not a regular file')
  })
})

/** A docker-archive made by GNU tar from `files` (content, or {link} for a symlink member), in this order. */
function archive(name: string, files: Record<string, string | Buffer | {link: string}>): string {
  const root = at(`${name}.d`)
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), {recursive: true})
    if (typeof content === 'string' || Buffer.isBuffer(content)) writeFileSync(join(root, path), content)
    else symlinkSync(content.link, join(root, path))
  }
  const path = at(`${name}.tar`)
  run('tar', ['--format', 'pax', '-cf', path, '-C', root, ...Object.keys(files)])
  return path
}

describe('an archive is read only inside itself', () => {
  const layer = layerTar({'var/task/app.py': 'print(1)\n'})
  const config = JSON.stringify({architecture: 'amd64', os: 'linux', rootfs: {type: 'layers', diff_ids: [sha256(layer)]}})
  const manifest = (configName: string) => JSON.stringify([{Config: configName, RepoTags: ['t:1'], Layers: ['l0/layer.tar']}])

  it('follows symlinks between members (skopeo), but a link that climbs out of the archive is dangling', async () => {
    const good = archive('links-inside', {
      'manifest.json': manifest('l0/config.json'),
      'cfg.json': config,
      'l0/config.json': {link: '../cfg.json'},
      'layer.tar': layer,
      'l0/layer.tar': {link: '../layer.tar'},
    })
    await readAllLayers(await openImage(good))

    // `../../cfg.json` from l0/ climbs above the root: once clamped to the member cfg.json, now dangling.
    const escaping = archive('links-escape', {
      'manifest.json': manifest('l0/config.json'),
      'cfg.json': config,
      'l0/config.json': {link: '../../cfg.json'},
    })
    const tar = await TarArchive.open(escaping, 'none', escaping)
    expect(tar.find('l0/config.json')).toBeUndefined()
    expect(tar.find('cfg.json')?.type).toBe('file')
    const error = await errorOf(openImage(escaping))
    expect(error.code).toBe('NOT_FOUND')
    expect(error.message).toBe('l0/config.json is missing from the archive')
  })

  it('reads an absolute link target as a member, never as a file of the host', async () => {
    const path = archive('links-absolute', {
      'manifest.json': manifest('l0/config.json'),
      'l0/config.json': {link: at('outside.txt')},
    })
    const error = await errorOf(openImage(path))
    expect(error.message).toBe('l0/config.json is missing from the archive')
    expect(error.line).not.toContain(OUTSIDE_SECRET)
  })
})

describe('errors name the document and the byte, never its bytes', () => {
  it('a config that is a bare token: "config sha256:… is not valid JSON (at byte 0)", no token', async () => {
    const token = 'ghp_BareTokenAsConfig0123456789abcdefABCD\nsecond line'
    const path = archive('token-config', {'manifest.json': JSON.stringify([{Config: 'cfg.json', RepoTags: [], Layers: []}]), 'cfg.json': token})
    const error = await errorOf(openImage(path))
    expect(error.code).toBe('CORRUPT')
    expect(error.message).toBe(`config ${sha256(Buffer.from(token)).slice(0, 19)}… is not valid JSON (at byte 0)`)
    expect(error.line).not.toContain('ghp_')
    expect(error.line).not.toContain('\n')
  })

  it('an index.json that stops early, or holds a secret after a valid start', async () => {
    for (const [text, place] of [
      ['{"schemaVersion": 2, "manifests": [', 'cut short at byte 35'],
      ['{"schemaVersion": 2, "token": ghp_SecretAfterValidStart0123456789abcd}', 'at byte 30'],
    ] as const) {
      const {dir} = layout(`index-bad-${place.length}`)
      writeFileSync(join(dir, 'index.json'), text)
      const error = await errorOf(openImage(dir))
      expect(error.message).toBe(`index.json is not valid JSON (${place})`)
      expect(error.line).not.toContain('ghp_')
    }
  })

  it('a 2,000-character media type (with controls in it) is quoted escaped and cut to 80 characters', async () => {
    const {dir, builder} = layout('long-media-type')
    const mediaType = `application/vnd.evil\n\u001b[31m${'x'.repeat(2000)}`
    const layerBlob = builder.blob(layerTar({'a.txt': 'a'}), mediaType)
    const config = builder.json(
      {architecture: 'amd64', os: 'linux', rootfs: {type: 'layers', diff_ids: [sha256(layerTar({'a.txt': 'a'}))]}},
      'application/vnd.oci.image.config.v1+json',
    )
    const manifest = builder.json(
      {schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config, layers: [layerBlob]},
      'application/vnd.oci.image.manifest.v1+json',
    )
    builder.writeIndex([manifest])
    const error = await errorOf(openImage(dir))
    expect(error.code).toBe('UNSUPPORTED')
    expect(error.message).toMatch(/^unsupported media type application\/vnd\.evil\\n\\x1b\[31mx+… \(layer\)$/)
    const quoted = error.message.slice('unsupported media type '.length, -' (layer)'.length)
    expect(quoted.length).toBeLessThanOrEqual(80)
    expect(error.line).not.toMatch(/[\u0000-\u001f]/)
  })

  it('ten thousand refs are not all listed when the asked ref is not among them', async () => {
    const {dir, builder} = layout('many-refs')
    const one = builder.image({layers: [{tar: layerTar({'a.txt': 'a'})}]})
    const refs = Array.from({length: 10_000}, (_, i) => `ref-${i}-${'r'.repeat(100)}`)
    builder.writeIndex(refs.map((ref) => ({...one, annotations: {'org.opencontainers.image.ref.name': ref}})))
    const error = await errorOf(openImage(`oci:${dir}:nope`))
    expect(error.code).toBe('NOT_FOUND')
    expect(error.message.length).toBeLessThan(1200)
    expect(error.message).toContain('… and 9990 more')
  })
})

describe('a pipe given as a path', () => {
  it('is spooled like stdin, read, and its spool removed', async () => {
    const {dir} = layout('for-fifo')
    const tarPath = at('for-fifo.tar')
    run('tar', ['-cf', tarPath, '-C', dir, '.'])
    const fifo = at('image.fifo')
    run('mkfifo', [fifo])
    const writer = spawn('sh', ['-c', 'cat "$1" > "$2"', 'sh', tarPath, fifo], {stdio: 'ignore'})
    const written = new Promise((resolve) => writer.on('exit', resolve))
    const image = await openImage(fifo)
    expect(image.source).toBe('oci-archive')
    expect(liveSpoolCount()).toBe(1)
    await readAllLayers(image)
    await image.close()
    expect(liveSpoolCount()).toBe(0)
    expect(await written).toBe(0)
  })
})
