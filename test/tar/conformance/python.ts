/**
 * One Python process does what needs bytes for names and root's system calls: staging entries on disk
 * (mknod, lchown, utime with negative or huge times, setxattr, sparse files) and writing tars with
 * Python's tarfile. Jobs are queued, then run in one go (Python starts slowly).
 */
import {execFileSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {specJson, type SpecEntry} from './spec.js'

const SCRIPT = String.raw`
import base64, io, json, math, os, stat, sys, tarfile

def raw(s): return base64.b64decode(s)
def text(s): return raw(s).decode('utf-8', 'surrogateescape')

def stage(root, entries):
    root = root.encode()
    os.makedirs(root, exist_ok=True)
    for e in entries:
        p = os.path.join(root, raw(e['name']))
        t = e['type']
        if t == 'directory':
            os.makedirs(p, exist_ok=True)
        else:
            os.makedirs(os.path.dirname(p), exist_ok=True)
            if t == 'file':
                with open(p, 'wb') as f:
                    if 'sparse' in e:
                        f.truncate(e['sparse']['size'])
                        for offset, data in e['sparse']['data']:
                            f.seek(offset)
                            f.write(data.encode())
                    else:
                        f.write(raw(e['content']))
            elif t == 'symlink':
                os.symlink(raw(e['link']), p)
            elif t == 'hardlink':
                os.link(os.path.join(root, raw(e['link'])), p)
            elif t in ('char', 'block'):
                kind = stat.S_IFCHR if t == 'char' else stat.S_IFBLK
                os.mknod(p, kind | 0o600, os.makedev(e['devmajor'], e['devminor']))
            elif t == 'fifo':
                os.mkfifo(p)
        for k, v in e['xattrs'].items():
            os.setxattr(p, k, raw(v), follow_symlinks=False)
    # Metadata last and children first, so creating entries does not touch a directory's mtime.
    for e in reversed(entries):
        if e['type'] == 'hardlink':
            continue
        p = os.path.join(root, raw(e['name']))
        os.lchown(p, e['uid'], e['gid'])
        if e['type'] != 'symlink':
            os.chmod(p, e['mode'])
        sec = math.floor(e['mtime'])
        ns = sec * 10**9 + round((e['mtime'] - sec) * 10**9)
        os.utime(p, ns=(ns, ns), follow_symlinks=False)

TYPES = {'file': tarfile.REGTYPE, 'directory': tarfile.DIRTYPE, 'symlink': tarfile.SYMTYPE, 'hardlink': tarfile.LNKTYPE,
         'char': tarfile.CHRTYPE, 'block': tarfile.BLKTYPE, 'fifo': tarfile.FIFOTYPE}
FORMATS = {'gnu': tarfile.GNU_FORMAT, 'pax': tarfile.PAX_FORMAT, 'ustar': tarfile.USTAR_FORMAT}

def write_tar(out, fmt, entries, global_headers):
    kw = dict(format=FORMATS[fmt], encoding='utf-8', errors='surrogateescape')
    if global_headers:
        kw['pax_headers'] = {k: text(v) for k, v in global_headers.items()}
    with tarfile.open(out, 'w', **kw) as tf:
        for e in entries:
            ti = tarfile.TarInfo(text(e['name']))
            ti.type = TYPES[e['type']]
            ti.mode = e['mode']
            ti.uid, ti.gid = e['uid'], e['gid']
            ti.mtime = e['mtime']
            ti.linkname = text(e['link'])
            ti.devmajor, ti.devminor = e['devmajor'], e['devminor']
            ti.pax_headers = {'SCHILY.xattr.' + k: text(v) for k, v in e['xattrs'].items()}
            data = raw(e['content']) if e['type'] == 'file' else b''
            ti.size = len(data)
            tf.addfile(ti, io.BytesIO(data) if e['type'] == 'file' else None)

for job in json.load(sys.stdin):
    try:
        if job['op'] == 'stage':
            stage(job['root'], job['entries'])
        else:
            write_tar(job['out'], job['format'], job['entries'], job.get('global'))
    except Exception as error:
        sys.exit('%s %s: %r' % (job['op'], job.get('out') or job.get('root'), error))
`

type Job =
  | {op: 'stage'; root: string; entries: Record<string, unknown>[]}
  | {op: 'tarfile'; out: string; format: 'gnu' | 'pax' | 'ustar'; entries: Record<string, unknown>[]; global?: Record<string, string>}

export class PythonBatch {
  private readonly jobs: Job[] = []
  private ran = false
  private error?: Error

  constructor(private readonly work: string) {}

  /** Queues staging `entries` under `root`; `root` holds them once run() returned. */
  stage(root: string, entries: SpecEntry[]): string {
    this.jobs.push({op: 'stage', root, entries: entries.map(specJson)})
    return root
  }

  /** Queues a tar written by tarfile in `format`; the returned thunk reads it after run(). */
  tarfile(format: 'gnu' | 'pax' | 'ustar', entries: SpecEntry[], options: {global?: Record<string, Buffer>} = {}): () => Buffer {
    const out = join(this.work, `tarfile-${this.jobs.length}-${format}.tar`)
    const global = options.global ? Object.fromEntries(Object.entries(options.global).map(([k, v]) => [k, v.toString('base64')])) : undefined
    this.jobs.push({op: 'tarfile', out, format, entries: entries.map(specJson), ...(global ? {global} : {})})
    return () => {
      this.check()
      return readFileSync(out)
    }
  }

  /** Throws unless run() ran and succeeded (so a staged directory is there). */
  check(): void {
    if (!this.ran) throw new Error('PythonBatch.run() first')
    if (this.error) throw this.error
  }

  /** Runs the queued jobs; a failure fails every case that needs them (check()), not the suite. */
  run(): void {
    this.ran = true
    if (this.jobs.length === 0) return
    try {
      execFileSync('python3', ['-c', SCRIPT], {input: JSON.stringify(this.jobs), stdio: ['pipe', 'ignore', 'pipe'], maxBuffer: 1 << 26})
    } catch (error) {
      const stderr = (error as {stderr?: Buffer}).stderr?.toString().trim()
      this.error = new Error(`python3 (staging and tarfile jobs): ${stderr || (error as Error).message}`)
    }
  }
}
