/**
 * A zip's central directory, read in one piece and parsed synchronously (APPNOTE.TXT 4.3.12–4.3.16,
 * zip64 4.3.14/4.3.15/4.5.3). A Lambda layer zip lists tens of thousands of entries; reading them one
 * small async read at a time (as yauzl does) cost ~0.2 s per 30k entries, this ~10 ms.
 * Only what the layout needs is decoded: no comments, no content (zip-reader.ts streams that).
 */
import type {FileHandle} from 'node:fs/promises'
import {isUtf8} from 'node:buffer'
import {crc32} from 'node:zlib'

/** One central directory record: the stored fields, with zip64 values already applied. */
export interface CentralRecord {
  versionMadeBy: number
  flags: number
  method: number
  dosTime: number
  dosDate: number
  crc32: number
  compressedSize: number
  uncompressedSize: number
  /**
   * The directory these fields were read from; the name and extra fields are ranges of it (offsets, not
   * views: a Buffer view per field was a third of the parse time). See nameBytes.
   */
  directory: Buffer
  nameStart: number
  nameLength: number
  extraStart: number
  extraLength: number
  externalAttributes: number
  localHeaderOffset: number
}

/** What went wrong, before it is given the zip's name (zip-reader.ts wraps it in a ZipError). */
export class ZipFormatError extends Error {
  constructor(
    readonly kind: 'not-zip' | 'corrupt' | 'too-large',
    message: string,
  ) {
    super(message)
  }
}

const EOCD_SIGNATURE = 0x06054b50
const EOCD_SIZE = 22
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50
const ZIP64_LOCATOR_SIZE = 20
const ZIP64_EOCD_SIGNATURE = 0x06064b50
const ZIP64_EOCD_SIZE = 56
const CENTRAL_SIGNATURE = 0x02014b50
const CENTRAL_SIZE = 46
const LOCAL_SIGNATURE = 0x04034b50
const LOCAL_SIZE = 30
const MAX_COMMENT = 0xffff
/**
 * The directory is read whole, so its declared size bounds memory. 60k entries take ~6 MB; Lambda's
 * 250 MB unzipped limit leaves no room for a directory near this even with a million empty files.
 */
export const MAX_DIRECTORY_BYTES = 256 * 1024 * 1024
const FLAG_STRONG_ENCRYPTION = 0x40
const FLAG_UTF8 = 0x800
const ZIP64_EXTRA = 0x0001
const UNICODE_PATH_EXTRA = 0x7075
const EXTENDED_TIMESTAMP_EXTRA = 0x5455
const NTFS_EXTRA = 0x000a

export interface CentralDirectory {
  entryCount: number
  /**
   * Reads the directory a megabyte at a time and hands each record to `onRecord` as it is parsed, in
   * order, synchronously. The record is one object, refilled for every entry: use it in the call, never
   * keep it (a million records, or the whole directory, are never held: ~150 bytes of garbage an entry
   * that outlived the young generation and made the heap grow). A malformed record rejects with
   * ZipFormatError. Call only once the count was checked against the cap.
   */
  readRecords(onRecord: (record: Readonly<CentralRecord>, index: number) => void): Promise<void>
}

/** Finds the end records and reads how many entries there are; `records()` reads and parses them. */
export async function openCentralDirectory(handle: FileHandle, fileSize: number): Promise<CentralDirectory> {
  if (fileSize > Number.MAX_SAFE_INTEGER) throw new ZipFormatError('corrupt', 'zip file over 2^53 bytes')
  const tailLength = Math.min(fileSize, ZIP64_LOCATOR_SIZE + EOCD_SIZE + MAX_COMMENT)
  const tailStart = fileSize - tailLength
  const tail = await readExactly(handle, tailLength, tailStart)
  // The comment that ends the file has a variable length, so the record is found by searching backwards.
  let at = -1
  for (let i = tailLength - EOCD_SIZE; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD_SIGNATURE) {
      at = i
      break
    }
  }
  if (at === -1) throw new ZipFormatError('not-zip', 'end of central directory record not found')
  const commentLength = tail.readUInt16LE(at + 20)
  if (commentLength !== tailLength - at - EOCD_SIZE) {
    throw new ZipFormatError('corrupt', `end of central directory: comment length ${commentLength}, but ${tailLength - at - EOCD_SIZE} bytes follow (extra bytes at the end of the file?)`)
  }
  let disk = tail.readUInt16LE(at + 4)
  let entryCount = tail.readUInt16LE(at + 10)
  let directorySize = tail.readUInt32LE(at + 12)
  let directoryOffset = tail.readUInt32LE(at + 16)
  // The directory ends where the end records begin: never trust its declared size further than that.
  let directoryEnd = tailStart + at
  if (at >= ZIP64_LOCATOR_SIZE && tail.readUInt32LE(at - ZIP64_LOCATOR_SIZE) === ZIP64_LOCATOR_SIGNATURE) {
    const recordOffset = readUInt64(tail, at - ZIP64_LOCATOR_SIZE + 8)
    if (recordOffset + ZIP64_EOCD_SIZE > tailStart + at - ZIP64_LOCATOR_SIZE) throw new ZipFormatError('corrupt', 'zip64 end of central directory record out of bounds')
    const record = await readExactly(handle, ZIP64_EOCD_SIZE, recordOffset)
    if (record.readUInt32LE(0) !== ZIP64_EOCD_SIGNATURE) throw new ZipFormatError('corrupt', 'invalid zip64 end of central directory record signature')
    disk = record.readUInt32LE(16)
    entryCount = readUInt64(record, 32)
    directorySize = readUInt64(record, 40)
    directoryOffset = readUInt64(record, 48)
    directoryEnd = recordOffset
  }
  if (disk !== 0) throw new ZipFormatError('corrupt', `multi-disk zip files are not supported (disk ${disk})`)
  if (directoryOffset > directoryEnd) throw new ZipFormatError('corrupt', `central directory offset ${directoryOffset} is past its end records`)
  // Read what the end record declares, and never past the end records themselves.
  const length = Math.min(directorySize, directoryEnd - directoryOffset)
  if (length > MAX_DIRECTORY_BYTES) throw new ZipFormatError('too-large', `central directory of ${length} bytes, over the cap of ${MAX_DIRECTORY_BYTES}`)
  return {
    entryCount,
    readRecords: (onRecord) => parseRecords(handle, length, entryCount, directoryOffset, onRecord),
  }
}

/** Bytes read from the directory at a time; a record is at most 46 + 3 × 65,535 bytes, so one always fits. */
const DIRECTORY_CHUNK = 1 << 20

async function parseRecords(
  handle: FileHandle,
  length: number,
  entryCount: number,
  directoryOffset: number,
  onRecord: (record: Readonly<CentralRecord>, index: number) => void,
): Promise<void> {
  let directory: Buffer = Buffer.alloc(0) // the unparsed bytes; `base` is where they start in the directory
  let base = 0
  let read = 0
  let at = 0
  let n = 0
  const record = emptyRecord()
  while (n < entryCount) {
    // What is left of the last read, followed by the next one.
    if (read < length) {
      const more = await readExactly(handle, Math.min(DIRECTORY_CHUNK, length - read), directoryOffset + read)
      directory = at < directory.length ? Buffer.concat([directory.subarray(at), more]) : more
      base += at
      at = 0
      read += more.length
    }
    const last = read >= length
    for (; n < entryCount; n++) {
      if (at + CENTRAL_SIZE > directory.length) {
        if (!last) break
        throw new ZipFormatError('corrupt', `central directory ends after ${n} of ${entryCount} entries`)
      }
      const signature = directory.readUInt32LE(at)
      if (signature !== CENTRAL_SIGNATURE) {
        throw new ZipFormatError('corrupt', `invalid central directory file header signature 0x${signature.toString(16)} at offset ${directoryOffset + base + at}`)
      }
      const nameLength = directory.readUInt16LE(at + 28)
      const extraLength = directory.readUInt16LE(at + 30)
      const commentLength = directory.readUInt16LE(at + 32)
      const nameStart = at + CENTRAL_SIZE
      const extraStart = nameStart + nameLength
      const next = extraStart + extraLength + commentLength
      if (next > directory.length) {
        if (!last) break
        throw new ZipFormatError('corrupt', `central directory entry ${n} runs past the directory`)
      }
      record.versionMadeBy = directory.readUInt16LE(at + 4)
      record.flags = directory.readUInt16LE(at + 8)
      record.method = directory.readUInt16LE(at + 10)
      record.dosTime = directory.readUInt16LE(at + 12)
      record.dosDate = directory.readUInt16LE(at + 14)
      record.crc32 = directory.readUInt32LE(at + 16)
      record.compressedSize = directory.readUInt32LE(at + 20)
      record.uncompressedSize = directory.readUInt32LE(at + 24)
      record.directory = directory
      record.nameStart = nameStart
      record.nameLength = nameLength
      record.extraStart = extraStart
      record.extraLength = extraLength
      record.externalAttributes = directory.readUInt32LE(at + 38)
      record.localHeaderOffset = directory.readUInt32LE(at + 42)
      if (record.flags & FLAG_STRONG_ENCRYPTION) throw new ZipFormatError('corrupt', `entry ${n}: strong encryption is not supported`)
      applyZip64(record, n)
      // A stored entry's data is its content (plus the 12-byte header of traditional encryption).
      if (record.method === 0 && record.compressedSize !== record.uncompressedSize + (record.flags & 1 ? 12 : 0)) {
        throw new ZipFormatError('corrupt', `entry ${n}: stored entry with compressed size ${record.compressedSize} != uncompressed size ${record.uncompressedSize}`)
      }
      onRecord(record, n)
      at = next
    }
  }
}

function emptyRecord(): CentralRecord {
  return {
    versionMadeBy: 0,
    flags: 0,
    method: 0,
    dosTime: 0,
    dosDate: 0,
    crc32: 0,
    compressedSize: 0,
    uncompressedSize: 0,
    directory: Buffer.alloc(0),
    nameStart: 0,
    nameLength: 0,
    extraStart: 0,
    extraLength: 0,
    externalAttributes: 0,
    localHeaderOffset: 0,
  }
}

/** Sizes and offset that did not fit 32 bits are in the zip64 extra field, in this order, when maxed. */
function applyZip64(record: CentralRecord, n: number): void {
  if (record.uncompressedSize !== 0xffffffff && record.compressedSize !== 0xffffffff && record.localHeaderOffset !== 0xffffffff) return
  const data = extraField(record, ZIP64_EXTRA)
  if (!data) return
  let at = 0
  const next = (what: string): number => {
    if (at + 8 > data.length) throw new ZipFormatError('corrupt', `entry ${n}: zip64 extra field lacks the ${what}`)
    const value = readUInt64(data, at)
    at += 8
    return value
  }
  if (record.uncompressedSize === 0xffffffff) record.uncompressedSize = next('uncompressed size')
  if (record.compressedSize === 0xffffffff) record.compressedSize = next('compressed size')
  if (record.localHeaderOffset === 0xffffffff) record.localHeaderOffset = next('local header offset')
}

/** The stored name's bytes (a view into the directory). */
export function nameBytes(record: CentralRecord): Buffer {
  return record.directory.subarray(record.nameStart, record.nameStart + record.nameLength)
}

/** The data of the first extra field with this id, or undefined (a field running past the end is not read). */
export function extraField(record: CentralRecord, id: number): Buffer | undefined {
  const at = findExtra(record, id)
  return at < 0 ? undefined : record.directory.subarray(at + 4, at + 4 + u16(record.directory, at + 2))
}

/** Where the first extra field with this id starts (its 4-byte header) in the directory, or -1. */
function findExtra(record: CentralRecord, id: number): number {
  const {directory, extraStart} = record
  const end = extraStart + record.extraLength
  let at = extraStart
  while (at + 4 <= end) {
    const fieldEnd = at + 4 + u16(directory, at + 2)
    if (fieldEnd > end) return -1
    if (u16(directory, at) === id) return at
    at = fieldEnd
  }
  return -1
}

/** Little-endian, unchecked: callers have checked the bounds (readUInt16LE checks again, per call). */
const u16 = (bytes: Buffer, at: number): number => bytes[at]! | (bytes[at + 1]! << 8)

/** How a name was decoded: `cp437` and `not-utf8` are worth a note (the path may not match the image's). */
export type NameEncoding = 'ascii' | 'utf8' | 'unicode-field' | 'cp437' | 'not-utf8'

/**
 * The entry's name, as the bytes `unzip` writes on Lambda's Linux would read back:
 * - Info-ZIP's Unicode Path field, when its CRC matches the stored name (APPNOTE 4.6.9);
 * - UTF-8 when flagged (bit 11);
 * - unflagged from a Unix host: the bytes as they are, which `unzip` on Unix does not translate. That is
 *   what Info-ZIP `zip` on Linux writes for a UTF-8 name, so it is read as UTF-8 when it is valid UTF-8;
 * - otherwise CP437, the format's original code page (Python's zipfile writes such names).
 */
export function entryName(record: CentralRecord, unixHost: boolean): {name: string; encoding: NameEncoding} {
  const {directory, nameStart, nameLength} = record
  const unicode = record.extraLength > 0 ? extraField(record, UNICODE_PATH_EXTRA) : undefined
  if (unicode && unicode.length >= 6 && unicode[0] === 1 && unicode.readUInt32LE(1) === crc32(nameBytes(record))) {
    return {name: unicode.subarray(5).toString('utf8'), encoding: 'unicode-field'}
  }
  if (isAscii(directory, nameStart, nameStart + nameLength)) return {name: directory.toString('latin1', nameStart, nameStart + nameLength), encoding: 'ascii'}
  const raw = nameBytes(record)
  if (record.flags & FLAG_UTF8) return {name: raw.toString('utf8'), encoding: isUtf8(raw) ? 'utf8' : 'not-utf8'}
  if (unixHost && isUtf8(raw)) return {name: raw.toString('utf8'), encoding: 'utf8'}
  let name = ''
  for (const byte of raw) name += byte < 0x80 ? String.fromCharCode(byte) : CP437_HIGH[byte - 0x80]
  return {name, encoding: 'cp437'}
}

function isAscii(bytes: Buffer, from: number, to: number): boolean {
  // An indexed loop: a Buffer's iterator costs ~20x more per byte, and every name is checked.
  for (let i = from; i < to; i++) if (bytes[i]! > 0x7f) return false
  return true
}

/**
 * Modification time in seconds: Info-ZIP's extended timestamp ("UT", UTC seconds) or the NTFS field when
 * present, else the DOS date and time read as local time, as unzip does.
 */
export function modifiedSeconds(record: CentralRecord): number {
  const ut = record.extraLength > 0 ? findExtra(record, EXTENDED_TIMESTAMP_EXTRA) : -1
  // Flags, then mtime first when flag bit 0 says it is there.
  if (ut >= 0 && u16(record.directory, ut + 2) >= 5 && record.directory[ut + 4]! & 1) return record.directory.readInt32LE(ut + 5)
  const ntfs = record.extraLength > 0 ? extraField(record, NTFS_EXTRA) : undefined
  if (ntfs && ntfs.length === 32 && ntfs.readUInt16LE(4) === 1 && ntfs.readUInt16LE(6) === 24) {
    const hundredNanosSince1601 = ntfs.readUInt32LE(8) + 4294967296 * ntfs.readInt32LE(12)
    return Math.floor((hundredNanosSince1601 / 10000 - 11644473600000) / 1000)
  }
  const {dosDate: d, dosTime: t} = record
  const local = new Date((d >> 9) + 1980, ((d >> 5) & 0xf) - 1, d & 0x1f, t >> 11, (t >> 5) & 0x3f, (t & 0x1f) * 2)
  return Math.floor(local.getTime() / 1000)
}

/** Where an entry's data begins, from its local header (whose name and extra lengths may differ from the directory's). */
export async function dataStart(handle: FileHandle, fileSize: number, localHeaderOffset: number, compressedSize: number): Promise<number> {
  if (localHeaderOffset + LOCAL_SIZE > fileSize) throw new ZipFormatError('corrupt', `local header at ${localHeaderOffset} is past the end of the file`)
  const header = await readExactly(handle, LOCAL_SIZE, localHeaderOffset)
  const signature = header.readUInt32LE(0)
  if (signature !== LOCAL_SIGNATURE) throw new ZipFormatError('corrupt', `invalid local file header signature: 0x${signature.toString(16)}`)
  const start = localHeaderOffset + LOCAL_SIZE + header.readUInt16LE(26) + header.readUInt16LE(28)
  if (start + compressedSize > fileSize) throw new ZipFormatError('corrupt', `file data overflows file bounds: ${start} + ${compressedSize} > ${fileSize}`)
  return start
}

async function readExactly(handle: FileHandle, length: number, position: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(length)
  let done = 0
  while (done < length) {
    const {bytesRead} = await handle.read(buffer, done, length - done, position + done)
    if (bytesRead === 0) throw new ZipFormatError('corrupt', 'unexpected end of file')
    done += bytesRead
  }
  return buffer
}

function readUInt64(buffer: Buffer, at: number): number {
  const value = buffer.readBigUInt64LE(at)
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipFormatError('corrupt', `a zip64 value of ${value} is beyond 2^53`)
  return Number(value)
}

// The upper half of code page 437, which yauzl and Info-ZIP read unflagged names with; bytes under 0x80 are
// ASCII, kept as they are (as unzip creates them on Unix).
const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0'
