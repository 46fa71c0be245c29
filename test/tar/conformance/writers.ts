/**
 * The real tar writers of the matrix. Each says what it can express (`accepts`, judged per entry on
 * spec.ts `traits`) and writes a layer from spec entries: disk-based tools archive entries staged on
 * disk by the Python batch, in the spec's order and with the spec's exact names (no recursion, names
 * from a NUL-separated list); the others are handed the entries.
 *
 * A writer whose tool is missing is skipped with a visible reason; in CI (CI=true) only commons-compress
 * may be missing (.ci/run installs no JDK).
 */
import {execFile, execFileSync} from 'node:child_process'
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {pack as tarPack, type Header} from 'tar-stream'
import {goWrite} from './go.js'
import type {PythonBatch} from './python.js'
import {expressible, isUtf8, type EntryTraits, type SpecEntry, writtenName} from './spec.js'

export interface WriteContext {
  work: string
  python: PythonBatch
  goBinary: string
  java: JavaBatch
}

export interface Writer {
  id: string
  /** Commands it needs (checked with `command -v`). */
  tools: string[]
  /** May CI lack the tools? (only writers .ci/run does not install) */
  optional?: boolean
  accepts(t: EntryTraits, entry: SpecEntry): boolean
  /** Queues the layer's writing (staging, Python or Java jobs); the thunk returns the tar once the batches ran. */
  layer(entries: SpecEntry[], ctx: WriteContext): LayerThunk
}

export type LayerThunk = () => Buffer | Promise<Buffer>

let counter = 0
const fresh = (ctx: WriteContext, what: string) => join(ctx.work, `${what}-${counter++}`)

function run(cmd: string, args: string[], options: {cwd?: string; input?: Buffer} = {}): Buffer {
  try {
    return execFileSync(cmd, args, {cwd: options.cwd, input: options.input, maxBuffer: 1 << 28, stdio: ['pipe', 'pipe', 'pipe']})
  } catch (error) {
    const e = error as {stderr?: Buffer; message: string}
    throw new Error(`${cmd} ${args.join(' ')}: ${e.stderr?.toString() || e.message}`)
  }
}

/** The spec's names, NUL-separated, as the tools' name lists. */
const nameList = (entries: SpecEntry[]) => Buffer.concat(entries.flatMap((e) => [e.name, Buffer.of(0)]))

/** A disk-based writer: stage, then `archive(stageDir, nulList)`. */
function diskWriter(id: string, tools: string[], accepts: Writer['accepts'], archive: (stage: string, list: Buffer) => Buffer): Writer {
  return {
    id,
    tools,
    accepts,
    layer(entries, ctx) {
      const kept = expressible(entries, accepts)
      if (kept.length === 0) return () => Buffer.alloc(0)
      const stage = ctx.python.stage(fresh(ctx, 'stage'), kept)
      return () => {
        ctx.python.check()
        return archive(stage, nameList(kept))
      }
    },
  }
}

/** A writer handed the entries. */
function specWriter(id: string, tools: string[], accepts: Writer['accepts'], write: (entries: SpecEntry[], ctx: WriteContext) => LayerThunk): Writer {
  return {id, tools, accepts, layer: (entries, ctx) => write(expressible(entries, accepts), ctx)}
}

// What the classic formats can hold.
const noXattrs = (t: EntryTraits) => !t.xattrs
const noSparse = (t: EntryTraits) => !t.sparse
const ustarNumbers = (t: EntryTraits) => !t.bigId && !t.negativeMtime && !t.hugeMtime
const ustarLike = (t: EntryTraits) => t.ustarName && t.linkLength <= 100 && ustarNumbers(t) && noXattrs(t) && noSparse(t)
const v7Like = (t: EntryTraits) => t.nameLength <= 99 && t.linkLength <= 99 && ustarNumbers(t) && noXattrs(t) && noSparse(t) && !t.device && !t.fifo
const gnuLike = (t: EntryTraits) => noXattrs(t) && noSparse(t)
const everything = (t: EntryTraits) => noSparse(t)

// ---------------------------------------------------------------------------------------------------
// GNU tar

export function gnuTar(format: 'gnu' | 'oldgnu' | 'posix' | 'ustar' | 'v7', extra: string[] = [], accepts?: Writer['accepts']): Writer {
  const judge = accepts ?? (format === 'posix' ? everything : format === 'ustar' ? ustarLike : format === 'v7' ? v7Like : gnuLike)
  const args = [`--format=${format}`, ...(format === 'posix' ? ['--xattrs', '--xattrs-include=*'] : []), ...extra]
  return diskWriter(`GNU tar ${args.join(' ')}`, ['tar'], judge, (stage, list) =>
    run('tar', ['-c', '-f', '-', '-C', stage, '--no-recursion', '--numeric-owner', '--null', '-T', '-', ...args], {input: list}),
  )
}

// ---------------------------------------------------------------------------------------------------
// bsdtar (libarchive)

export function bsdtar(format: 'pax' | 'ustar' | 'gnutar' | 'v7', accepts?: Writer['accepts']): Writer {
  const judge = accepts ?? (format === 'pax' ? everything : format === 'ustar' ? ustarLike : format === 'v7' ? v7Like : gnuLike)
  return diskWriter(`bsdtar --format ${format}`, ['bsdtar'], judge, (stage, list) =>
    run('bsdtar', ['-c', '-f', '-', '-C', stage, '-n', '--null', '-T', '-', '--numeric-owner', '--format', format], {input: list}),
  )
}

// ---------------------------------------------------------------------------------------------------
// busybox tar, GNU cpio, MirBSD pax: names from stdin (busybox through xargs), no recursion

export function busyboxTar(accepts: Writer['accepts']): Writer {
  return diskWriter('busybox tar', ['busybox', 'xargs'], accepts, (stage, list) =>
    run('xargs', ['-0', 'busybox', 'tar', '-c', '-f', '-', '--no-recursion', '--numeric-owner'], {cwd: stage, input: list}),
  )
}

export function cpio(format: 'ustar' | 'tar', accepts: Writer['accepts']): Writer {
  return diskWriter(`GNU cpio -o -H ${format}`, ['cpio'], accepts, (stage, list) =>
    run('cpio', ['-o', '-H', format, '-0', '--quiet'], {cwd: stage, input: list}),
  )
}

export function mirPax(format: 'ustar' | 'tar', accepts: Writer['accepts']): Writer {
  return diskWriter(`MirBSD pax -w -x ${format}`, ['pax'], accepts, (stage, list) => run('pax', ['-w', '-x', format, '-d', '-0'], {cwd: stage, input: list}))
}

// ---------------------------------------------------------------------------------------------------
// Python tarfile, Go archive/tar, tar-stream, commons-compress: handed the entries

export function pythonTarfile(format: 'gnu' | 'pax' | 'ustar', accepts?: Writer['accepts']): Writer {
  const judge = accepts ?? (format === 'pax' ? everything : format === 'gnu' ? gnuLike : ustarLike)
  return specWriter(`Python tarfile ${format.toUpperCase()}_FORMAT`, ['python3'], judge, (entries, ctx) => ctx.python.tarfile(format, entries))
}

export function goTar(format: 'pax' | 'gnu' | 'ustar', options: {end?: 'close' | 'flush' | 'none'; accepts?: Writer['accepts']} = {}): Writer {
  // Go's USTAR takes ASCII names only; its GNU format has no PAX records (so no xattrs).
  const judge = options.accepts ?? (format === 'pax' ? everything : format === 'gnu' ? gnuLike : (t: EntryTraits) => ustarLike(t) && t.ascii)
  const end = options.end ?? 'close'
  const id = `Go archive/tar ${format.toUpperCase()}${end === 'close' ? '' : end === 'flush' ? ', Flush() but no Close()' : ', no Close() nor Flush()'}`
  return specWriter(id, ['go'], judge, (entries, ctx) => () => goWrite(ctx.goBinary, format, entries, {end}))
}

const TAR_STREAM_TYPES: Record<string, Header['type']> = {
  file: 'file',
  directory: 'directory',
  symlink: 'symlink',
  hardlink: 'link',
  char: 'character-device',
  block: 'block-device',
  fifo: 'fifo',
}

/** tar-stream takes strings (UTF-8 names only), clamps numbers that do not fit octal, and writes PAX for long names. */
export const tarStream: Writer = specWriter(
  'tar-stream (npm)',
  [],
  (t, e) => t.utf8 && ustarNumbers(t) && noSparse(t) && Object.values(e.xattrs ?? {}).every(isUtf8),
  (entries) => () => {
    const chunks: Buffer[] = []
    const pack = tarPack()
    pack.on('data', (c: unknown) => chunks.push(c as Buffer))
    const done = new Promise<Buffer>((resolve, reject) => {
      pack.on('end', () => resolve(Buffer.concat(chunks)))
      pack.on('error', reject)
    })
    for (const e of entries) {
      const xattrs = Object.entries(e.xattrs ?? {})
      const header: Partial<Header> & {name: string} = {
        name: writtenName(e).toString('utf8'),
        type: TAR_STREAM_TYPES[e.type],
        mode: e.mode ?? (e.type === 'directory' ? 0o755 : e.type === 'symlink' ? 0o777 : 0o644),
        uid: e.uid ?? 0,
        gid: e.gid ?? 0,
        mtime: new Date((e.mtime ?? 1_700_000_000) * 1000),
        ...(e.link ? {linkname: e.link.toString('utf8')} : {}),
        ...(e.devmajor !== undefined ? {devmajor: e.devmajor, devminor: e.devminor} : {}),
        ...(xattrs.length ? {pax: Object.fromEntries(xattrs.map(([k, v]) => [`SCHILY.xattr.${k}`, v.toString('utf8')]))} : {}),
      }
      if (e.type === 'file') pack.entry(header, e.content ?? Buffer.alloc(0))
      else pack.entry(header)
    }
    pack.finalize()
    return done
  },
)

// ---------------------------------------------------------------------------------------------------
// Apache commons-compress (Java): one `java Writer.java` for all its layers

export const COMMONS_JAR = '/usr/share/java/commons-compress.jar'

const JAVA_SOURCE = String.raw`
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.nio.file.attribute.FileTime;
import java.util.*;
import org.apache.commons.compress.archivers.tar.*;

public class Writer {
  static byte[] b64(String s) { return Base64.getDecoder().decode(s); }
  static String text(String s) { return new String(b64(s), StandardCharsets.UTF_8); }
  public static void main(String[] args) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    TarArchiveOutputStream out = null;
    while ((line = in.readLine()) != null) {
      String[] f = line.split("\t", -1);
      if (f[0].equals("JOB")) {
        out = new TarArchiveOutputStream(new FileOutputStream(f[1]), "UTF-8");
        out.setLongFileMode(f[2].equals("posix") ? TarArchiveOutputStream.LONGFILE_POSIX : TarArchiveOutputStream.LONGFILE_GNU);
        out.setBigNumberMode(f[2].equals("posix") ? TarArchiveOutputStream.BIGNUMBER_POSIX : TarArchiveOutputStream.BIGNUMBER_STAR);
        out.setAddPaxHeadersForNonAsciiNames(f[2].equals("posix"));
      } else if (f[0].equals("END")) {
        out.close();
      } else {
        byte flag = (byte) f[0].charAt(0);
        TarArchiveEntry e = new TarArchiveEntry(text(f[1]), flag, false);
        e.setMode(Integer.parseInt(f[2]));
        e.setUserId(Long.parseLong(f[3]));
        e.setGroupId(Long.parseLong(f[4]));
        e.setLastModifiedTime(FileTime.from(java.time.Instant.ofEpochSecond(Long.parseLong(f[5]), Long.parseLong(f[6]))));
        byte[] content = b64(f[7]);
        if (!f[8].isEmpty()) e.setLinkName(text(f[8]));
        if (flag == '3' || flag == '4') { e.setDevMajor(Integer.parseInt(f[9])); e.setDevMinor(Integer.parseInt(f[10])); }
        for (int i = 11; i + 1 < f.length; i += 2) e.addPaxHeader("SCHILY.xattr." + f[i], text(f[i + 1]));
        if (flag == '0') e.setSize(content.length);
        out.putArchiveEntry(e);
        if (flag == '0') out.write(content);
        out.closeArchiveEntry();
      }
    }
  }
}
`

const JAVA_FLAGS: Record<string, string> = {file: '0', hardlink: '1', symlink: '2', char: '3', block: '4', directory: '5', fifo: '6'}

export function haveCommonsCompress(): {ok: boolean; reason?: string} {
  try {
    execFileSync('sh', ['-c', 'command -v java && command -v javac'], {stdio: 'ignore'})
  } catch {
    return {ok: false, reason: 'no JDK (java and javac are needed to run a single-file Java program)'}
  }
  try {
    execFileSync('test', ['-r', COMMONS_JAR])
  } catch {
    return {ok: false, reason: `${COMMONS_JAR} is missing (apt-get install -y libcommons-compress-java)`}
  }
  return {ok: true}
}

export class JavaBatch {
  private readonly lines: string[] = []
  private running?: Promise<void>
  private error?: Error

  constructor(private readonly work: string) {}

  tar(mode: 'posix' | 'gnu', entries: SpecEntry[]): LayerThunk {
    const out = join(this.work, `commons-${this.lines.length}.tar`)
    this.lines.push(['JOB', out, mode].join('\t'))
    for (const e of entries) {
      const mtime = e.mtime ?? 1_700_000_000
      const seconds = Math.floor(mtime)
      this.lines.push(
        [
          JAVA_FLAGS[e.type],
          writtenName(e).toString('base64'),
          e.mode ?? (e.type === 'directory' ? 0o755 : e.type === 'symlink' ? 0o777 : 0o644),
          e.uid ?? 0,
          e.gid ?? 0,
          seconds,
          Math.round((mtime - seconds) * 1e9),
          (e.content ?? Buffer.alloc(0)).toString('base64'),
          (e.link ?? Buffer.alloc(0)).toString('base64'),
          e.devmajor ?? 0,
          e.devminor ?? 0,
          ...Object.entries(e.xattrs ?? {}).flatMap(([k, v]) => [k, v.toString('base64')]),
        ].join('\t'),
      )
    }
    this.lines.push('END')
    return async () => {
      if (!this.running) throw new Error('JavaBatch.run() first')
      await this.running
      if (this.error) throw this.error
      return readFileSync(out)
    }
  }

  /** Starts the one JVM in the background (the commons-compress cases wait for it; the others need not). */
  run(): void {
    if (this.lines.length === 0) {
      this.running = Promise.resolve()
      return
    }
    const dir = join(this.work, 'java')
    mkdirSync(dir, {recursive: true})
    writeFileSync(join(dir, 'Writer.java'), JAVA_SOURCE)
    this.running = new Promise((resolve) => {
      const child = execFile('java', ['-cp', COMMONS_JAR, join(dir, 'Writer.java')], {maxBuffer: 1 << 26}, (error, _stdout, stderr) => {
        if (error) this.error = new Error(`java (commons-compress writer): ${stderr || error.message}`) // fails its cases only
        resolve()
      })
      child.stdin!.end(this.lines.join('\n') + '\n')
    })
  }
}

export function commonsCompress(mode: 'posix' | 'gnu', accepts: Writer['accepts']): Writer {
  return {
    id: `commons-compress TarArchiveOutputStream ${mode === 'posix' ? 'LONGFILE_POSIX+BIGNUMBER_POSIX' : 'LONGFILE_GNU+BIGNUMBER_STAR'}`,
    tools: ['java', 'javac'],
    optional: true,
    accepts,
    layer: (entries, ctx) => ctx.java.tar(mode, expressible(entries, accepts)),
  }
}
