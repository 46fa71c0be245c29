/**
 * Files that hold credentials by their nature, wherever they are in the image: the tools that write
 * them (aws configure, docker login, npm login, twine, git credential-store, ssh-keygen) put real
 * secrets there. Each kind knows its path and how to pull the credential values out of the content.
 */
import {isAwsDocumentationKey} from './match.js'
import {SECRET_PATTERNS} from './patterns.js'
import {isPlaceholder} from './placeholder.js'

export interface CredentialValue {
  /** What the value is (e.g. "aws_secret_access_key", "auth"); a field name, never a secret. */
  field: string
  value: string
  /** One of AWS's documentation keys. */
  example?: boolean
}

export interface CredentialFileKind {
  id: string
  title: string
  /** `base` is the path's last component (given: every file of every layer is asked, so it is cut once). */
  matches(path: string, base: string): boolean
  parse(text: string): CredentialValue[]
}

const baseOf = (path: string) => path.slice(path.lastIndexOf('/') + 1)
const endsWith = (suffix: string) => (path: string) => path.endsWith(suffix)

/** `key = value` lines of an INI-style file whose key is one of fields (case-insensitive). */
function iniValues(text: string, fields: RegExp): CredentialValue[] {
  const out: CredentialValue[] = []
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([A-Za-z0-9_.:/@-]+)\s*[=:]\s*(.*?)\s*$/.exec(line)
    if (!m || !fields.test(m[1])) continue
    const field = m[1].includes(':_') ? m[1].slice(m[1].lastIndexOf(':') + 1) : m[1]
    out.push({field: field.toLowerCase(), value: unquote(m[2])})
  }
  return out
}

function unquote(value: string): string {
  return value.replace(/^(["'])(.*)\1$/, '$2')
}

const AWS_FIELDS = /^(aws_secret_access_key|aws_session_token|aws_security_token|aws_access_key_id)$/i

export const CREDENTIAL_FILE_KINDS: readonly CredentialFileKind[] = [
  {
    id: 'aws-credentials',
    title: 'AWS shared credentials file',
    matches: endsWith('/.aws/credentials'),
    parse: (text) => iniValues(text, AWS_FIELDS),
  },
  {
    id: 'aws-config',
    title: 'AWS config file with keys',
    matches: endsWith('/.aws/config'),
    parse: (text) => iniValues(text, AWS_FIELDS),
  },
  {
    id: 'docker-config',
    title: 'Docker client config with registry credentials',
    matches: (path, base) => path.endsWith('/.docker/config.json') || base === '.dockercfg',
    parse: dockerConfigValues,
  },
  {
    id: 'npmrc',
    title: 'npm config with an auth token',
    matches: (path, base) => base === '.npmrc' || path.endsWith('/etc/npmrc'),
    parse: (text) => iniValues(text, /(?:^|:)_(?:authToken|auth|password)$/i),
  },
  {
    id: 'pypirc',
    title: 'PyPI config with a password',
    matches: (_, base) => base === '.pypirc',
    parse: (text) => iniValues(text, /^password$/i),
  },
  {
    id: 'git-credentials',
    title: 'git credential store',
    matches: (path, base) => base === '.git-credentials' || path.endsWith('/git/credentials'),
    parse: (text) =>
      [...text.matchAll(/^[a-z][a-z0-9+.-]*:\/\/[^:@\s/]*:([^@\s]+)@\S+/gim)].map((m) => ({field: 'password', value: decodeURIComponentSafe(m[1])})),
  },
  {
    id: 'netrc',
    title: 'netrc with a password',
    matches: (_, base) => base === '.netrc' || base === '_netrc',
    parse: (text) => [...text.matchAll(/(?:^|\s)password\s+(\S+)/g)].map((m) => ({field: 'password', value: m[1]})),
  },
  {
    id: 'private-key-file',
    title: 'private key file',
    matches: (_, base) => /^id_(?:rsa|dsa|ecdsa|ed25519|ecdsa_sk|ed25519_sk)$/.test(base) || /\.(?:pem|key)$/.test(base),
    parse: privateKeyValues,
  },
]

function decodeURIComponentSafe(value: string): string {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}

function dockerConfigValues(text: string): CredentialValue[] {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return []
  }
  if (!json || typeof json !== 'object') return []
  const doc = json as Record<string, unknown>
  // ~/.docker/config.json nests under "auths"; the legacy ~/.dockercfg is the auths map itself.
  const auths = (doc.auths && typeof doc.auths === 'object' ? doc.auths : doc) as Record<string, unknown>
  const out: CredentialValue[] = []
  for (const entry of Object.values(auths)) {
    if (!entry || typeof entry !== 'object') continue
    for (const field of ['auth', 'identitytoken', 'registrytoken', 'password']) {
      const value = (entry as Record<string, unknown>)[field]
      if (typeof value === 'string') out.push({field, value})
    }
  }
  return out
}

const PRIVATE_KEY = SECRET_PATTERNS.find((p) => p.id === 'private-key')!

function privateKeyValues(text: string): CredentialValue[] {
  const re = new RegExp(PRIVATE_KEY.regex.source, 'g')
  const out: CredentialValue[] = []
  for (const m of text.matchAll(re)) {
    const header = /-----BEGIN ([ A-Z0-9_-]*PRIVATE KEY)/.exec(m[0])?.[1] ?? 'PRIVATE KEY'
    out.push({field: header.toLowerCase(), value: PRIVATE_KEY.normalize!(m.groups?.secret ?? m[0])})
  }
  return out
}

export function credentialFileKind(path: string): CredentialFileKind | undefined {
  const base = baseOf(path)
  for (const kind of CREDENTIAL_FILE_KINDS) if (kind.matches(path, base)) return kind
  return undefined
}

/** The credential values of a file, placeholders dropped, AWS documentation keys marked. */
export function credentialValues(kind: CredentialFileKind, text: string): CredentialValue[] {
  return kind
    .parse(text)
    .map((v) => (isAwsDocumentationKey(v.value) ? {...v, example: true} : v))
    .filter((v) => v.example || !isPlaceholder(v.value))
}
