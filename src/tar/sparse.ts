/**
 * GNU sparse files in PAX form, read as Go's archive/tar reads them (reader.go readGNUSparsePAXHeaders,
 * readGNUSparseMap0x1/1x0, sparse.go): the member is a file of its real name and size whose holes read
 * as zeros. bsdtar writes them by default for files with holes; GNU tar with --sparse --format=posix.
 *
 * - 0.0: repeated GNU.sparse.offset/numbytes records (pax.ts folds them into GNU.sparse.map), real size
 *   in GNU.sparse.size; 0.1: GNU.sparse.numblocks + GNU.sparse.map; both keep the member's name.
 * - 1.0: GNU.sparse.major=1/minor=0, GNU.sparse.name and GNU.sparse.realsize; the map is text at the start
 *   of the member's data, in whole 512-byte blocks, before the stored fragments.
 * The old GNU 'S' member (the map in the header) is refused by the layer walker, as containerd refuses it.
 */
import type {PaxRecords} from './pax.js'
import {SPARSE_MAP, parseDecimal} from './pax.js'

export class SparseFormatError extends Error {}

/** Data fragments of the logical file, sorted and disjoint: [offset, length] pairs flattened. */
export interface SparseInfo {
  version: '0.x' | '1.0'
  /** The logical (real) size, when the records name one. */
  realSize?: number
  /** The real name (GNU.sparse.name), when given. */
  name?: string
  /** 0.x: the map from the records; 1.0: read from the data. */
  fragments?: number[]
}

/** Go's readGNUSparsePAXHeaders: undefined when the records do not describe a PAX sparse file. */
export function sparseFromPax(pax: PaxRecords): SparseInfo | undefined {
  const major = pax['GNU.sparse.major'] ?? ''
  const minor = pax['GNU.sparse.minor'] ?? ''
  let version: SparseInfo['version']
  if (major === '0' && (minor === '0' || minor === '1')) version = '0.x'
  else if (major === '1' && minor === '0') version = '1.0'
  else if (major !== '' || minor !== '') return undefined // an unknown version: an ordinary member
  else if ((pax[SPARSE_MAP] ?? '') !== '') version = '0.x'
  else return undefined

  const info: SparseInfo = {version}
  if (pax['GNU.sparse.name']) info.name = pax['GNU.sparse.name']
  const size = pax['GNU.sparse.size'] || pax['GNU.sparse.realsize']
  if (size) {
    const n = parseDecimal(size)
    if (n === undefined) throw new SparseFormatError('bad GNU sparse size')
    info.realSize = n
  }
  if (version === '0.x') info.fragments = mapFromRecords(pax)
  return info
}

function mapFromRecords(pax: PaxRecords): number[] {
  const count = parseDecimal(pax['GNU.sparse.numblocks'] ?? '')
  if (count === undefined || count < 0) throw new SparseFormatError('bad GNU sparse block count')
  const text = pax[SPARSE_MAP] ?? ''
  const parts = text === '' ? [] : text.split(',')
  if (parts.length !== 2 * count) throw new SparseFormatError('GNU sparse map does not match its block count')
  return parts.map(parseNumberToken)
}

function parseNumberToken(token: string): number {
  const n = parseDecimal(token)
  if (n === undefined) throw new SparseFormatError('bad number in GNU sparse map')
  return n
}

/**
 * The 1.0 map at the start of a member's data: "COUNT\n" then COUNT "OFFSET\nLENGTH\n" pairs, padded to
 * whole blocks. Fed block by block; `done` once the blocks hold all the tokens (as Go's feedTokens).
 */
export class SparseMapReader {
  private readonly text: Buffer[] = []
  private newlines = 0
  private needed = 1
  private count?: number
  fragments?: number[]
  /** Bytes of data the map took (whole blocks). */
  bytes = 0

  constructor(private readonly limit: number) {}

  /** One 512-byte block of the member's data; true when the map is complete. */
  addBlock(block: Buffer): boolean {
    this.bytes += block.length
    if (this.bytes > this.limit) throw new SparseFormatError(`GNU sparse map over ${this.limit} bytes`)
    this.text.push(Buffer.from(block))
    for (let i = 0; i < block.length; i++) if (block[i] === 0x0a) this.newlines++
    if (this.newlines < this.needed) return false
    const tokens = Buffer.concat(this.text).toString('latin1').split('\n')
    if (this.count === undefined) {
      const count = parseDecimal(tokens[0]!)
      if (count === undefined || count < 0) throw new SparseFormatError('bad GNU sparse map count')
      this.count = count
      this.needed = 1 + 2 * count
      if (this.newlines < this.needed) return false
    }
    this.fragments = tokens.slice(1, 1 + 2 * this.count).map(parseNumberToken)
    return true
  }
}

/** Go's validateSparseEntries: fragments in order, not overlapping, inside the real size. */
export function validateFragments(fragments: number[], size: number): void {
  if (size < 0) throw new SparseFormatError('negative GNU sparse size')
  let previousEnd = 0
  for (let i = 0; i < fragments.length; i += 2) {
    const offset = fragments[i]!
    const length = fragments[i + 1]!
    if (offset < 0 || length < 0 || offset + length > size || previousEnd > offset) {
      throw new SparseFormatError('GNU sparse map out of order or past the file size')
    }
    previousEnd = offset + length
  }
}

/** Bytes the fragments hold: what the member must store after its map. */
export function storedBytes(fragments: number[]): number {
  let total = 0
  for (let i = 1; i < fragments.length; i += 2) total += fragments[i]!
  return total
}

const ZEROS = Buffer.alloc(64 * 1024)

/** Turns the stored fragments (pushed in) into the logical file (holes as zeros) for `sink`. */
export class SparseExpander {
  private position = 0
  private fragment = 0

  constructor(
    private readonly fragments: number[],
    private readonly size: number,
    private readonly sink: {write(chunk: Buffer): void; end(): void},
  ) {}

  write(chunk: Buffer): void {
    let at = 0
    while (at < chunk.length) {
      const offset = this.fragments[this.fragment]!
      const end = offset + this.fragments[this.fragment + 1]!
      if (this.position < offset) this.zeros(offset)
      const n = Math.min(end - this.position, chunk.length - at)
      if (n > 0) this.sink.write(chunk.subarray(at, at + n))
      at += n
      this.position += n
      if (this.position >= end) this.fragment += 2
    }
  }

  end(): void {
    this.zeros(this.size)
    this.sink.end()
  }

  private zeros(until: number): void {
    while (this.position < until) {
      const n = Math.min(ZEROS.length, until - this.position)
      this.sink.write(ZEROS.subarray(0, n))
      this.position += n
    }
  }
}
