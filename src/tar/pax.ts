/**
 * PAX extended headers and the strict number syntax Go's archive/tar applies to them (reader.go
 * parsePAX/mergePAX, strconv.go parsePAXRecord/parsePAXTime). A record Go rejects makes the whole
 * archive unreadable there, so it does here.
 */
import {decodeByteString} from './byte-string.js'

export type PaxRecords = Record<string, string>

export class PaxFormatError extends Error {}

const SPARSE_OFFSET = 'GNU.sparse.offset'
const SPARSE_NUMBYTES = 'GNU.sparse.numbytes'
export const SPARSE_MAP = 'GNU.sparse.map'

/** "LEN key=value\n" records, every one valid, as Go's parsePAX; GNU sparse 0.0 pairs folded into GNU.sparse.map. */
export function parsePax(data: Buffer): PaxRecords {
  const records: PaxRecords = Object.create(null)
  let sparse: string[] | undefined
  let pos = 0
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos)
    if (space < 0) throw new PaxFormatError('bad PAX record (no length)')
    const length = parseDecimal(data.toString('latin1', pos, space))
    if (length === undefined || length < 5 || length > data.length - pos || pos + length <= space + 1) {
      throw new PaxFormatError('bad PAX record length')
    }
    const end = pos + length
    if (data[end - 1] !== 0x0a) throw new PaxFormatError('bad PAX record (no newline)')
    const eq = data.indexOf(0x3d, space + 1)
    if (eq < 0 || eq >= end - 1 || eq === space + 1) throw new PaxFormatError('bad PAX record (no key)')
    const key = decodeByteString(data, space + 1, eq)
    const value = decodeByteString(data, eq + 1, end - 1)
    const nulIn = (text: string) => text.includes('\0')
    const bad = key === 'path' || key === 'linkpath' || key === 'uname' || key === 'gname' ? nulIn(value) : nulIn(key)
    if (bad) throw new PaxFormatError(`bad PAX record ${JSON.stringify(key.slice(0, 40))}`)
    if (key === SPARSE_OFFSET || key === SPARSE_NUMBYTES) {
      sparse ??= []
      const expected = sparse.length % 2 === 0 ? SPARSE_OFFSET : SPARSE_NUMBYTES
      if (key !== expected || value.includes(',')) throw new PaxFormatError('bad GNU sparse 0.0 map')
      sparse.push(value)
    } else records[key] = value
    pos = end
  }
  if (sparse) records[SPARSE_MAP] = sparse.join(',')
  return records
}

/** strconv.ParseInt(s, 10, 64): an optional sign, then decimal digits only; undefined otherwise or past int64. */
export function parseDecimal(text: string): number | undefined {
  if (!/^[+-]?[0-9]+$/.test(text)) return undefined
  if (text.length > 18 && BigInt.asIntN(64, BigInt(text)) !== BigInt(text)) return undefined
  return Number(text)
}

/**
 * A PAX time ("1700000000.123456789", "-1.5") as whole seconds, as Go's time.Unix(…).Unix() gives them:
 * floored, so -1.5 is -2. undefined for what parsePAXTime rejects.
 */
export function parsePaxTime(text: string): number | undefined {
  const dot = text.indexOf('.')
  const whole = dot < 0 ? text : text.slice(0, dot)
  const fraction = dot < 0 ? '' : text.slice(dot + 1)
  const seconds = parseDecimal(whole)
  if (seconds === undefined) return undefined
  if (!/^[0-9]*$/.test(fraction)) return undefined
  // Go keeps nine digits of the fraction; a negative time with any of them set is one second earlier.
  const nanos = /[1-9]/.test(fraction.slice(0, 9))
  return whole.startsWith('-') && nanos ? seconds - 1 : seconds
}
