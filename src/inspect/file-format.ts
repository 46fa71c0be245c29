/** What kind of executable the first bytes of a file say it is. */
import {isElf, parseElf, type ElfInfo} from './elf.js'
import {hasShebang, parseShebang, type Shebang} from './shebang.js'

export type FileFormat =
  | {kind: 'elf'; elf: ElfInfo}
  | {kind: 'script'; shebang: Shebang}
  | {kind: 'unknown'; hint: string}

export function sniffFormat(head: Buffer): FileFormat {
  if (isElf(head)) {
    const elf = parseElf(head)
    if (elf) return {kind: 'elf', elf}
    return {kind: 'unknown', hint: 'a truncated or malformed ELF header'}
  }
  if (hasShebang(head)) return {kind: 'script', shebang: parseShebang(head)!}
  return {kind: 'unknown', hint: describeUnknown(head)}
}

/** A word on what the bytes look like, so the message says "a Mach-O binary" rather than just "unknown". */
function describeUnknown(head: Buffer): string {
  if (head.length === 0) return 'an empty file'
  const magic = head.length >= 4 ? head.readUInt32BE(0) : 0
  if ([0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe, 0xcafebabe].includes(magic)) {
    return magic === 0xcafebabe ? 'a Mach-O universal binary or Java class file' : 'a Mach-O (macOS) binary'
  }
  if (head[0] === 0x4d && head[1] === 0x5a) return 'a Windows PE executable'
  if (head[0] === 0x50 && head[1] === 0x4b) return 'a zip archive (a jar?)'
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf && head[3] === 0x23 && head[4] === 0x21) {
    return 'a script whose #! line is preceded by a UTF-8 byte order mark'
  }
  const text = head.subarray(0, 512)
  if (!text.includes(0)) return 'a text file without a #! line'
  return 'binary data that is not ELF'
}
