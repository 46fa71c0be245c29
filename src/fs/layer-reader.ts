/**
 * One layer read in one synchronous pass: blob bytes in, LayerDecoder (inflate + digests) straight into
 * LayerWalker (tar entries + content hooks), no stream in between. A layer worker pushes the chunks it
 * is sent; the main thread pushes a source's stream into it with `pushStream`.
 */
import {LayerDecoder} from '../image/layer-decoder.js'
import type {LayerInfo} from '../image/model.js'
import type {ContentHook, LayerContents} from './entry.js'
import {LayerWalker} from './layer-walker.js'
import type {PushConsumer} from './push-stream.js'

export type LayerRead = Omit<LayerContents, 'layer'>

export class LayerReader implements PushConsumer<LayerRead> {
  private readonly walker: LayerWalker
  private readonly decoder: LayerDecoder

  constructor(layer: LayerInfo, hooks: readonly ContentHook[], input: string) {
    this.walker = new LayerWalker(layer, hooks, input)
    this.decoder = new LayerDecoder(layer, input, (tar) => this.walker.write(tar))
  }

  /**
   * Throws the layer's typed error when it is known for sure (bytes past the declared size; a broken
   * stream with no blob digest to check). A broken stream, a corrupt tar or a hook's failure otherwise
   * waits for `end`: a blob whose digest does not match is reported as that (LayerDecoder).
   */
  write(blobChunk: Buffer): void {
    this.decoder.write(blobChunk)
  }

  /** The blob ended: digests are checked before any held error and the tar's completeness (a bad blob is the better answer). */
  end(): LayerRead {
    const stats = this.decoder.end()
    return {...this.walker.end(), ...stats}
  }

  pendingEntries(): number {
    return this.walker.pendingEntries
  }

  /** Entries walked since the last call, in tar order; `end` returns only the ones taken after it. */
  takeEntries(): LayerContents['entries'] {
    return this.walker.takeEntries()
  }

  /** The typed error for a failure of the blob's source. */
  sourceError(error: unknown): Error {
    return this.decoder.sourceError(error)
  }

  closedEarly(): Error {
    return this.decoder.closedEarly()
  }
}
