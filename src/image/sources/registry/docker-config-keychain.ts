/**
 * Credentials the Docker CLI stored: `~/.docker/config.json` `auths` (base64 `auth`, `identitytoken`,
 * `registrytoken`), and `credHelpers` / `credsStore` by running `docker-credential-NAME get`, the same
 * lookup order as `docker pull`: a per-host helper, else the global store, else `auths`.
 */
import {execFile} from 'node:child_process'
import {homedir} from 'node:os'
import {join} from 'node:path'

import {RegistryError} from '../../../errors.js'
import {FileTooLargeError, readFileCapped} from '../../../io/capped-read.js'
import {jsonErrorPlace} from '../../../io/json-syntax.js'
import type {Credential, Keychain} from './keychain.js'
import {DOCKER_HUB} from './reference.js'

/** A Docker config is a few KiB; read no more than this of it. */
const MAX_DOCKER_CONFIG_BYTES = 8 * 1024 * 1024

interface AuthEntry {
  auth?: string
  username?: string
  password?: string
  identitytoken?: string
  registrytoken?: string
}

interface DockerConfig {
  auths?: Record<string, AuthEntry>
  credHelpers?: Record<string, string>
  credsStore?: string
}

const DOCKER_HUB_KEYS = new Set(['index.docker.io', 'docker.io', 'registry-1.docker.io', 'registry.hub.docker.com'])
const HELPER_TIMEOUT_MS = 30_000

export function defaultDockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.DOCKER_CONFIG || join(homedir(), '.docker'), 'config.json')
}

/** `https://index.docker.io/v1/` → `docker.io`; `https://ghcr.io/` → `ghcr.io`. */
function normaliseKey(key: string): string {
  const host = key.replace(/^[a-z]+:\/\//i, '').split('/')[0].toLowerCase()
  return DOCKER_HUB_KEYS.has(host) ? DOCKER_HUB : host
}

/** The server URL helpers were given by `docker login` for this registry. */
function helperServerUrl(registry: string): string {
  return registry === DOCKER_HUB ? 'https://index.docker.io/v1/' : registry
}

export class DockerConfigKeychain implements Keychain {
  private config?: Promise<DockerConfig | undefined>

  constructor(private readonly path: string = defaultDockerConfigPath()) {}

  async resolve(registry: string): Promise<Credential | undefined> {
    const config = await (this.config ??= this.load())
    if (!config) return undefined
    const helper = Object.entries(config.credHelpers ?? {}).find(([key]) => normaliseKey(key) === registry)?.[1] ?? config.credsStore
    if (helper) {
      const fromHelper = await runHelper(helper, registry)
      if (fromHelper) return fromHelper
    }
    const entry = Object.entries(config.auths ?? {}).find(([key]) => normaliseKey(key) === registry)?.[1]
    return entry ? this.fromEntry(entry, registry) : undefined
  }

  private async load(): Promise<DockerConfig | undefined> {
    let text: string
    try {
      text = (await readFileCapped(this.path, MAX_DOCKER_CONFIG_BYTES)).toString('utf8')
    } catch (error) {
      if (error instanceof FileTooLargeError) throw new RegistryError('TOO_LARGE', `Docker config is ${error.message}`, {input: this.path})
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw new RegistryError('NOT_FOUND', `cannot read Docker config (${(error as NodeJS.ErrnoException).code})`, {input: this.path})
    }
    try {
      const parsed = JSON.parse(text) as unknown
      return parsed && typeof parsed === 'object' ? (parsed as DockerConfig) : undefined
    } catch {
      // The parser's message may quote the file, which holds secrets.
      throw new RegistryError('CORRUPT', `Docker config is not valid JSON (${jsonErrorPlace(text)})`, {input: this.path})
    }
  }

  private fromEntry(entry: AuthEntry, registry: string): Credential | undefined {
    if (entry.identitytoken) return {identityToken: entry.identitytoken, username: entry.username}
    if (entry.registrytoken) return {registryToken: entry.registrytoken}
    if (entry.auth) {
      const decoded = Buffer.from(entry.auth, 'base64').toString('utf8')
      const colon = decoded.indexOf(':')
      if (colon <= 0) throw new RegistryError('CORRUPT', `Docker config has a malformed auth entry for ${registry}`, {input: this.path})
      return {username: decoded.slice(0, colon), password: decoded.slice(colon + 1)}
    }
    if (entry.username !== undefined && entry.password !== undefined) return {username: entry.username, password: entry.password}
    return undefined
  }
}

/** Run `docker-credential-NAME get`; a missing helper or "not found" answer means no credential. */
function runHelper(name: string, registry: string): Promise<Credential | undefined> {
  if (!/^[\w.-]+$/.test(name)) return Promise.resolve(undefined)
  const program = `docker-credential-${name}`
  return new Promise((resolve, reject) => {
    const child = execFile(program, ['get'], {timeout: HELPER_TIMEOUT_MS, maxBuffer: 1024 * 1024}, (error, stdout) => {
      if (error) {
        const code = (error as NodeJS.ErrnoException).code
        if (code === 'ENOENT') return resolve(undefined)
        // Helpers answer "credentials not found" on stdout with exit 1: anonymous, like docker.
        if (/not found/i.test(String(stdout))) return resolve(undefined)
        return reject(new RegistryError('NETWORK', `credential helper ${program} failed`, {input: registry}))
      }
      try {
        const answer = JSON.parse(String(stdout)) as {Username?: string; Secret?: string}
        if (!answer.Secret) return resolve(undefined)
        // "<token>" as the user name marks an identity (refresh) token.
        resolve(answer.Username === '<token>' ? {identityToken: answer.Secret} : {username: answer.Username ?? '', password: answer.Secret})
      } catch {
        reject(new RegistryError('CORRUPT', `credential helper ${program} gave an unreadable answer`, {input: registry}))
      }
    })
    child.stdin?.on('error', () => {})
    child.stdin?.end(helperServerUrl(registry))
  })
}
