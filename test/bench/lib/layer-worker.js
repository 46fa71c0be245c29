// Writes one gzip layer of the benchmark image: `node layer-worker.js '{"index":…,"scale":…,"seed":…,
// "secrets":…,"out":…,"level":6,"pigz":true[,"variant":true]}'` (variant: the layer as the diff bench's
// variant image holds it, plan.js VARIANT). Prints {diffId, digest, size, uncompressedSize, files,
// whiteouts, writer, longNames} as JSON. One process per layer so layers build on all cores. The
// layer's headers are laid out by the writer its recipe names (tar-writers.js).
import {spawn} from 'node:child_process'
import {createHash} from 'node:crypto'
import {createWriteStream, renameSync} from 'node:fs'
import {once} from 'node:events'
import {pathToFileURL} from 'node:url'
import {createGzip} from 'node:zlib'
import {contentPadding, tarEnd} from '../../../fixtures/lib/tar.js'
import {layerEntries, layerWriter} from './plan.js'
import {buildPool, contentOf} from './pool.js'
import {headerWriter} from './tar-writers.js'

const BATCH = 1024 * 1024

export async function writeLayer({index, scale, seed, secrets, out, level = 6, pigz = false, variant = false}) {
  const pool = buildPool(seed, scale)
  const entries = layerEntries(index, {scale, seed, secrets, variant})
  const writer = layerWriter(index)
  const writeHeader = headerWriter(writer)
  /** Entries whose tar name (directories with their '/') is over 100 bytes: written with the writer's long-name form. */
  let longNames = 0
  const entryHeader = (entry) => {
    if (Buffer.byteLength(entry.name) + (entry.type === 'directory' ? 1 : 0) > 100) longNames++
    return writeHeader(entry)
  }
  const tmp = `${out}.partial`
  const file = createWriteStream(tmp, {highWaterMark: BATCH})
  const compressedHash = createHash('sha256')
  let compressedSize = 0
  let compressor
  let input
  let output
  if (pigz) {
    compressor = spawn('pigz', [`-${level}`, '-n', '-p', '1', '-c'], {stdio: ['pipe', 'pipe', 'inherit']})
    input = compressor.stdin
    output = compressor.stdout
  } else {
    compressor = createGzip({level, chunkSize: 256 * 1024})
    input = compressor
    output = compressor
  }
  output.on('data', (chunk) => {
    compressedHash.update(chunk)
    compressedSize += chunk.length
  })
  output.pipe(file)
  const done = once(file, 'close')

  const tarHash = createHash('sha256')
  let uncompressedSize = 0
  let pending = []
  let pendingBytes = 0
  const flush = async () => {
    if (pending.length === 0) return
    const chunk = pending.length === 1 ? pending[0] : Buffer.concat(pending)
    pending = []
    pendingBytes = 0
    tarHash.update(chunk)
    uncompressedSize += chunk.length
    if (!input.write(chunk)) await once(input, 'drain')
  }
  const push = async (buf) => {
    if (buf.length === 0) return
    pending.push(buf)
    pendingBytes += buf.length
    if (pendingBytes >= BATCH) await flush()
  }

  const dirs = new Set()
  const parents = async (path) => {
    const parts = path.split('/').filter(Boolean).slice(0, -1)
    for (let i = 1; i <= parts.length; i++) {
      const dir = parts.slice(0, i).join('/')
      if (dirs.has(dir)) continue
      dirs.add(dir)
      await push(entryHeader({name: dir, type: 'directory', mode: dir === 'root' ? 0o700 : 0o755}))
    }
  }
  let files = 0
  let whiteouts = 0
  for (const entry of entries) {
    if (entry.whiteout || entry.opaque) {
      const target = entry.whiteout ?? `${entry.opaque}/.wh..wh..opq`
      const name = entry.whiteout ? target.replace(/\/([^/]+)$/, '/.wh.$1').slice(1) : target.slice(1)
      await parents('/' + name)
      await push(entryHeader({name, type: 'file', mode: 0o644, size: 0}))
      whiteouts++
      continue
    }
    await parents(entry.path)
    const name = entry.path.slice(1)
    if (entry.type === 'symlink') {
      await push(entryHeader({name, type: 'symlink', linkname: entry.target}))
      continue
    }
    const data = contentOf(pool, entry)
    await push(entryHeader({name, type: 'file', mode: entry.mode, size: data.length}))
    await push(data)
    await push(contentPadding(data.length))
    files++
  }
  await push(tarEnd())
  await flush()
  input.end()
  if (pigz) {
    const [code] = await once(compressor, 'close')
    if (code !== 0) throw new Error(`pigz exited with ${code}`)
  }
  await done
  renameSync(tmp, out)
  return {
    index,
    diffId: 'sha256:' + tarHash.digest('hex'),
    digest: 'sha256:' + compressedHash.digest('hex'),
    size: compressedSize,
    uncompressedSize,
    files,
    whiteouts,
    writer,
    longNames,
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await writeLayer(JSON.parse(process.argv[2]))
  process.stdout.write(JSON.stringify(result) + '\n')
}
