/**
 * The few WebAssembly encodings trigram-filter.ts needs to write its kernel: LEB128 numbers, the opcodes
 * it uses, and a one-function module around them. Hand-written so the filter needs no toolchain and no
 * dependency; each opcode is named as in the spec's text format, so the kernel reads like its .wat.
 */

export const I32 = 0x7f
export const V128 = 0x7b

export function uleb(n: number): number[] {
  const out: number[] = []
  do {
    let byte = n & 0x7f
    n >>>= 7
    if (n !== 0) byte |= 0x80
    out.push(byte)
  } while (n !== 0)
  return out
}

export function sleb(n: number): number[] {
  const out: number[] = []
  for (;;) {
    const byte = n & 0x7f
    n >>= 7
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) return [...out, byte]
    out.push(byte | 0x80)
  }
}

const simd = (op: number) => [0xfd, ...uleb(op)]

/** Instructions, by their text-format names. */
export const op = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  if: [0x04, 0x40],
  else: [0x05],
  end: [0x0b],
  br: (depth: number) => [0x0c, ...uleb(depth)],
  brIf: (depth: number) => [0x0d, ...uleb(depth)],
  localGet: (i: number) => [0x20, ...uleb(i)],
  localSet: (i: number) => [0x21, ...uleb(i)],
  localTee: (i: number) => [0x22, ...uleb(i)],
  /** i32.load with 4-byte alignment, no offset. */
  i32Load: [0x28, 2, 0],
  /** i32.load8_u at a constant offset from the address on the stack. */
  i32Load8U: (offset: number) => [0x2d, 0, ...uleb(offset)],
  /** i32.store with 4-byte alignment, no offset. */
  i32Store: [0x36, 2, 0],
  i32Const: (n: number) => [0x41, ...sleb(n)],
  i32Eqz: [0x45],
  i32Eq: [0x46],
  i32Ne: [0x47],
  i32LtS: [0x48],
  i32LtU: [0x49],
  i32GtU: [0x4b],
  i32GeU: [0x4f],
  i32Popcnt: [0x69],
  i32Ctz: [0x68],
  i32Add: [0x6a],
  i32Sub: [0x6b],
  i32Mul: [0x6c],
  i32And: [0x71],
  i32Or: [0x72],
  i32Shl: [0x74],
  i32ShrU: [0x76],
  /** v128.load at a constant offset from the address on the stack, byte aligned. */
  v128Load: (offset: number) => [...simd(0x00), 0, ...uleb(offset)],
  v128Const: (bytes: ArrayLike<number>) => [...simd(0x0c), ...Array.from(bytes)],
  /** v128.const with `byte` in every lane. */
  v128Bytes: (byte: number) => [...simd(0x0c), ...new Array<number>(16).fill(byte & 0xff)],
  i8x16Splat: simd(0x0f),
  i8x16Swizzle: simd(0x0e),
  i8x16Eq: simd(0x23),
  i8x16Ne: simd(0x24),
  v128And: simd(0x4e),
  v128Or: simd(0x50),
  v128AnyTrue: simd(0x53),
  i8x16Bitmask: simd(0x64),
  i16x8ShrU: simd(0x8d),
}

export interface WasmFunction {
  name: string
  params: number[]
  results: number[]
  /** Extra locals after the params: [count, type] groups. */
  locals: [number, number][]
  body: number[][]
}

const vector = (items: number[][]) => [...uleb(items.length), ...items.flat()]
const section = (id: number, items: number[][]) => {
  const content = vector(items)
  return [id, ...uleb(content.length), ...content]
}
const name = (s: string) => [...uleb(s.length), ...Buffer.from(s, 'latin1')]

/** A module exporting `memory` (`pages` of 64 KiB to start with) and the functions, one type each. */
export function wasmModule(functions: WasmFunction[], pages: number): Uint8Array<ArrayBuffer> {
  const types = functions.map((f) => [0x60, ...uleb(f.params.length), ...f.params, ...uleb(f.results.length), ...f.results])
  const codes = functions.map((f) => {
    const code = [...vector(f.locals.map(([count, type]) => [...uleb(count), type])), ...f.body.flat(), ...op.end]
    return [...uleb(code.length), ...code]
  })
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, types),
    ...section(3, functions.map((_, i) => uleb(i))),
    ...section(5, [[0x00, ...uleb(pages)]]),
    ...section(7, [[...name('memory'), 0x02, 0x00], ...functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)])]),
    ...section(10, codes),
  ])
}
