/**
 * Debian's docker-registry (CNCF distribution) on 127.0.0.1 with a random free port, filesystem
 * storage in a temp dir, no redirects and nothing that reaches the network. Optional htpasswd auth.
 */
import {execFile, execFileSync, spawn, type ChildProcess} from 'node:child_process'
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

export const REGISTRY_BINARY = '/usr/bin/docker-registry'

export interface RegistryServer {
  host: string
  port: number
  /** Storage root: docker/registry/v2/blobs/sha256/<2>/<hex>/data */
  root: string
  blobPath(digest: string): string
  stop(): Promise<void>
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

export interface StartOptions {
  /** user → password; enables htpasswd basic auth. */
  users?: Record<string, string>
  /** Extra `auth:` section (YAML lines, indented two spaces), e.g. token auth. */
  authYaml?: string
}

export async function startRegistry(options: StartOptions = {}): Promise<RegistryServer> {
  const dir = await mkdtemp(join(tmpdir(), 'la-registry-'))
  const root = join(dir, 'data')
  const port = await freePort()
  let auth = options.authYaml ?? ''
  if (options.users) {
    const lines = Object.entries(options.users).map(([user, pass]) => execFileSync('htpasswd', ['-Bbn', user, pass], {encoding: 'utf8'}).trim())
    await writeFile(join(dir, 'htpasswd'), lines.join('\n') + '\n')
    auth = `  htpasswd:\n    realm: test-registry\n    path: ${join(dir, 'htpasswd')}\n`
  }
  const config = [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${root}`,
    '  redirect:',
    '    disable: true',
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    '  secret: layer-audit-test',
    'health:',
    '  storagedriver:',
    '    enabled: false',
    ...(auth ? ['auth:', auth.replace(/\n$/, '')] : []),
    '',
  ].join('\n')
  const configPath = join(dir, 'config.yml')
  await writeFile(configPath, config)
  // A clean environment: no proxies, nothing that would send the registry anywhere.
  const child: ChildProcess = spawn(REGISTRY_BINARY, ['serve', configPath], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir},
  })
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3000))])
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    }
    await rm(dir, {recursive: true, force: true})
  }
  try {
    await waitUntilServing(port, child, () => stderr)
  } catch (error) {
    await stop()
    throw error
  }
  return {
    host: `127.0.0.1:${port}`,
    port,
    root,
    blobPath: (digest: string) => {
      const hex = digest.replace(/^sha256:/, '')
      return join(root, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data')
    },
    stop,
  }
}

async function waitUntilServing(port: number, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 15_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited: ${stderr()}`)
    try {
      const res = await fetch(`http://127.0.0.1:${port}/v2/`)
      await res.arrayBuffer()
      if (res.status === 200 || res.status === 401) return
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`docker-registry did not start: ${stderr()}`)
}

/**
 * `skopeo copy [--all] SOURCE docker://HOST/REPO:TAG` over plain HTTP. Asynchronous on purpose: a
 * token server living in this process must keep answering while skopeo pushes.
 */
export function skopeoPush(source: string, destination: string, options: {all?: boolean; creds?: string} = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      'skopeo',
      [
        '--insecure-policy',
        'copy',
        '--quiet',
        ...(options.all ? ['--all'] : []),
        '--dest-tls-verify=false',
        ...(options.creds ? ['--dest-creds', options.creds] : []),
        source,
        `docker://${destination}`,
      ],
      {env: {...process.env, HOME: tmpdir()}, timeout: 120_000},
      (error, _stdout, stderr) => (error ? reject(new Error(`skopeo copy failed: ${stderr}`)) : resolve()),
    )
  })
}
