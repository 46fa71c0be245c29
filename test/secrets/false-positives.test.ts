/**
 * A generated corpus shaped like what images are full of — a Python site-packages tree (RECORD files
 * with sha256 digests, base64 blobs, UUIDs, code that talks about tokens and passwords) and minified
 * JS — must produce no finding at all.
 */
import {createHash, randomBytes, randomUUID} from 'node:crypto'
import {describe, expect, it} from 'vitest'
import {ContentScanner} from '../../src/secrets/content-scanner.js'
import {feed} from './helpers.js'

function sha256(data: string): string {
  return createHash('sha256').update(data).digest('hex')
}

function corpus(): [string, string][] {
  const files: [string, string][] = []
  const site = '/opt/python/lib/python3.12/site-packages'
  const record: string[] = []
  for (let i = 0; i < 40; i++) {
    const path = `${site}/pkg${i}/module${i}.py`
    const blob = randomBytes(3000).toString('base64').replace(/.{76}/g, '$&\n')
    const body = [
      `"""Module ${i}: helpers for auth tokens and passwords."""`,
      'import base64, os, uuid',
      `RESOURCE_ID = "${randomUUID()}"`,
      `CHECKSUM = "${sha256(String(i))}"`,
      `SHA1 = "${createHash('sha1').update(String(i)).digest('hex')}"`,
      'def get_token(self):',
      '    token = self._session.token',
      '    password = os.environ.get("DB_PASSWORD")',
      '    secret = kwargs.pop("secret", None)',
      '    api_key = config["api_key"]',
      '    return token',
      'TOKEN_TYPES = ("bearer", "mac")',
      'max_tokens = 4096',
      'PASSWORD_MIN_LENGTH = 12',
      `ICON = b"""\n${blob}\n"""`,
      `DATA = base64.b64decode("${randomBytes(600).toString('base64')}")`,
    ].join('\n')
    files.push([path, body])
    record.push(`pkg${i}/module${i}.py,sha256=${createHash('sha256').update(body).digest('base64url')},${body.length}`)
  }
  files.push([`${site}/pkg-1.0.dist-info/RECORD`, record.join('\n')])
  files.push([`${site}/pkg-1.0.dist-info/METADATA`, 'Metadata-Version: 2.1\nName: pkg\nVersion: 1.0\nSummary: Token bucket rate limiting\n'])
  files.push([`${site}/certifi/cacert.pem`, `-----BEGIN CERTIFICATE-----\n${randomBytes(900).toString('base64').replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE-----\n`])
  const ids = Array.from({length: 200}, () => randomUUID())
  files.push(['/opt/nodejs/node_modules/app/dist/app.min.js', minifiedJs() + ids.map((id) => `"${id}"`).join(',')])
  files.push(['/opt/nodejs/package-lock.json', JSON.stringify({packages: Object.fromEntries(Array.from({length: 50}, (_, i) => [`node_modules/p${i}`, {version: '1.0.0', integrity: `sha512-${randomBytes(64).toString('base64')}`}]))}, null, 2)])
  files.push(['/var/task/go.sum', Array.from({length: 50}, (_, i) => `example.org/m${i} v1.0.${i} h1:${randomBytes(32).toString('base64')}`).join('\n')])
  return files
}

function minifiedJs(): string {
  return (
    'function a(e,t){var n={token:e.token,password:t.password,secret:e.secret};return n}' +
    'const r=async(e)=>{const t=await fetch(e.tokenUrl,{headers:{Authorization:"Bearer "+e.accessToken}});return t.json()};' +
    'export const apiKeyHeader="x-api-key";var s={passwordField:"password",tokenType:"bearer"};' +
    `var hash="${randomBytes(32).toString('hex')}",b64="${randomBytes(120).toString('base64')}";`
  )
}

describe('false-positive corpus', () => {
  it('yields no secret and no credentials file', () => {
    const scanner = new ContentScanner()
    for (const [path, content] of corpus()) feed(scanner, path, content, {chunk: 4096})
    const {secrets, credentialFiles, stats} = scanner.result()
    expect(secrets.map((h) => `${h.pattern} ${h.path}:${h.line} ${h.name ?? ''}`)).toEqual([])
    expect(credentialFiles).toEqual([])
    expect(stats.filesScanned).toBeGreaterThan(40)
  })
})
