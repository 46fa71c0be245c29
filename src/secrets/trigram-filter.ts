/**
 * Finds, 32 bytes a turn, the places in a window of file bytes where one of a few dozen literals (the
 * patterns' keywords and starts) may begin, ignoring case: the first sieve of the content scan. Plain JS
 * tops out near 450 MB/s on one byte-table lookup per byte, and a regex alternation of the literals near
 * 200 MB/s, both far over the scan's budget; this is Teddy (teddy-masks.ts) as a WebAssembly SIMD kernel,
 * about 2 GB/s with its candidates written out. The kernel is written out by hand (wasm-code.ts): no
 * toolchain, no dependency, and its JS reference (teddyCandidates) is what tests hold it to. The same
 * module then checks the candidates against the literals themselves (literal-check.ts).
 */
import {teddyCandidates, teddyMasks, type TeddyMasks} from './teddy-masks.js'
import {checkCandidates, checkFunction, checkTables, CHECK_TABLE_BYTES, type CheckedLiteral} from './literal-check.js'
import {I32, op, V128, wasmModule, type WasmFunction} from './wasm-code.js'

/** The kernel reads up to this far past a window's end (two blocks of 16 and 2 more, from the last turn). */
const PADDING = 64

/*
 * The kernel, as its .wat would read:
 *   (func $candidates (param $in i32) (param $len i32) (param $out i32) (result i32)   ;; → count written at $out
 *     for each block of 16 bytes at $p, from $in while $p < $in + $len:
 *       $r = AND over k in 0..2 of (swizzle(LO_k, load($p + k) & 0x0f) & swizzle(HI_k, (load($p + k) >>u 4) & 0x0f))
 *       if any_true($r): for each set bit b of bitmask($r != 0): store ($p - $in + ctz b) at $out++
 *   (func $count (param $in i32) (param $len i32) (param $byte i32) (result i32)       ;; $len a multiple of 16
 *     sum over blocks of popcnt(bitmask(load($p) == splat($byte)))
 * $candidates does two blocks a turn and tests them together: candidates are rare, so mostly one branch per 32
 * bytes (1.25 s → 1.0 s on the bench image). Places past $len read the caller's zero padding.
 */
const IN = 0
const LEN = 1
const OUT = 2
function candidatesFunction(masks: TeddyMasks): WasmFunction {
  const [P, END, O, BITS] = [3, 4, 5, 6]
  // v128 locals: the six tables and the nibble mask, set once so the loop keeps them in registers.
  const [R, R2, X, NIBBLE] = [7, 8, 9, 10]
  const table = (k: number, hi: boolean) => 11 + 2 * k + (hi ? 1 : 0)
  const setTables = [0, 1, 2].flatMap((k) => [
    ...op.v128Const(masks.lo[k]), ...op.localSet(table(k, false)),
    ...op.v128Const(masks.hi[k]), ...op.localSet(table(k, true)),
  ])
  /** The buckets that byte $p + block + k allows at position k; the 16-bit shift is one instruction, the 8-bit one three. */
  const lane = (block: number, k: number) => [
    ...op.localGet(P), ...op.v128Load(block + k), ...op.localSet(X),
    ...op.localGet(table(k, false)), ...op.localGet(X), ...op.localGet(NIBBLE), ...op.v128And, ...op.i8x16Swizzle,
    ...op.localGet(table(k, true)), ...op.localGet(X), ...op.i32Const(4), ...op.i16x8ShrU, ...op.localGet(NIBBLE), ...op.v128And, ...op.i8x16Swizzle,
    ...op.v128And,
  ]
  const buckets = (block: number) => [...lane(block, 0), ...lane(block, 1), ...op.v128And, ...lane(block, 2), ...op.v128And]
  /** Writes the offset of each lane of $r that has a bucket, then moves $p on a block. */
  const emit = [
    [...op.localGet(R), ...op.v128AnyTrue, ...op.if],
    [...op.localGet(R), ...op.v128Bytes(0), ...op.i8x16Ne, ...op.i8x16Bitmask, ...op.localSet(BITS)],
    [...op.block, ...op.loop, ...op.localGet(BITS), ...op.i32Eqz, ...op.brIf(1)],
    [...op.localGet(O), ...op.localGet(P), ...op.localGet(IN), ...op.i32Sub, ...op.localGet(BITS), ...op.i32Ctz, ...op.i32Add, ...op.i32Store],
    [...op.localGet(O), ...op.i32Const(4), ...op.i32Add, ...op.localSet(O)],
    [...op.localGet(BITS), ...op.localGet(BITS), ...op.i32Const(1), ...op.i32Sub, ...op.i32And, ...op.localSet(BITS)],
    [...op.br(0), ...op.end, ...op.end, ...op.end],
    [...op.localGet(P), ...op.i32Const(16), ...op.i32Add, ...op.localSet(P)],
  ]
  return {
    name: 'candidates',
    params: [I32, I32, I32],
    results: [I32],
    locals: [[4, I32], [10, V128]],
    body: [
      [...op.localGet(IN), ...op.localSet(P), ...op.localGet(IN), ...op.localGet(LEN), ...op.i32Add, ...op.localSet(END)],
      [...op.localGet(OUT), ...op.localSet(O), ...op.v128Bytes(0x0f), ...op.localSet(NIBBLE), ...setTables],
      [...op.block, ...op.loop],
      [...op.localGet(P), ...op.localGet(END), ...op.i32GeU, ...op.brIf(1)],
      [...buckets(0), ...op.localSet(R), ...buckets(16), ...op.localSet(R2)],
      [...op.localGet(R), ...op.localGet(R2), ...op.v128Or, ...op.v128AnyTrue, ...op.if],
      ...emit,
      [...op.localGet(R2), ...op.localSet(R)],
      ...emit,
      [...op.else, ...op.localGet(P), ...op.i32Const(32), ...op.i32Add, ...op.localSet(P), ...op.end],
      [...op.br(0), ...op.end, ...op.end],
      [...op.localGet(O), ...op.localGet(OUT), ...op.i32Sub, ...op.i32Const(2), ...op.i32ShrU],
    ],
  }
}

function countFunction(): WasmFunction {
  const [P, END, N, BYTE] = [3, 4, 5, 2]
  return {
    name: 'count',
    params: [I32, I32, I32],
    results: [I32],
    locals: [[3, I32]],
    body: [
      [...op.localGet(IN), ...op.localSet(P), ...op.localGet(IN), ...op.localGet(LEN), ...op.i32Add, ...op.localSet(END)],
      [...op.block, ...op.loop, ...op.localGet(P), ...op.localGet(END), ...op.i32GeU, ...op.brIf(1)],
      [...op.localGet(N), ...op.localGet(P), ...op.v128Load(0), ...op.localGet(BYTE), ...op.i8x16Splat, ...op.i8x16Eq],
      [...op.i8x16Bitmask, ...op.i32Popcnt, ...op.i32Add, ...op.localSet(N)],
      [...op.localGet(P), ...op.i32Const(16), ...op.i32Add, ...op.localSet(P), ...op.br(0), ...op.end, ...op.end],
      [...op.localGet(N)],
    ],
  }
}

interface Kernel {
  memory: WebAssembly.Memory
  candidates(input: number, length: number, out: number): number
  count(input: number, length: number, byte: number): number
  check(input: number, length: number, candidates: number, n: number): number
}

function instantiate(masks: TeddyMasks): Kernel | undefined {
  try {
    const bytes = wasmModule([candidatesFunction(masks), countFunction(), checkFunction()], BASE / 65536 + 1)
    return new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as unknown as Kernel
  } catch {
    return undefined // no WebAssembly (or no SIMD): the JS reference does the same, slower
  }
}

/** More than DENSE_CANDIDATES candidates, one per DENSE_CANDIDATE_SPACING bytes or closer: handed on unchecked. */
const DENSE_CANDIDATES = 1024
const DENSE_CANDIDATE_SPACING = 16

/** The window starts here in the kernel's memory; below it, the literal check's tables (literal-check.ts). */
const BASE = CHECK_TABLE_BYTES

/**
 * One window at a time: `load` copies it into the kernel's memory, `candidates`, `checkedCandidates` and
 * `count` run on it until the next load. One per thread; not re-entrant (callers finish with a window
 * before the next).
 */
export class TrigramFilter {
  readonly masks: TeddyMasks
  private readonly kernel: Kernel | undefined
  /** The literal check's tables; undefined when there is nothing (or too much) to check. */
  private readonly tables: Uint8Array | undefined
  private capacity = 0
  private heap = new Uint8Array(0)
  private window: Buffer = Buffer.alloc(0)
  private length = 0

  /**
   * `literals` are the trigrams (or longer literals: their first three characters) sieved for; `check`, the
   * literals behind them, which `checkedCandidates` checks each candidate against.
   */
  constructor(literals: readonly string[], options: {wasm?: boolean; check?: readonly CheckedLiteral[]} = {}) {
    this.masks = teddyMasks(literals)
    this.kernel = options.wasm === false ? undefined : instantiate(this.masks)
    this.tables = options.check ? checkTables(options.check) : undefined
  }

  get usesWasm(): boolean {
    return this.kernel !== undefined
  }

  /** Copies `parts` (their bytes end to end) in; returns them as one Buffer, valid until the next load. */
  load(parts: readonly Uint8Array[], length: number): Buffer {
    this.reserve(length)
    let at = BASE
    for (const part of parts) {
      this.heap.set(part, at)
      at += part.length
    }
    this.heap.fill(0, BASE + length, BASE + length + PADDING)
    this.length = length
    this.window = Buffer.from(this.heap.buffer, BASE, length)
    return this.window
  }

  /** Ascending offsets in the loaded window where a literal may start (a superset of where one does). */
  candidates(): Int32Array {
    if (!this.kernel) return teddyCandidates(this.masks, this.window, this.length)
    const out = this.outOffset()
    const n = this.kernel.candidates(BASE, this.length, out)
    return new Int32Array(this.kernel.memory.buffer, out, n)
  }

  /**
   * The candidates where one of the `check` literals does start (and an assignment follows, for the
   * literals that need one): what the caller's exact check would accept, and no more. All candidates
   * (those within the window) when the filter has no check.
   */
  checkedCandidates(): Int32Array {
    const candidates = this.candidates()
    // Where candidates are dense (a file of "aws_aws_…") nearly all pass, and the caller checks them again:
    // the kernel's check would only add its own cost.
    if (!this.tables || (candidates.length > DENSE_CANDIDATES && candidates.length * DENSE_CANDIDATE_SPACING > this.length)) return candidates
    if (!this.kernel) return candidates.subarray(0, checkCandidates(this.heap, BASE, this.length, candidates, candidates.length))
    const kept = this.kernel.check(BASE, this.length, candidates.byteOffset, candidates.length)
    return candidates.subarray(0, kept)
  }

  /** How many `byte`s the loaded window holds in [from, to). */
  count(byte: number, from: number, to: number): number {
    if (to <= from) return 0
    if (!this.kernel || to - from < 64) return countLoop(this.window, byte, from, to)
    // The kernel counts whole blocks; the tail is counted here.
    const whole = (to - from) & ~15
    return this.kernel.count(BASE + from, whole, byte) + countLoop(this.window, byte, from + whole, to)
  }

  /** Where candidates are written: after the window and its padding, 16-byte aligned for the Int32Array view. */
  private outOffset(): number {
    return (BASE + this.capacity + PADDING + 15) & ~15
  }

  /** Room for the tables, a window of `length` bytes, its padding and a candidate (4 bytes) for each of its positions. */
  private reserve(length: number): void {
    if (length <= this.capacity && this.heap.length > 0) return
    const capacity = Math.max(length, this.capacity * 2, 512 * 1024)
    const bytes = BASE + capacity + PADDING + 16 + 4 * (capacity + 32)
    if (this.kernel) {
      const memory = this.kernel.memory
      const pages = Math.ceil((bytes - memory.buffer.byteLength) / 65536)
      if (pages > 0) memory.grow(pages)
      this.heap = new Uint8Array(memory.buffer)
    } else {
      this.heap = new Uint8Array(bytes)
    }
    if (this.tables) this.heap.set(this.tables, 0)
    this.capacity = capacity
  }
}

function countLoop(bytes: Buffer, byte: number, from: number, to: number): number {
  let n = 0
  for (let i = bytes.indexOf(byte, from); i !== -1 && i < to; i = bytes.indexOf(byte, i + 1)) n++
  return n
}
