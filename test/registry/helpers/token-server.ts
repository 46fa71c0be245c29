/**
 * A loopback token service for docker-registry's `auth: token` mode (the distribution token spec):
 * issues RS256 JWTs carrying an x5c chain of a throwaway self-signed certificate (made by openssl).
 * Grants: basic user/pass → the requested actions; refresh token → pull; anonymous → pull on public/*.
 */
import {execFileSync} from 'node:child_process'
import {createSign, randomBytes} from 'node:crypto'
import {readFileSync} from 'node:fs'
import http from 'node:http'
import type {AddressInfo} from 'node:net'
import {join} from 'node:path'

export interface TokenServer {
  realm: string
  service: string
  /** YAML for the registry's `auth:` section. */
  authYaml: string
  requests: {method: string; scope: string[]; user?: string; grant?: string}[]
  stop(): Promise<void>
}

export interface TokenServerOptions {
  dir: string
  users: Record<string, string>
  refreshToken: string
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url')

export async function startTokenServer(options: TokenServerOptions): Promise<TokenServer> {
  const key = join(options.dir, 'token-key.pem')
  const cert = join(options.dir, 'token-cert.pem')
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=layer-audit-test-token'], {
    stdio: 'ignore',
  })
  const keyPem = readFileSync(key, 'utf8')
  const certDer = Buffer.from(
    readFileSync(cert, 'utf8')
      .replace(/-----(BEGIN|END) CERTIFICATE-----/g, '')
      .replace(/\s+/g, ''),
    'base64',
  )
  const service = 'layer-audit-test'
  const issuer = 'layer-audit-test-issuer'
  const requests: TokenServer['requests'] = []

  const sign = (subject: string, access: {type: string; name: string; actions: string[]}[]) => {
    const now = Math.floor(Date.now() / 1000)
    const header = b64url(JSON.stringify({typ: 'JWT', alg: 'RS256', x5c: [certDer.toString('base64')]}))
    const claims = b64url(
      JSON.stringify({iss: issuer, sub: subject, aud: service, exp: now + 300, nbf: now - 10, iat: now, jti: randomBytes(8).toString('hex'), access}),
    )
    const signature = createSign('RSA-SHA256').update(`${header}.${claims}`).sign(keyPem)
    return `${header}.${claims}.${b64url(signature)}`
  }

  const grant = (scopes: string[], canPush: boolean, anonymous: boolean) =>
    scopes.flatMap((scope) => {
      const [type, name, actions] = scope.split(':')
      if (type !== 'repository' || !name) return []
      const wanted = (actions ?? '').split(',').filter(Boolean)
      const allowed = wanted.filter((a) => (a === 'pull' ? !anonymous || name.startsWith('public/') : canPush))
      return allowed.length > 0 ? [{type, name, actions: allowed}] : []
    })

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString()))
    req.on('end', () => {
      if (req.method === 'POST') {
        const form = new URLSearchParams(body)
        const scope = (form.get('scope') ?? '').split(' ').filter(Boolean)
        requests.push({method: 'POST', scope, grant: form.get('grant_type') ?? undefined})
        if (form.get('grant_type') !== 'refresh_token' || form.get('refresh_token') !== options.refreshToken) {
          res.writeHead(401).end('{"error":"invalid_grant"}')
          return
        }
        res.writeHead(200, {'Content-Type': 'application/json'}).end(JSON.stringify({access_token: sign('refresh-user', grant(scope, false, false)), expires_in: 300}))
        return
      }
      const scope = url.searchParams.getAll('scope')
      const header = req.headers.authorization ?? ''
      let user: string | undefined
      if (header.startsWith('Basic ')) {
        const [name, pass] = Buffer.from(header.slice(6), 'base64').toString().split(':')
        if (options.users[name] !== pass) {
          requests.push({method: 'GET', scope, user: name})
          res.writeHead(401).end('{"errors":[{"code":"UNAUTHORIZED"}]}')
          return
        }
        user = name
      }
      requests.push({method: 'GET', scope, user})
      res.writeHead(200, {'Content-Type': 'application/json'}).end(JSON.stringify({token: sign(user ?? '', grant(scope, user !== undefined, user === undefined)), expires_in: 300}))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  const realm = `http://127.0.0.1:${port}/token`
  return {
    realm,
    service,
    authYaml: `  token:\n    realm: ${realm}\n    service: ${service}\n    issuer: ${issuer}\n    rootcertbundle: ${cert}\n`,
    requests,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
