/**
 * Image pairs for the `layer-audit diff A B` tests, made by real tools only: umoci builds and repacks OCI
 * images and sets their config, Python's tarfile writes the layers umoci cannot make (other owners, an
 * opaque whiteout), and skopeo converts an OCI layout to a docker-archive. EXPECTED says, as data, what
 * differs in each pair.
 *
 * Everything is deterministic: every mtime in every layer is pinned (touch -h -d before each repack,
 * TarInfo.mtime in Python), every config `created` and history `created` is pinned to the same instant,
 * and nothing reads the clock. All the images but the docker-archive live in one OCI layout,
 * `<dir>/oci`, one tag per image (blobs shared); buildPairs takes 3 to 5 s.
 *
 * What the tools do, that the expectations rely on (umoci 0.4.7, skopeo 1.9.3, checked with tar -tvf):
 * - umoci keeps the mtimes it finds in the bundle (files, directories, symlinks: lstat, touch -h works).
 *   Creating a file in a directory changes that directory's mtime, so every tree is re-touched to the
 *   pinned date before each repack: directories are the same on both sides unless a pair says otherwise.
 * - umoci repack writes what go-mtree sees changed since the unpack (or the last --refresh-bundle). The
 *   first layer built on `umoci new`'s empty image starts with a "./" entry (the rootfs went from its
 *   1970 mtime to the pinned one); "/" is never a node of a merged tree, so it never shows. Layer 1 of the
 *   base image re-writes app/ (same metadata as layer 0's); addedLayer's new layer holds etc/added.conf
 *   alone (no etc/, no ./). Either way, no directory differs in the merged trees.
 * - Python's tarfile layers have no "./" entry and no uname/gname (numeric ids only).
 * - umoci new and umoci repack set the config `created` to the current time: every image is finished
 *   with `umoci config --created CREATED --no-history` (that step adds no history entry).
 * - umoci config --config.env appends (or replaces by name); --config.cmd replaces the whole Cmd (a value
 *   starting with "--" must be passed as --config.cmd=--verbose).
 * - skopeo's docker-archive keeps the config blob byte for byte (same digest, diff_ids, created,
 *   history) but stores the layers uncompressed: other layer digests, the same diff_ids. Its
 *   RepoTags reads docker.io/layer-audit/pairs:v1.
 * - Two builds give byte-identical manifests, configs and docker-archive.
 */
import {execFile} from 'node:child_process'
import {chmodSync, mkdirSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {promisify} from 'node:util'

const exec = promisify(execFile)

/** An image reference layer-audit's CLI opens: a docker-archive tar path, `oci:DIR:TAG`, or `oci-archive:PATH`. */
export interface ImagePair {
  a: string
  b: string
}

export type PairName = 'sameDifferentFormats' | 'mtimeOnly' | 'modeOnly' | 'ownerOnly' | 'typeAndLink' | 'opaqueReplace' | 'addedLayer' | 'envCmd'

export const PAIR_NAMES: readonly PairName[] = ['sameDifferentFormats', 'mtimeOnly', 'modeOnly', 'ownerOnly', 'typeAndLink', 'opaqueReplace', 'addedLayer', 'envCmd']

export type FileField = 'type' | 'mode' | 'uid' | 'gid' | 'size' | 'content' | 'linkTarget' | 'mtime'

export interface ExpectedFileChange {
  path: string
  kind: 'added' | 'removed' | 'modified'
  /** modified only: what differs, in this order: type, mode, uid, gid, size, content, linkTarget, mtime. */
  fields?: FileField[]
  /**
   * Set when the path lies under a directory that is added, removed or replaced by a non-directory (or
   * the reverse) at the path given here: a diff that reports such a directory as one change folds this
   * path into it (entriesBelow) instead of listing it.
   */
  under?: string
}

export interface PairExpectation {
  /** Every path of the merged trees that differs, in tree order (depth first, names sorted). */
  files: ExpectedFileChange[]
  /** Config keys that differ, in the order entrypoint, cmd, env. `created`, platform, history: always equal. */
  config: Array<'env' | 'cmd' | 'entrypoint'>
  layersA: number
  layersB: number
  /** Layers of B whose diff_id A also has. */
  sharedLayers: number
}

/** The pinned instants: every mtime is MTIME_A except B's in mtimeOnly (MTIME_B). */
export const MTIME_A = '2020-01-01T00:00:00Z'
export const MTIME_B = '2021-06-15T12:00:00Z'
export const MTIME_A_SECONDS = Date.parse(MTIME_A) / 1000
export const MTIME_B_SECONDS = Date.parse(MTIME_B) / 1000
/** Config `created` and every history `created`, on every image. */
export const CREATED = '2020-01-01T00:00:00Z'

/** The base image's config; envCmd's B changes it. */
export const BASE_ENV = ['PATH=/usr/local/bin:/usr/bin:/bin']
export const BASE_CMD = ['python', '/app/main.py']

/**
 * The base image (`oci:<dir>/oci:v1`), two layers, every entry root-owned with mtime MTIME_A:
 *   layer 0: /etc (0755), /etc/os-release (0644), /app (0755), /app/main.py (0644)
 *   layer 1: /app (0755: umoci re-writes it, same metadata), /app/current -> lib, /app/lib (0755),
 *            /app/lib/util.py (0644)
 * config: Env BASE_ENV, Cmd BASE_CMD, amd64/linux, created CREATED.
 */
export const BASE_PATHS = ['/app', '/app/current', '/app/lib', '/app/lib/util.py', '/app/main.py', '/etc', '/etc/os-release'] as const

export const EXPECTED: Record<PairName, PairExpectation> = {
  // The base image as an OCI layout (oci:DIR:v1) and as skopeo's docker-archive of it: nothing differs
  // but the layer digests (uncompressed in the archive; the diff_ids are the same) and the manifest type.
  sameDifferentFormats: {files: [], config: [], layersA: 2, layersB: 2, sharedLayers: 2},

  // The base image built twice, the second time every entry touched to MTIME_B instead of MTIME_A:
  // every path (files, directories and the symlink) differs by its mtime only. No layer is shared.
  mtimeOnly: {
    files: BASE_PATHS.map((path) => ({path, kind: 'modified', fields: ['mtime']})),
    config: [],
    layersA: 2,
    layersB: 2,
    sharedLayers: 0,
  },

  // The base image built twice, /app/main.py chmod 0755 the second time (0644 in A). Layer 0 differs,
  // layer 1 is byte for byte the same (shared).
  modeOnly: {files: [{path: '/app/main.py', kind: 'modified', fields: ['mode']}], config: [], layersA: 2, layersB: 2, sharedLayers: 1},

  // One layer written by Python's tarfile (umoci new + umoci raw add-layer): /etc, /etc/os-release, /app,
  // /app/main.py, all 0:0 in A; in B /app/main.py is 1000:1000, nothing else differs.
  ownerOnly: {files: [{path: '/app/main.py', kind: 'modified', fields: ['uid', 'gid']}], config: [], layersA: 1, layersB: 1, sharedLayers: 0},

  // One umoci layer each, beside the same /app/a and /app/b files. A: /app/data a 5-byte file (0644),
  // /app/link -> a. B: /app/data a directory (0755) holding /app/data/x (0644), /app/link -> b.
  // /app/data: type and mode differ (size is compared between files only); /app/data/x is new, under
  // the replaced /app/data. /app itself is the same (re-touched).
  typeAndLink: {
    files: [
      {path: '/app/data', kind: 'modified', fields: ['type', 'mode']},
      {path: '/app/data/x', kind: 'added', under: '/app/data'},
      {path: '/app/link', kind: 'modified', fields: ['linkTarget']},
    ],
    config: [],
    layersA: 1,
    layersB: 1,
    sharedLayers: 0,
  },

  // A: one umoci layer with /opt, /opt/sub, /opt/sub/1, /opt/sub/2, /opt/sub/3. B: the same layer 0, plus
  // a Python tarfile layer 1: opt/ and opt/sub/ (0755, 0:0, MTIME_A: the same metadata as layer 0's),
  // opt/sub/.wh..wh..opq, opt/sub/new. /opt/sub is re-written but unchanged, so it is not a change;
  // its three files are removed and new is added.
  opaqueReplace: {
    files: [
      {path: '/opt/sub/1', kind: 'removed'},
      {path: '/opt/sub/2', kind: 'removed'},
      {path: '/opt/sub/3', kind: 'removed'},
      {path: '/opt/sub/new', kind: 'added'},
    ],
    config: [],
    layersA: 1,
    layersB: 2,
    sharedLayers: 1,
  },

  // A is the base image (v1); B is v1 plus a third umoci layer holding /etc/added.conf (0644, MTIME_A)
  // and nothing else: /etc is re-touched before the repack, so umoci does not re-write it.
  addedLayer: {files: [{path: '/etc/added.conf', kind: 'added'}], config: [], layersA: 2, layersB: 3, sharedLayers: 2},

  // A is the base image (v1); B is `umoci config` of it: the same layers (same blobs), Env gains FOO=bar
  // (an env change, name FOO, kind added), Cmd becomes ["python","/app/main.py","--verbose"].
  envCmd: {files: [], config: ['cmd', 'env'], layersA: 2, layersB: 2, sharedLayers: 2},
}

// ── Building ─────────────────────────────────────────────────────────────────────────────────────

async function run(cmd: string, args: string[], cwd?: string): Promise<void> {
  try {
    await exec(cmd, args, {cwd, maxBuffer: 1 << 24})
  } catch (error) {
    const e = error as {stderr?: string; message: string}
    throw new Error(`${cmd} ${args.join(' ')} failed: ${e.stderr || e.message}`)
  }
}

type Tree = Record<string, string | {content: string; mode: number} | {link: string} | {dir: true; mode?: number}>

/** Writes files (0644 unless told), symlinks and directories (0755) under root, creating parents 0755. */
function writeTree(root: string, tree: Tree): void {
  const mkdirs = (dir: string) => {
    mkdirSync(dir, {recursive: true})
  }
  for (const [path, what] of Object.entries(tree)) {
    const full = join(root, path)
    mkdirs(join(full, '..'))
    if (typeof what === 'string') {
      writeFileSync(full, what)
      chmodSync(full, 0o644)
    } else if ('link' in what) {
      symlinkSync(what.link, full)
    } else if ('dir' in what) {
      mkdirs(full)
      chmodSync(full, what.mode ?? 0o755)
    } else {
      writeFileSync(full, what.content)
      chmodSync(full, what.mode)
    }
  }
}

/** chmod 0755 every directory under root (whatever the umask made them), then pin every mtime. */
async function pin(root: string, date: string): Promise<void> {
  await run('find', [root, '-mindepth', '1', '-type', 'd', '-exec', 'chmod', '0755', '{}', '+'])
  await run('find', [root, '-exec', 'touch', '-h', '-d', date, '{}', '+'])
}

const PY_LAYER = `
import io, json, sys, tarfile
out, entries = sys.argv[1], json.loads(sys.argv[2])
with tarfile.open(out, 'w', format=tarfile.PAX_FORMAT) as tar:
    for e in entries:
        info = tarfile.TarInfo(e['name'])
        info.mtime = e['mtime']
        info.mode = e['mode']
        info.uid = e.get('uid', 0)
        info.gid = e.get('gid', 0)
        info.uname = ''
        info.gname = ''
        data = None
        if e['type'] == 'dir':
            info.type = tarfile.DIRTYPE
        elif e['type'] == 'symlink':
            info.type = tarfile.SYMTYPE
            info.linkname = e['target']
        else:
            data = e.get('content', '').encode()
            info.size = len(data)
        tar.addfile(info, io.BytesIO(data) if data is not None else None)
`

interface PyEntry {
  name: string
  type: 'file' | 'dir' | 'symlink'
  mode: number
  mtime: number
  uid?: number
  gid?: number
  content?: string
  target?: string
}

class Builder {
  readonly layout: string
  private bundles = 0

  constructor(readonly dir: string) {
    this.layout = join(dir, 'oci')
  }

  ref(tag: string): string {
    return `oci:${this.layout}:${tag}`
  }

  async init(): Promise<void> {
    mkdirSync(this.dir, {recursive: true})
    await run('umoci', ['init', '--layout', this.layout])
    await run('umoci', ['new', '--image', `${this.layout}:empty`])
  }

  /** Unpacks FROM, applies each step as one more layer (umoci repack), tags the result TO. */
  async layers(from: string, to: string, steps: Array<{createdBy: string; change: (rootfs: string) => void; mtime?: string}>): Promise<void> {
    const bundle = join(this.dir, `bundle-${this.bundles++}`)
    await run('umoci', ['unpack', '--rootless', '--image', `${this.layout}:${from}`, bundle])
    if (steps.length === 0) throw new Error('layers: no step')
    for (const step of steps) {
      step.change(join(bundle, 'rootfs'))
      await pin(join(bundle, 'rootfs'), step.mtime ?? MTIME_A)
      await run('umoci', [
        'repack', '--refresh-bundle', '--image', `${this.layout}:${to}`,
        '--history.created', CREATED, '--history.created_by', step.createdBy, bundle,
      ])
    }
    rmSync(bundle, {recursive: true, force: true})
  }

  /** One layer written by Python's tarfile, added on top of FROM as TO. */
  async pyLayer(from: string, to: string, name: string, entries: PyEntry[], createdBy: string): Promise<void> {
    const tar = join(this.dir, `${name}.tar`)
    await run('python3', ['-c', PY_LAYER, tar, JSON.stringify(entries)])
    await run('umoci', [
      'raw', 'add-layer', '--image', `${this.layout}:${from}`, '--tag', to,
      '--history.created', CREATED, '--history.created_by', createdBy, tar,
    ])
  }

  /** Pins `created` (umoci new and repack set it to now) and sets the config, no history entry. */
  async config(tag: string, extra: string[] = [], newTag?: string): Promise<void> {
    await run('umoci', [
      'config', '--image', `${this.layout}:${tag}`, ...(newTag ? ['--tag', newTag] : []),
      '--no-history', '--created', CREATED, '--architecture', 'amd64', '--os', 'linux', ...extra,
    ])
  }

  async baseConfig(tag: string): Promise<void> {
    await this.config(tag, [...BASE_ENV.flatMap((e) => ['--config.env', e]), ...BASE_CMD.flatMap((c) => [`--config.cmd=${c}`])])
  }
}

/** The base image's two layers; `mainMode` for modeOnly's B. */
function baseSteps(mtime: string, mainMode = 0o644) {
  return [
    {
      createdBy: 'COPY os-release main.py',
      mtime,
      change: (r: string) => writeTree(r, {'etc/os-release': 'ID=demo\nVERSION_ID=1\n', 'app/main.py': {content: 'print("hello")\n', mode: mainMode}}),
    },
    {
      createdBy: 'COPY lib',
      mtime,
      change: (r: string) => writeTree(r, {'app/lib/util.py': 'def util():\n    return 1\n', 'app/current': {link: 'lib'}}),
    },
  ]
}

/**
 * Builds every pair under `dir` (created if missing; the caller removes it). Needs umoci, skopeo,
 * python3, GNU tar and find/touch on PATH.
 */
export async function buildPairs(dir: string): Promise<Record<PairName, ImagePair>> {
  const b = new Builder(dir)
  await b.init()
  const T = MTIME_A_SECONDS

  // Base image: v1, and its docker-archive.
  await b.layers('empty', 'v1', baseSteps(MTIME_A))
  await b.baseConfig('v1')
  const archive = join(dir, 'v1.docker.tar')
  await run('skopeo', ['--insecure-policy', 'copy', '-q', b.ref('v1'), `docker-archive:${archive}:layer-audit/pairs:v1`])

  // mtimeOnly, modeOnly: the base built again.
  await b.layers('empty', 'mtime-b', baseSteps(MTIME_B))
  await b.baseConfig('mtime-b')
  await b.layers('empty', 'mode-b', baseSteps(MTIME_A, 0o755))
  await b.baseConfig('mode-b')

  // ownerOnly: hand-made layers.
  const ownerLayer = (owner: number): PyEntry[] => [
    {name: 'etc/', type: 'dir', mode: 0o755, mtime: T},
    {name: 'etc/os-release', type: 'file', mode: 0o644, mtime: T, content: 'ID=demo\nVERSION_ID=1\n'},
    {name: 'app/', type: 'dir', mode: 0o755, mtime: T},
    {name: 'app/main.py', type: 'file', mode: 0o644, mtime: T, uid: owner, gid: owner, content: 'print("hello")\n'},
  ]
  await b.pyLayer('empty', 'owner-a', 'owner-a', ownerLayer(0), 'COPY app')
  await b.baseConfig('owner-a')
  await b.pyLayer('empty', 'owner-b', 'owner-b', ownerLayer(1000), 'COPY app')
  await b.baseConfig('owner-b')

  // typeAndLink.
  const common: Tree = {'app/a': 'a\n', 'app/b': 'b\n'}
  await b.layers('empty', 'type-a', [{createdBy: 'COPY app', change: (r) => writeTree(r, {...common, 'app/data': 'data\n', 'app/link': {link: 'a'}})}])
  await b.baseConfig('type-a')
  await b.layers('empty', 'type-b', [{createdBy: 'COPY app', change: (r) => writeTree(r, {...common, 'app/data/x': 'x\n', 'app/link': {link: 'b'}})}])
  await b.baseConfig('type-b')

  // opaqueReplace: umoci's layer 0, then a hand-made layer with the opaque marker.
  await b.layers('empty', 'opaque-a', [{createdBy: 'COPY sub', change: (r) => writeTree(r, {'opt/sub/1': '1\n', 'opt/sub/2': '2\n', 'opt/sub/3': '3\n'})}])
  await b.baseConfig('opaque-a')
  await b.pyLayer('opaque-a', 'opaque-b', 'opaque-b-layer1', [
    {name: 'opt/', type: 'dir', mode: 0o755, mtime: T},
    {name: 'opt/sub/', type: 'dir', mode: 0o755, mtime: T},
    {name: 'opt/sub/.wh..wh..opq', type: 'file', mode: 0o644, mtime: T, content: ''},
    {name: 'opt/sub/new', type: 'file', mode: 0o644, mtime: T, content: 'new\n'},
  ], 'RUN rm -rf /opt/sub && mkdir /opt/sub && echo new > /opt/sub/new')
  await b.config('opaque-b')

  // addedLayer: v1 plus one layer.
  await b.layers('v1', 'added-b', [{createdBy: 'COPY added.conf', change: (r) => writeTree(r, {'etc/added.conf': 'added=1\n'})}])
  await b.config('added-b')

  // envCmd: v1's layers, another config.
  await b.config('v1', ['--config.env', 'FOO=bar', ...[...BASE_CMD, '--verbose'].map((c) => `--config.cmd=${c}`)], 'env-b')

  return {
    sameDifferentFormats: {a: b.ref('v1'), b: archive},
    mtimeOnly: {a: b.ref('v1'), b: b.ref('mtime-b')},
    modeOnly: {a: b.ref('v1'), b: b.ref('mode-b')},
    ownerOnly: {a: b.ref('owner-a'), b: b.ref('owner-b')},
    typeAndLink: {a: b.ref('type-a'), b: b.ref('type-b')},
    opaqueReplace: {a: b.ref('opaque-a'), b: b.ref('opaque-b')},
    addedLayer: {a: b.ref('v1'), b: b.ref('added-b')},
    envCmd: {a: b.ref('v1'), b: b.ref('env-b')},
  }
}
