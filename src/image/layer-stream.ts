/**
 * A layer's uncompressed tar as a stream, for library users and anything that wants a Readable: the
 * same LayerDecoder the layer reader uses (digests checked in the same pass), behind a Readable that
 * pauses the blob while its reader is behind.
 */
import {Readable} from 'node:stream'
import {LayerDecoder, type LayerStreamStats} from './layer-decoder.js'
import type {Image, LayerInfo} from './model.js'

export type {LayerStreamStats} from './layer-decoder.js'

export interface LayerStream {
  /** Uncompressed tar bytes. Read it to the end: eStargz keeps data after the end-of-archive marker. */
  tar: Readable
  /** Resolves once `tar` has ended and both digests matched; rejects with the error `tar` was destroyed with. */
  stats: Promise<LayerStreamStats>
}

export async function openLayerStream(image: Image, layer: LayerInfo): Promise<LayerStream> {
  return layerStreamFrom(await image.openLayer(layer), layer, image.reference)
}

/** The same from a blob stream already open. `input` names the user's input in errors. */
export async function layerStreamFrom(blob: Readable, layer: LayerInfo, input: string): Promise<LayerStream> {
  let settle!: {resolve: (s: LayerStreamStats) => void; reject: (e: Error) => void}
  const stats = new Promise<LayerStreamStats>((resolve, reject) => (settle = {resolve, reject}))
  stats.catch(() => {}) // consumers that only read `tar` see the error there

  const tar = new Readable({
    highWaterMark: 1 << 20,
    read: () => {
      if (blob.isPaused() && !blob.destroyed) blob.resume()
    },
    destroy: (error, callback) => {
      blob.destroy()
      callback(error)
    },
  })
  const decoder = new LayerDecoder(layer, input, (chunk) => {
    if (!tar.push(chunk)) blob.pause()
  })

  let done = false
  const fail = (error: unknown, wrapped = decoder.sourceError(error)): void => {
    if (done) return
    done = true
    settle.reject(wrapped)
    tar.destroy(wrapped)
  }
  blob.on('data', (chunk: Buffer) => {
    if (done) return
    try {
      decoder.write(chunk)
    } catch (error) {
      fail(error)
    }
  })
  blob.once('end', () => {
    if (done) return
    try {
      const result = decoder.end()
      done = true
      tar.push(null)
      settle.resolve(result)
    } catch (error) {
      fail(error)
    }
  })
  blob.once('error', (error) => fail(error))
  blob.once('close', () => {
    if (!done && !blob.readableEnded) fail(undefined, decoder.closedEarly())
  })
  return {tar, stats}
}
