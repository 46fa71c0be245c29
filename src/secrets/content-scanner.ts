/**
 * Scans file bytes as their layer streams past (a ContentHook for readLayers). Text is scanned in
 * windows of WINDOW bytes that overlap by OVERLAP, so a secret cut by a chunk boundary is still whole
 * in one window; a match is reported only by the window whose "report zone" holds its first byte, so
 * the overlap never reports twice. Bytes are decoded as latin1: one byte, one character, offsets and
 * line counts stay exact and every pattern is ASCII anyway. Most windows are never decoded at all: the
 * window matcher sieves their bytes first (window-matcher.ts), and lines are counted on bytes.
 */
import type {ContentHook, ContentSink, LayerEntry} from '../fs/entry.js'
import type {ContentHookSpec, LayerHook} from '../fs/hook-spec.js'
import type {LayerInfo} from '../image/model.js'
import {isBinary, SNIFF_BYTES} from './binary.js'
import {credentialFileKind, credentialValues, type CredentialFileKind} from './credential-files.js'
import type {ContentScanResult, ContentScanStats, CredentialFileHit, SecretHit} from './hits.js'
import {fingerprint, redact} from './redact.js'
import {scanCache} from './scan-cache.js'
import {WindowMatcher} from './window-matcher.js'

export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024
/** The module layer workers import for the scanner's per-layer hook (ContentScanner.spec). */
export const SCAN_HOOK_MODULE = import.meta.url
const WINDOW = 256 * 1024
/** Longer than any pattern's longest match (private key bodies are capped at 7000). */
const OVERLAP = 8 * 1024
/** Credential files are small; more than this is not a credential file we can parse. */
const MAX_CREDENTIAL_FILE_BYTES = 256 * 1024

/** One per thread (layer workers each have their own): it holds a window only while a flush runs. */
let sharedMatcher: WindowMatcher | undefined
const windowMatcher = () => (sharedMatcher ??= new WindowMatcher())

export interface ContentScannerOptions {
  /** Bytes read per file; the rest is skipped and the file counted as capped. Default 1 MiB. */
  maxFileBytes?: number
}

export class ContentScanner {
  readonly stats: ContentScanStats = {filesScanned: 0, bytesScanned: 0, binarySkipped: 0, capped: 0}
  private readonly secrets = new Map<string, SecretHit>()
  private readonly credentialFiles = new Map<string, CredentialFileHit>()
  readonly maxFileBytes: number

  constructor(options: ContentScannerOptions = {}) {
    this.maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES
  }

  /** The ContentHook to hand to readLayers. */
  readonly hook: ContentHook = (entry, layer) => {
    if (entry.size === 0 || this.maxFileBytes <= 0) return undefined
    return new ScanSink(this, entry, layer, credentialFileKind(entry.path))
  }

  result(): ContentScanResult {
    return {secrets: [...this.secrets.values()], credentialFiles: [...this.credentialFiles.values()], stats: {...this.stats}}
  }

  /**
   * For readLayers: each layer scanned by its own scanner (in a layer worker or not, see
   * `createLayerHook`), its result merged here. Hits are keyed by layer, so merging is a union.
   */
  spec(): ContentHookSpec<ContentScannerOptions, ContentScanResult> {
    return {
      module: SCAN_HOOK_MODULE,
      factory: createLayerHook,
      options: {maxFileBytes: this.maxFileBytes},
      onResult: (_layer, result) => this.merge(result),
      cache: scanCache(this.maxFileBytes),
    }
  }

  /** Adds another scanner's result (one layer's) to this one. */
  merge(result: ContentScanResult): void {
    for (const hit of result.secrets) {
      const key = `${hit.layer}\0${hit.path}\0${hit.fingerprint}`
      const seen = this.secrets.get(key)
      if (seen) seen.occurrences += hit.occurrences
      else this.secrets.set(key, {...hit})
    }
    for (const hit of result.credentialFiles) this.credentialFiles.set(`${hit.layer}\0${hit.path}`, hit)
    this.stats.filesScanned += result.stats.filesScanned
    this.stats.bytesScanned += result.stats.bytesScanned
    this.stats.binarySkipped += result.stats.binarySkipped
    this.stats.capped += result.stats.capped
  }

  /** @internal */
  addSecret(hit: Omit<SecretHit, 'occurrences'>): void {
    const key = `${hit.layer}\0${hit.path}\0${hit.fingerprint}`
    const seen = this.secrets.get(key)
    if (seen) seen.occurrences++
    else this.secrets.set(key, {...hit, occurrences: 1})
  }

  /** @internal */
  addCredentialFile(hit: CredentialFileHit): void {
    // A later copy of the same path in the same layer wins, as in flatten.
    this.credentialFiles.set(`${hit.layer}\0${hit.path}`, hit)
  }
}

/** The hook-spec factory: a scanner for one layer (see ContentScanner.spec). */
export function createLayerHook(options: ContentScannerOptions, _layer: LayerInfo): LayerHook<ContentScanResult> {
  const scanner = new ContentScanner(options)
  return {hook: scanner.hook, result: () => scanner.result()}
}

/** Shared by every sink until its first window: one Buffer per file of every layer is garbage for nothing. */
const NO_BYTES = Buffer.alloc(0)

class ScanSink implements ContentSink {
  private pending: Buffer[] = []
  private pendingBytes = 0
  /** The window's last OVERLAP bytes, scanned again at the head of the next. */
  private carry: Buffer = NO_BYTES
  private newlinesBefore = 0
  private accepted = 0
  private sniffed = false
  private skip = false
  private capped = false
  private credential: Buffer[] | undefined

  constructor(
    private readonly scanner: ContentScanner,
    private readonly entry: LayerEntry,
    private readonly layer: LayerInfo,
    private readonly credentialKind: CredentialFileKind | undefined,
  ) {
    if (credentialKind && entry.size <= MAX_CREDENTIAL_FILE_BYTES) this.credential = []
  }

  write(chunk: Buffer): void {
    if (this.skip) return
    const room = this.scanner.maxFileBytes - this.accepted
    if (room <= 0) {
      this.capped = true
      return
    }
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk
    if (part !== chunk) this.capped = true
    this.accepted += part.length
    this.pending.push(part)
    this.pendingBytes += part.length
    this.credential?.push(part)
    if (!this.sniffed && this.pendingBytes >= SNIFF_BYTES && this.sniff()) return
    if (this.pendingBytes >= WINDOW) this.flush(false)
  }

  end(): void {
    if (this.skip) return
    if (!this.sniffed && this.sniff()) return
    this.flush(true)
    const stats = this.scanner.stats
    stats.filesScanned++
    stats.bytesScanned += this.accepted
    if (this.capped) stats.capped++
    if (this.credential && this.credentialKind) this.parseCredentialFile(this.credentialKind, Buffer.concat(this.credential))
  }

  /** True when the file is binary and is now skipped. */
  private sniff(): boolean {
    this.sniffed = true
    const head = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending)
    if (!isBinary(head.subarray(0, SNIFF_BYTES))) return false
    this.skip = true
    this.pending = []
    this.credential = undefined
    this.scanner.stats.binarySkipped++
    return true
  }

  private flush(final: boolean): void {
    const matcher = windowMatcher()
    const length = this.carry.length + this.pendingBytes
    const window = matcher.load(this.carry.length > 0 ? [this.carry, ...this.pending] : this.pending, length)
    this.pending = []
    this.pendingBytes = 0
    const reportEnd = final ? length : Math.max(0, length - OVERLAP)
    let counted = 0
    let newlines = this.newlinesBefore
    for (const match of matcher.find()) {
      if (match.index >= reportEnd) continue
      newlines += matcher.countNewlines(counted, match.index)
      counted = match.index
      this.scanner.addSecret({
        layer: this.layer.index,
        path: this.entry.path,
        pattern: match.pattern.id,
        description: match.pattern.description,
        severity: match.severity,
        example: match.example,
        redacted: redact(match.normalized),
        fingerprint: fingerprint(match.normalized),
        line: newlines + 1,
        name: match.name,
      })
    }
    if (final) return
    this.newlinesBefore = newlines + matcher.countNewlines(counted, reportEnd)
    // A copy: the matcher's next window overwrites this one.
    this.carry = Buffer.from(window.subarray(reportEnd))
  }

  private parseCredentialFile(kind: CredentialFileKind, bytes: Buffer): void {
    const values = credentialValues(kind, bytes.toString('utf8'))
    if (values.length === 0) return
    this.scanner.addCredentialFile({
      layer: this.layer.index,
      path: this.entry.path,
      kind: kind.id,
      title: kind.title,
      values: values.map((v) => ({field: v.field, redacted: redact(v.value), fingerprint: fingerprint(v.value), example: v.example === true})),
    })
  }
}
