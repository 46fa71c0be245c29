/**
 * The zips layer-image reads: local files as given, and layer version ARNs downloaded the way compare
 * downloads them (GetLayerVersionByArn, then the presigned Content.Location, verified against CodeSha256
 * and CodeSize, from the zip cache when it is there). Each keeps what its labels record.
 */
import {createHash} from 'node:crypto'
import {createReadStream} from 'node:fs'
import {stat} from 'node:fs/promises'
import {basename} from 'node:path'

import {LayerAuditError, UsageError} from '../errors.js'
import type {AwsOptions} from '../lambda/aws.js'
import type {DownloadedZip, DownloadOptions} from '../lambda/download.js'

export interface LayerZip {
  /** The zip on disk (for an ARN, the downloaded or cached copy). */
  path: string
  /** Hex sha256 of the zip. */
  sha256: string
  /** A local zip's file name (no directory: the label must not depend on where it was built). */
  fileName?: string
  /** A layer version ARN and what Lambda reports for it. */
  arn?: string
  codeSha256?: string
  compatibleArchitectures?: string[]
}

export interface ResolvedLayerZips {
  zips: LayerZip[]
  /** Removes temporary downloads (cached zips stay). */
  dispose(): Promise<void>
}

export async function resolveLayerZips(values: readonly string[], aws: AwsOptions, download: DownloadOptions = {}): Promise<ResolvedLayerZips> {
  const downloads: DownloadedZip[] = []
  const dispose = async () => {
    for (const zip of downloads.splice(0)) await zip.cleanup()
  }
  try {
    const zips: LayerZip[] = []
    for (const value of values) {
      if (!value.startsWith('arn:')) {
        const info = await stat(value).catch(() => undefined)
        if (!info?.isFile()) throw new LayerAuditError('NOT_FOUND', info ? 'not a zip file' : 'no such file', {input: value})
        zips.push({path: value, sha256: await sha256File(value), fileName: basename(value)})
        continue
      }
      // The AWS SDK loads only when an ARN needs it.
      const {getLayerVersionByArn, downloadLayer} = await import('../lambda/aws.js')
      const version = await getLayerVersionByArn(value, aws)
      const zip = await downloadLayer(version, download)
      downloads.push(zip)
      zips.push({
        path: zip.path,
        sha256: zip.sha256,
        arn: version.arn,
        codeSha256: version.codeSha256,
        ...(version.compatibleArchitectures ? {compatibleArchitectures: version.compatibleArchitectures} : {}),
      })
    }
    return {zips, dispose}
  } catch (error) {
    await dispose()
    throw error
  }
}

/**
 * The image architecture the layers allow when --platform is not given: arm64 when every layer that lists
 * CompatibleArchitectures lists arm64 and not x86_64; amd64 otherwise (and when none lists any).
 */
export function architectureOf(zips: readonly LayerZip[]): 'amd64' | 'arm64' {
  const listed = zips.filter((zip) => zip.compatibleArchitectures?.length)
  if (listed.length === 0) return 'amd64'
  const common = ['x86_64', 'arm64'].filter((arch) => listed.every((zip) => zip.compatibleArchitectures!.includes(arch)))
  if (common.length === 0) {
    throw new UsageError(`the layers have no CompatibleArchitectures in common (${listed.map((z) => `${z.arn}: ${z.compatibleArchitectures!.join(', ')}`).join('; ')}): give --platform`)
  }
  return common.includes('x86_64') ? 'amd64' : 'arm64'
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}
