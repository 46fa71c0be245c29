/**
 * Docker image names as written in RepoTags and containerd annotations: `busybox`, `busybox:latest`,
 * `docker.io/library/busybox:latest` and `index.docker.io/library/busybox:latest` are one image.
 */
export function normalizeImageName(name: string): string {
  let rest = name.trim()
  const at = rest.indexOf('@')
  const digest = at >= 0 ? rest.slice(at) : ''
  if (at >= 0) rest = rest.slice(0, at)
  const slash = rest.lastIndexOf('/')
  const colon = rest.lastIndexOf(':')
  if (!digest && colon <= slash) rest += ':latest'
  const parts = rest.split('/')
  const first = parts[0]!
  const hasRegistry = parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost')
  let registry = hasRegistry ? first : 'docker.io'
  if (registry === 'index.docker.io' || registry === 'registry-1.docker.io') registry = 'docker.io'
  const path = hasRegistry ? parts.slice(1) : parts
  if (registry === 'docker.io' && path.length === 1) path.unshift('library')
  return `${registry}/${path.join('/')}${digest}`
}

export function sameImageName(a: string, b: string): boolean {
  return normalizeImageName(a) === normalizeImageName(b)
}
