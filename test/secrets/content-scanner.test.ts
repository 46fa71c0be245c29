/** The streaming content scan: windows, chunk boundaries, binaries, the cap, credential files, false positives. */
import {describe, expect, it} from 'vitest'
import {ContentScanner} from '../../src/secrets/content-scanner.js'
import {feed} from './helpers.js'

const KEY_ID = 'AKIA3RXLOOTHEM5S6DSZ'
const SECRET_KEY = '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'
const GH = 'ghp_GzHTEqj1QD0XxObFg97I7cG85aaHYFpYvBJn'

function filler(lines: number, width = 70): string {
  let out = ''
  for (let i = 0; i < lines; i++) out += `# line ${i} `.padEnd(width, '.') + '\n'
  return out
}

describe('ContentScanner', () => {
  it('reports pattern hits with layer, path, line and redacted evidence only', () => {
    const scanner = new ContentScanner()
    feed(scanner, '/opt/app/settings.env', `A=1\nB=2\nAWS_ACCESS_KEY_ID=${KEY_ID}\n`, {layer: 2})
    const {secrets, stats} = scanner.result()
    expect(secrets).toEqual([
      expect.objectContaining({layer: 2, path: '/opt/app/settings.env', pattern: 'aws-access-key-id', line: 3, redacted: 'AKIA…SZ', occurrences: 1, severity: 'error'}),
    ])
    expect(JSON.stringify(secrets)).not.toContain(KEY_ID)
    expect(stats).toMatchObject({filesScanned: 1, binarySkipped: 0, capped: 0})
  })

  it.each([1, 7, 64, 4093, 65536])('finds a secret that straddles chunks of %i bytes, once, on the right line', (chunk) => {
    const before = filler(5000) // ~350 KB: crosses the 256 KiB window too
    const text = `${before}token ${GH} here\n${filler(10)}export AWS_SECRET_ACCESS_KEY=${SECRET_KEY}\n`
    const scanner = new ContentScanner()
    feed(scanner, '/srv/big.txt', text, {chunk})
    const hits = scanner.result().secrets.map((h) => [h.pattern, h.line, h.occurrences])
    expect(hits).toEqual([
      ['github-token', 5001, 1],
      ['aws-secret-access-key', 5012, 1],
    ])
  })

  it('finds a secret placed exactly across the window boundary', () => {
    const window = 256 * 1024
    for (const offset of [-30, -10, -1, 0, 1, 8 * 1024 - 5, 8 * 1024 + 5]) {
      const head = 'x'.repeat(window + offset - 10) + '\n'
      const scanner = new ContentScanner()
      feed(scanner, '/f', `${head}${GH}\n${'y'.repeat(20_000)}\n`, {chunk: 4096})
      expect(scanner.result().secrets.map((h) => [h.pattern, h.line, h.occurrences]), `offset ${offset}`).toEqual([['github-token', 2, 1]])
    }
  })

  it('skips binaries by NUL byte and by magic, and counts them', () => {
    const scanner = new ContentScanner()
    feed(scanner, '/usr/lib/libx.so', Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]), Buffer.from(`AWS_ACCESS_KEY_ID=${KEY_ID}`)]))
    feed(scanner, '/data.bin', Buffer.concat([Buffer.from(`AWS_ACCESS_KEY_ID=${KEY_ID}\n`), Buffer.alloc(3, 0)]))
    feed(scanner, '/big.bin', Buffer.concat([Buffer.alloc(10_000, 0x41), Buffer.alloc(1, 0), Buffer.from(` ${GH} `)]), {chunk: 3000})
    const {secrets, stats} = scanner.result()
    // A NUL after the sniffed head (8000 bytes, as git) does not make a file binary: /big.bin is scanned.
    expect(secrets.map((h) => h.path)).toEqual(['/big.bin'])
    expect(stats).toMatchObject({binarySkipped: 2, filesScanned: 1})
  })

  it('reads at most maxFileBytes of a file and counts it as capped', () => {
    const scanner = new ContentScanner({maxFileBytes: 64 * 1024})
    feed(scanner, '/early.txt', `${GH}\n${filler(2000)}`, {chunk: 10_000})
    feed(scanner, '/late.txt', `${filler(2000)}AWS_ACCESS_KEY_ID=${KEY_ID}\n`, {chunk: 10_000})
    const {secrets, stats} = scanner.result()
    expect(secrets.map((h) => h.path)).toEqual(['/early.txt'])
    expect(stats).toMatchObject({capped: 2, filesScanned: 2, bytesScanned: 2 * 64 * 1024})
  })

  it('counts a repeated secret in one file as occurrences of one hit', () => {
    const scanner = new ContentScanner()
    feed(scanner, '/f', `a ${GH}\nb ${GH}\nc ${GH}\n`)
    expect(scanner.result().secrets.map((h) => [h.line, h.occurrences])).toEqual([[1, 3]])
  })
})

describe('credential files', () => {
  const cases: [string, string, string, string[]][] = [
    ['/root/.aws/credentials', `[default]\naws_access_key_id = ${KEY_ID}\naws_secret_access_key = ${SECRET_KEY}\nregion = us-east-1\n`, 'aws-credentials', ['aws_access_key_id', 'aws_secret_access_key']],
    ['/home/app/.aws/config', `[profile ci]\nregion = eu-west-1\naws_secret_access_key=${SECRET_KEY}\n`, 'aws-config', ['aws_secret_access_key']],
    ['/root/.docker/config.json', JSON.stringify({auths: {'123456789012.dkr.ecr.us-east-1.amazonaws.com': {auth: Buffer.from('AWS:eyJwYXlsb2FkIjoiZmFrZSJ9x1').toString('base64')}, 'ghcr.io': {identitytoken: 'Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5'}}}), 'docker-config', ['auth', 'identitytoken']],
    ['/var/task/.npmrc', `registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken=npm_OEovFy7eXgDQ8odkyME4v7kDHjXQEFcHUK57\n`, 'npmrc', ['_authtoken']],
    ['/root/.pypirc', `[pypi]\nusername = __token__\npassword = pypi-AgEIcHlwaS5vcmcCJGZha2VmYWtlZmFrZQ\n`, 'pypirc', ['password']],
    ['/root/.git-credentials', 'https://deploy:S3cr3tDeployPass42@github.com\n', 'git-credentials', ['password']],
    ['/root/.netrc', 'machine api.example.org login bot password Hx9!kq2Lm0pZ\n', 'netrc', ['password']],
    ['/root/.ssh/id_ed25519', '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----\n', 'private-key-file', ['openssh private key']],
    ['/etc/ssl/private/server.pem', '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIKn3gq0xYb7mW2pL9sT4vQ8uZ1cR5dE6fH2jK7lN0oP3oAoGCCqGSM49\n-----END EC PRIVATE KEY-----\n', 'private-key-file', ['ec private key']],
  ]

  it.each(cases)('%s is a credentials file', (path, content, kind, fields) => {
    const scanner = new ContentScanner()
    feed(scanner, path, content, {layer: 1, chunk: 5})
    const [hit, ...rest] = scanner.result().credentialFiles
    expect(rest).toEqual([])
    expect(hit).toMatchObject({layer: 1, path, kind})
    expect(hit.values.map((v) => v.field)).toEqual(fields)
    for (const v of hit.values) expect(content.includes(v.redacted.replace('…', ''))).toBe(false)
  })

  it.each([
    ['/root/.aws/config', '[default]\nregion = us-east-1\noutput = json\n'],
    ['/root/.docker/config.json', '{"auths":{"https://index.docker.io/v1/":{}},"credsStore":"desktop"}'],
    ['/app/.npmrc', '//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n'],
    ['/etc/ssl/certs/ca.pem', '-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQGEwJJ\n-----END CERTIFICATE-----\n'],
    ['/root/.ssh/id_rsa.pub', 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 user@host\n'],
  ])('%s without a credential is not reported', (path, content) => {
    const scanner = new ContentScanner()
    feed(scanner, path, content)
    expect(scanner.result().credentialFiles).toEqual([])
  })
})
