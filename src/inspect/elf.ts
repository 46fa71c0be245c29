/**
 * Just enough of the ELF header to answer "will this start here?": class, byte order, machine, and the
 * program interpreter (PT_INTERP) a dynamic binary asks the kernel to load. Works on the first bytes of
 * a file only; when the program headers lie beyond them, `programHeadersRead` is false.
 */
export interface ElfInfo {
  bits: 32 | 64
  endian: 'le' | 'be'
  type: 'relocatable' | 'executable' | 'shared' | 'core' | 'other'
  /** e_machine, e.g. 62 (x86-64) or 183 (AArch64). */
  machine: number
  /** OCI architecture name for the machine (amd64, arm64, …), undefined when we do not know it. */
  architecture?: string
  /** PT_INTERP path (e.g. /lib64/ld-linux-x86-64.so.2); undefined for static binaries. */
  interpreter?: string
  /** False when the program header table (or the PT_INTERP string) was past the bytes we were given. */
  programHeadersRead: boolean
}

const PT_INTERP = 3

/** e_machine → OCI architecture; little-endian variants only where both byte orders exist. */
const MACHINES: Record<number, string> = {
  3: '386',
  8: 'mips',
  20: 'ppc',
  21: 'ppc64',
  22: 's390x',
  40: 'arm',
  62: 'amd64',
  183: 'arm64',
  243: 'riscv64',
  258: 'loong64',
}

export function isElf(head: Buffer): boolean {
  return head.length >= 4 && head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46
}

export function parseElf(head: Buffer): ElfInfo | undefined {
  if (!isElf(head) || head.length < 20) return undefined
  const bits = head[4] === 1 ? 32 : head[4] === 2 ? 64 : undefined
  const endian = head[5] === 1 ? 'le' : head[5] === 2 ? 'be' : undefined
  if (!bits || !endian) return undefined
  const u16 = (at: number) => (endian === 'le' ? head.readUInt16LE(at) : head.readUInt16BE(at))
  const u32 = (at: number) => (endian === 'le' ? head.readUInt32LE(at) : head.readUInt32BE(at))
  const u64 = (at: number) => Number(endian === 'le' ? head.readBigUInt64LE(at) : head.readBigUInt64BE(at))
  const eType = u16(16)
  const machine = u16(18)
  let architecture = MACHINES[machine]
  if (machine === 21 && endian === 'le') architecture = 'ppc64le'
  if (machine === 8 && endian === 'le') architecture = bits === 64 ? 'mips64le' : 'mipsle'
  if (machine === 8 && endian === 'be' && bits === 64) architecture = 'mips64'
  const info: ElfInfo = {bits, endian, type: elfType(eType), machine, architecture, programHeadersRead: false}

  const headerSize = bits === 64 ? 64 : 52
  if (head.length < headerSize) return info
  const phoff = bits === 64 ? u64(32) : u32(28)
  const phentsize = u16(bits === 64 ? 54 : 42)
  const phnum = u16(bits === 64 ? 56 : 44)
  if (phnum === 0) return {...info, programHeadersRead: true}
  if (phentsize < (bits === 64 ? 56 : 32) || phoff + phentsize * phnum > head.length) return info
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize
    if (u32(at) !== PT_INTERP) continue
    const offset = bits === 64 ? u64(at + 8) : u32(at + 4)
    const size = bits === 64 ? u64(at + 32) : u32(at + 16)
    if (offset + size > head.length || size === 0) return info
    const raw = head.subarray(offset, offset + size)
    const nul = raw.indexOf(0)
    return {...info, interpreter: raw.subarray(0, nul === -1 ? raw.length : nul).toString('latin1'), programHeadersRead: true}
  }
  return {...info, programHeadersRead: true}
}

function elfType(value: number): ElfInfo['type'] {
  switch (value) {
    case 1:
      return 'relocatable'
    case 2:
      return 'executable'
    case 3:
      return 'shared'
    case 4:
      return 'core'
    default:
      return 'other'
  }
}
