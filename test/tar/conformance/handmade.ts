/**
 * Tars no tool writes on purpose: headers built field by field (checksums recomputed), and real writers'
 * output cut or extended. Each is a case of its own, since most of them are refused by one side or both.
 */

export const BLOCK = 512

export interface HeaderFields {
  name: string | Buffer
  /** One character: '0', '5', 'x', … or '\0'. */
  typeflag?: string
  mode?: number
  uid?: number
  gid?: number
  size?: number
  mtime?: number
  linkname?: string | Buffer
  /** 'ustar' ("ustar\0" "00"), 'gnu' ("ustar  \0"), 'v7' (none), 'star' (ustar and "tar\0" at 508). */
  magic?: 'ustar' | 'gnu' | 'v7' | 'star'
  prefix?: string | Buffer
  devmajor?: number
  devminor?: number
  /** Raw bytes written over the block (offset → bytes) before the checksum is computed. */
  raw?: Array<[number, Buffer | string]>
  /** Checksum as old Sun tars computed it (bytes signed). */
  signedChecksum?: boolean
}

const asBuffer = (s: string | Buffer) => (typeof s === 'string' ? Buffer.from(s, 'latin1') : s)

function octal(block: Buffer, at: number, width: number, value: number): void {
  block.write(value.toString(8).padStart(width - 1, '0') + '\0', at, width, 'latin1')
}

/** One 512-byte header block. */
export function header(f: HeaderFields): Buffer {
  const block = Buffer.alloc(BLOCK)
  asBuffer(f.name).copy(block, 0, 0, 100)
  octal(block, 100, 8, f.mode ?? 0o644)
  octal(block, 108, 8, f.uid ?? 0)
  octal(block, 116, 8, f.gid ?? 0)
  octal(block, 124, 12, f.size ?? 0)
  octal(block, 136, 12, f.mtime ?? 1_700_000_000)
  block.write(f.typeflag ?? '0', 156, 1, 'latin1')
  if (f.linkname) asBuffer(f.linkname).copy(block, 157, 0, 100)
  const magic = f.magic ?? 'ustar'
  if (magic === 'ustar' || magic === 'star') block.write('ustar\x0000', 257, 8, 'latin1')
  if (magic === 'gnu') block.write('ustar  \x00', 257, 8, 'latin1')
  if (magic !== 'v7') {
    octal(block, 329, 8, f.devmajor ?? 0)
    octal(block, 337, 8, f.devminor ?? 0)
  }
  if (f.prefix) asBuffer(f.prefix).copy(block, 345, 0, magic === 'star' ? 131 : 155)
  if (magic === 'star') block.write('tar\0', 508, 4, 'latin1')
  for (const [at, bytes] of f.raw ?? []) asBuffer(bytes).copy(block, at)
  setChecksum(block, 0, f.signedChecksum)
  return block
}

/** Recomputes the checksum of the header at `at` (after a test edited it). */
export function setChecksum(buf: Buffer, at = 0, signed = false): void {
  buf.fill(0x20, at + 148, at + 156)
  let sum = 0
  for (let i = at; i < at + BLOCK; i++) sum += signed && buf[i]! > 127 ? buf[i]! - 256 : buf[i]!
  buf.write(`${(sum >>> 0 & 0o777777).toString(8).padStart(6, '0')}\0 `, at + 148, 8, 'latin1')
}

/** Data padded to whole blocks. */
export function padded(data: Buffer | string): Buffer {
  const buf = asBuffer(data)
  const rest = buf.length % BLOCK
  return rest === 0 ? buf : Buffer.concat([buf, Buffer.alloc(BLOCK - rest)])
}

/** A member: its header and padded data (size taken from the data unless given). */
export function member(f: HeaderFields, data: Buffer | string = Buffer.alloc(0)): Buffer {
  const body = asBuffer(data)
  return Buffer.concat([header({size: body.length, ...f}), padded(body)])
}

/** PAX records ("LEN key=value\n"), the length counting itself. */
export function paxRecords(records: Array<[string, string | Buffer]>): Buffer {
  return Buffer.concat(
    records.map(([key, value]) => {
      const body = Buffer.concat([Buffer.from(` ${key}=`, 'latin1'), asBuffer(value), Buffer.from('\n')])
      let length = body.length + 1
      while (String(length).length + body.length !== length) length++
      return Buffer.concat([Buffer.from(String(length)), body])
    }),
  )
}

export const END = Buffer.alloc(2 * BLOCK)

export const tar = (...parts: Buffer[]) => Buffer.concat(parts)

/** Offsets of every header block in a well-formed tar, for edits (follows sizes, stops at the zero block). */
export function headerOffsets(buf: Buffer): number[] {
  const out: number[] = []
  let at = 0
  while (at + BLOCK <= buf.length && buf.subarray(at, at + BLOCK).some((c) => c !== 0)) {
    out.push(at)
    const field = buf.toString('latin1', at + 124, at + 136).replace(/[\0 ]+$/, '')
    const size = Number.parseInt(field, 8) || 0
    const type = String.fromCharCode(buf[at + 156]!)
    const data = ['1', '2', '3', '4', '5', '6'].includes(type) ? 0 : size
    at += BLOCK + Math.ceil(data / BLOCK) * BLOCK
  }
  return out
}

/** Where the end-of-archive marker starts (after the last member's padding). */
export function endOfMembers(buf: Buffer): number {
  const offsets = headerOffsets(buf)
  if (offsets.length === 0) return 0
  const last = offsets[offsets.length - 1]!
  const field = buf.toString('latin1', last + 124, last + 136).replace(/[\0 ]+$/, '')
  const type = String.fromCharCode(buf[last + 156]!)
  const size = ['1', '2', '3', '4', '5', '6'].includes(type) ? 0 : Number.parseInt(field, 8) || 0
  return last + BLOCK + Math.ceil(size / BLOCK) * BLOCK
}
