/**
 * The sieve's second step, inside the kernel: of the places the Teddy sieve lets through, keep only those
 * where one of the literals really starts (ignoring ASCII case) and, for a literal that only assignment
 * patterns use, where an assignment follows its name. On the bench image ~6M candidates come through the
 * sieve (half of them real "token"s in running text, the rest places that only look like a trigram to
 * the nibble tables); checking each in JS cost ~0.4 s of CPU in a one-thread walk of the bench's layers,
 * here ~0.14 s. The JS loop after it (window-matcher.ts) still makes the exact check on what survives, so
 * this step only has to keep a superset of what that loop accepts; it keeps exactly that set.
 *
 * The literals are tables in the kernel's memory, below the window (see trigram-filter.ts):
 *   PAIRS    65536 bytes: the first two bytes of a sieved trigram, folded (anchor.ts pairKey), → the
 *            first anchor whose trigram starts so (1-based; 0: none)
 *   NAME     256 bytes: 1 for [A-Za-z0-9_-], the bytes of a name (anchor.ts's NAME_BYTE)
 *   ANCHORS  RECORD bytes each, from index 1: length, sieve offset, flags, the next anchor of the same
 *            pair (0: none), then the literal lower-cased, then per byte the bit that case folding may
 *            set (0x20 for a letter, else 0): a byte matches where (byte | fold) === lower.
 */
import {assignmentFollows, NAME_BYTE, pairKey} from './anchor.js'
import {I32, op, type WasmFunction} from './wasm-code.js'

export interface CheckedLiteral {
  /** Lower case. */
  literal: string
  /** Where in the literal its sieved trigram sits (Anchor.sieveOffset). */
  sieveOffset: number
  /** Every pattern that uses it is an assignment pattern: it counts only where an assignment follows. */
  assignment: boolean
}

const PAIRS = 0
const NAME = 65536
const ANCHORS = NAME + 256
const RECORD = 128
/** Bytes of a literal compared: a longer one is compared on its first MAX_COMPARED (a superset still). */
const MAX_COMPARED = (RECORD - 4) / 2
const MAX_ANCHORS = 255
const FLAG_ASSIGNMENT = 1
/** Not checked here (a sieve offset past a byte): every candidate of its pair passes. */
const FLAG_PASS = 2
/** Bytes the tables take at the start of the kernel's memory; the window starts here. */
export const CHECK_TABLE_BYTES = 2 * 65536

/** The tables for these literals, or undefined when there are too many to encode (nothing is then checked). */
export function checkTables(literals: readonly CheckedLiteral[]): Uint8Array | undefined {
  if (literals.length > MAX_ANCHORS) return undefined
  const tables = new Uint8Array(CHECK_TABLE_BYTES)
  tables.set(NAME_BYTE, NAME)
  literals.forEach((l, i) => {
    const index = i + 1
    const record = ANCHORS + index * RECORD
    const bytes = Buffer.from(l.literal, 'latin1')
    const sieved = bytes.subarray(l.sieveOffset)
    const key = PAIRS + pairKey(sieved, 0)
    const compared = Math.min(bytes.length, MAX_COMPARED)
    tables[record] = compared
    tables[record + 1] = Math.min(l.sieveOffset, 255)
    tables[record + 2] = (l.assignment ? FLAG_ASSIGNMENT : 0) | (l.sieveOffset > 255 ? FLAG_PASS : 0)
    tables[record + 3] = tables[key]
    tables[key] = index
    for (let j = 0; j < compared; j++) {
      const byte = bytes[j]
      const letter = (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7a
      tables[record + 4 + j] = letter ? byte | 0x20 : byte
      tables[record + 4 + MAX_COMPARED + j] = letter ? 0x20 : 0
    }
  })
  return tables
}

/**
 * What the kernel's `check` computes, in plain JS, on the same tables: the candidates (ascending places
 * of sieved trigrams in bytes[base, base + length)) where a literal starts; written over `candidates`
 * from its start, their number returned.
 */
export function checkCandidates(heap: Uint8Array, base: number, length: number, candidates: Int32Array, n: number): number {
  let kept = 0
  for (let i = 0; i < n; i++) {
    const c = candidates[i]
    if (c >= length) break
    let anchor = heap[PAIRS + pairKey(heap, base + c)]
    while (anchor !== 0) {
      const record = ANCHORS + anchor * RECORD
      anchor = heap[record + 3]
      const flags = heap[record + 2]
      if (flags & FLAG_PASS) {
        candidates[kept++] = c
        break
      }
      const at = c - heap[record + 1]
      const compared = heap[record]
      if (at < 0 || at + compared > length) continue
      let j = 0
      while (j < compared && (heap[base + at + j] | heap[record + 4 + MAX_COMPARED + j]) === heap[record + 4 + j]) j++
      if (j < compared) continue
      if (flags & FLAG_ASSIGNMENT && !assignmentFollows(heap, base + at, base + length)) continue
      candidates[kept++] = c
      break
    }
  }
  return kept
}

/**
 * The kernel's `check(in, len, cands, n) → kept`, checkCandidates as its .wat would read. Branch depths
 * are named where they are taken.
 */
export function checkFunction(): WasmFunction {
  const [IN, LEN, CANDS, N] = [0, 1, 2, 3]
  const [I, KEPT, C, ANCHOR, RECORD_AT, FLAGS, AT, LIMIT, J, K, B] = [4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]
  const get = op.localGet
  const set = op.localSet
  const byteAt = (local: number) => [...get(IN), ...get(local), ...op.i32Add, ...op.i32Load8U(0)]
  const recordByte = (offset: number) => [...get(RECORD_AT), ...op.i32Load8U(offset)]
  const isByte = (byte: number) => [...get(B), ...op.i32Const(byte), ...op.i32Eq]
  // Depths inside the anchor loop: 0 the anchor loop, 1 $pass, 2 the candidate loop, 3 $done.
  const assignment = [
    // The name's run of bytes, from the literal's start.
    [...get(AT), ...set(K)],
    [...op.block, ...op.loop],
    [...get(K), ...get(LEN), ...op.i32GeU, ...op.brIf(1)],
    [...op.i32Const(NAME), ...byteAt(K), ...op.i32Add, ...op.i32Load8U(0), ...op.i32Eqz, ...op.brIf(1)],
    [...get(K), ...op.i32Const(1), ...op.i32Add, ...set(K), ...op.br(0), ...op.end, ...op.end],
    // An optional quote.
    [...get(K), ...get(LEN), ...op.i32LtU, ...op.if],
    [...byteAt(K), ...set(B), ...isByte(0x22), ...isByte(0x27), ...op.i32Or, ...op.if],
    [...get(K), ...op.i32Const(1), ...op.i32Add, ...set(K), ...op.end, ...op.end],
    // Blanks.
    [...op.block, ...op.loop],
    [...get(K), ...get(LEN), ...op.i32GeU, ...op.brIf(1)],
    [...byteAt(K), ...set(B), ...isByte(0x20), ...isByte(0x09), ...op.i32Or, ...op.i32Eqz, ...op.brIf(1)],
    [...get(K), ...op.i32Const(1), ...op.i32Add, ...set(K), ...op.br(0), ...op.end, ...op.end],
    // Then ':' or '=' keeps it; anything else tries the next anchor.
    [...get(K), ...get(LEN), ...op.i32GeU, ...op.brIf(0)],
    [...byteAt(K), ...set(B), ...isByte(0x3a), ...isByte(0x3d), ...op.i32Or, ...op.brIf(1)],
    [...op.br(0)],
  ]
  const anchorLoop = [
    [...op.block, ...op.loop],
    [...get(ANCHOR), ...op.i32Eqz, ...op.brIf(2)],
    [...get(ANCHOR), ...op.i32Const(RECORD), ...op.i32Mul, ...op.i32Const(ANCHORS), ...op.i32Add, ...set(RECORD_AT)],
    [...recordByte(3), ...set(ANCHOR), ...recordByte(2), ...set(FLAGS)],
    [...get(FLAGS), ...op.i32Const(FLAG_PASS), ...op.i32And, ...op.brIf(1)],
    [...get(C), ...recordByte(1), ...op.i32Sub, ...op.localTee(AT), ...op.i32Const(0), ...op.i32LtS, ...op.brIf(0)],
    [...get(AT), ...recordByte(0), ...op.i32Add, ...op.localTee(LIMIT), ...get(LEN), ...op.i32GtU, ...op.brIf(0)],
    // The literal, byte by byte: depths 0 the byte loop, 1 its block, 2 the anchor loop.
    [...get(AT), ...set(J)],
    [...op.block, ...op.loop],
    [...get(J), ...get(LIMIT), ...op.i32GeU, ...op.brIf(1)],
    [...byteAt(J), ...get(RECORD_AT), ...get(J), ...op.i32Add, ...get(AT), ...op.i32Sub, ...op.i32Load8U(4 + MAX_COMPARED), ...op.i32Or],
    [...get(RECORD_AT), ...get(J), ...op.i32Add, ...get(AT), ...op.i32Sub, ...op.i32Load8U(4), ...op.i32Ne, ...op.brIf(2)],
    [...get(J), ...op.i32Const(1), ...op.i32Add, ...set(J), ...op.br(0), ...op.end, ...op.end],
    [...get(FLAGS), ...op.i32Const(FLAG_ASSIGNMENT), ...op.i32And, ...op.i32Eqz, ...op.brIf(1)],
    ...assignment,
    [...op.end, ...op.end],
  ]
  return {
    name: 'check',
    params: [I32, I32, I32, I32],
    results: [I32],
    locals: [[11, I32]],
    body: [
      [...op.block, ...op.loop],
      [...get(I), ...get(N), ...op.i32GeU, ...op.brIf(1)],
      [...get(CANDS), ...get(I), ...op.i32Const(2), ...op.i32Shl, ...op.i32Add, ...op.i32Load, ...set(C)],
      [...get(I), ...op.i32Const(1), ...op.i32Add, ...set(I)],
      [...get(C), ...get(LEN), ...op.i32GeU, ...op.brIf(1)],
      [...op.i32Const(PAIRS), ...byteAt(C), ...op.i32Const(0x20), ...op.i32Or, ...op.i32Const(8), ...op.i32Shl],
      [...get(IN), ...get(C), ...op.i32Add, ...op.i32Load8U(1), ...op.i32Const(0x20), ...op.i32Or, ...op.i32Or, ...op.i32Add, ...op.i32Load8U(0), ...set(ANCHOR)],
      ...anchorLoop,
      // $pass: keep the candidate.
      [...get(CANDS), ...get(KEPT), ...op.i32Const(2), ...op.i32Shl, ...op.i32Add, ...get(C), ...op.i32Store],
      [...get(KEPT), ...op.i32Const(1), ...op.i32Add, ...set(KEPT), ...op.br(0)],
      [...op.end, ...op.end],
      [...get(KEPT)],
    ],
  }
}
