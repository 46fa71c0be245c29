/** The media types we understand, grouped by what we do with them. */
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json'
export const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar'
export const OCI_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip'
export const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json'
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json'
export const DOCKER_CONFIG = 'application/vnd.docker.container.image.v1+json'
export const DOCKER_LAYER = 'application/vnd.docker.image.rootfs.diff.tar'
export const DOCKER_LAYER_GZIP = 'application/vnd.docker.image.rootfs.diff.tar.gzip'

const SCHEMA1 = new Set([
  'application/vnd.docker.distribution.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v1+prettyjws',
])

export function isIndexType(mediaType: string | undefined): boolean {
  return mediaType === OCI_INDEX || mediaType === DOCKER_LIST
}

export function isManifestType(mediaType: string | undefined): boolean {
  return mediaType === OCI_MANIFEST || mediaType === DOCKER_MANIFEST
}

export function isSchema1(mediaType: string | undefined): boolean {
  return mediaType !== undefined && SCHEMA1.has(mediaType)
}

export function isImageConfigType(mediaType: string | undefined): boolean {
  return mediaType === OCI_CONFIG || mediaType === DOCKER_CONFIG
}

/** Layers we can read as a filesystem: tar, optionally gzip/zstd (foreign/non-distributable variants too). */
export function isLayerType(mediaType: string): boolean {
  return /^application\/vnd\.(oci\.image\.layer(\.nondistributable)?\.v1\.tar|docker\.image\.rootfs\.(foreign\.)?diff\.tar)(\+gzip|\+zstd|\.gzip|\.zstd)?$/.test(
    mediaType,
  ) || mediaType === 'application/tar' || mediaType === 'application/tar+gzip'
}

/** buildx provenance/SBOM manifests: listed in indexes with platform unknown/unknown, never an image to run. */
export const REFERENCE_TYPE = 'vnd.docker.reference.type'
export const REFERENCE_DIGEST = 'vnd.docker.reference.digest'
export const REF_NAME = 'org.opencontainers.image.ref.name'
export const CONTAINERD_NAME = 'io.containerd.image.name'
