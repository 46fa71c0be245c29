/**
 * What Go's archive/tar `Reader.next` does between the raw headers and the member it hands out: the
 * extended headers seen since the last member (PAX `x`, GNU `L`/`K`) are merged into the next real
 * header, in Go's order. Shared by the layer reader (reader.ts) and the outer-archive index.
 *
 * 1. mergePAX: every non-empty record; path, linkpath, uid, gid, mtime, size (strict numbers: a bad one
 *    makes the archive unreadable).
 * 2. GNU long name/link (when not empty) win over PAX.
 * 3. The old NUL typeflag means a regular file, or a directory when the (merged) name ends in "/". A
 *    '0' member whose name ends in "/" stays a file, and its data stays data.
 * 4. PAX GNU sparse records give the real name and size (sparse.ts).
 * A global header (`g`) is its own member in Go; the next member starts afresh, so it drops what came
 * before it.
 */
import {cString, type RawHeader} from './header.js'
import {type PaxRecords, parseDecimal, parsePax, parsePaxTime} from './pax.js'
import {type SparseInfo, sparseFromPax} from './sparse.js'

export interface TarMember extends RawHeader {
  /** The member's PAX records, when it had an extended header. */
  pax?: PaxRecords
  /** Offset of its header block in the stream. */
  offset: number
  /** A PAX GNU sparse file: `size` is then its real size once the map is known. */
  sparse?: SparseInfo
}

export class TarMemberError extends Error {}

export class PendingHeaders {
  private pax?: PaxRecords
  private longName = ''
  private longLink = ''

  /** An extended header's data (`flag` x, g, L or K). Throws TarMemberError for what Go rejects. */
  add(flag: string, data: Buffer): void {
    if (flag === 'L' || flag === 'K') {
      const text = cString(data, 0, data.length)
      if (flag === 'L') this.longName = text
      else this.longLink = text
      return
    }
    let records: PaxRecords
    try {
      records = parsePax(data)
    } catch (error) {
      throw new TarMemberError((error as Error).message)
    }
    if (flag === 'x') this.pax = records
    else this.clear()
  }

  /** `raw` with everything pending applied; the pending headers are used up. */
  take(raw: RawHeader, offset: number): TarMember {
    const member = raw as TarMember
    member.offset = offset
    const pax = this.pax
    if (pax) {
      member.pax = pax
      mergePax(member, pax)
    }
    if (this.longName) member.name = this.longName
    if (this.longLink) member.linkname = this.longLink
    this.clear()
    if (member.flag === '\0') member.flag = member.name.endsWith('/') ? '5' : '0'
    if (pax) {
      const sparse = sparseFromPaxRecords(pax)
      if (sparse) {
        member.sparse = sparse
        if (sparse.name) member.name = sparse.name
      }
    }
    return member
  }

  private clear(): void {
    this.pax = undefined
    this.longName = ''
    this.longLink = ''
  }
}

function sparseFromPaxRecords(pax: PaxRecords): SparseInfo | undefined {
  try {
    return sparseFromPax(pax)
  } catch (error) {
    throw new TarMemberError((error as Error).message)
  }
}

/** Go's mergePAX: empty values keep the header's field; a malformed number is an error. */
function mergePax(member: TarMember, pax: PaxRecords): void {
  for (const key in pax) {
    const value = pax[key]!
    if (value === '') continue
    let ok = true
    switch (key) {
      case 'path':
        member.name = value
        break
      case 'linkpath':
        member.linkname = value
        break
      case 'uid':
      case 'gid':
      case 'size': {
        const n = parseDecimal(value)
        if (n === undefined) ok = false
        else member[key] = n
        break
      }
      case 'mtime': {
        const t = parsePaxTime(value)
        if (t === undefined) ok = false
        else member.mtime = t
        break
      }
      case 'atime':
      case 'ctime':
        ok = parsePaxTime(value) !== undefined
        break
    }
    if (!ok) throw new TarMemberError(`bad PAX ${key} record`)
  }
}
