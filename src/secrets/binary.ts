/** Cheap binary sniffing on a file's first bytes, before any pattern runs. */

/** Git's heuristic looks this far for a NUL byte. */
export const SNIFF_BYTES = 8000

const MAGIC: readonly (readonly number[])[] = [
  [0x7f, 0x45, 0x4c, 0x46], // ELF
  [0x1f, 0x8b], // gzip
  [0x28, 0xb5, 0x2f, 0xfd], // zstd
  [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], // xz
  [0x42, 0x5a, 0x68], // bzip2
  [0x50, 0x4b, 0x03, 0x04], // zip, jar, wheel
  [0x89, 0x50, 0x4e, 0x47], // PNG
  [0xff, 0xd8, 0xff], // JPEG
  [0x47, 0x49, 0x46, 0x38], // GIF
  [0xca, 0xfe, 0xba, 0xbe], // Java class, Mach-O fat
  [0xcf, 0xfa, 0xed, 0xfe], // Mach-O 64
  [0x00, 0x61, 0x73, 0x6d], // wasm
  [0x4d, 0x5a], // PE
  [0x37, 0x7a, 0xbc, 0xaf], // 7z
]

export function isBinary(head: Uint8Array): boolean {
  for (const magic of MAGIC) {
    if (head.length >= magic.length && magic.every((byte, i) => head[i] === byte)) return true
  }
  // Buffer's indexOf is memchr; a byte loop here was 5% of the scan.
  return Buffer.from(head.buffer, head.byteOffset, Math.min(head.length, SNIFF_BYTES)).indexOf(0) !== -1
}
