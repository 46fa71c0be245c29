/**
 * Credential patterns as data, gitleaks style. Each pattern carries its own true and false positive
 * examples; test/secrets/patterns.test.ts loops over them, so a pattern is not done until both lists
 * behave. Keywords are a cheap case-insensitive prefilter: a pattern's regex only runs on text that
 * contains one of them. The secret is the `secret` (or `secret2`) capture group, else the whole match.
 */
import type {Severity} from '../rules/types.js'

export interface SecretPattern {
  id: string
  description: string
  /** Lower case; at least one must occur (ignoring case) before the regex runs. */
  keywords: string[]
  regex: RegExp
  severity: Severity
  /** Minimum Shannon entropy (bits per character) of the secret. */
  entropy?: number
  /** Minimum number of character classes (lower, upper, digit) the secret mixes. */
  minClasses?: number
  /** Drop values that stand for a secret (`${VAR}`, `changeme`, `<token>`, `xxxx`). */
  skipPlaceholders?: boolean
  /** Last word on a candidate (names and values that look like code, paths or URLs). */
  accept?: (secret: string, name: string | undefined, context: MatchContext) => boolean
  /** The regex starts at a keyword inside a name: extend the `name` group backwards over [A-Za-z0-9_.-]. */
  extendName?: boolean
  /**
   * Every match starts with one of `keywords` (the regex opens with their alternation): the regex is then
   * tried only where a keyword occurs, not at every position of the text.
   */
  startsWithKeyword?: boolean
  /**
   * For a pattern whose matches start elsewhere than at a keyword: literals (ignoring case) at which every match
   * starts, or up to `startLead` characters before one (an optional quote). The regex is tried only there, and
   * file windows without one of them are never decoded for it (see window-matcher.ts). At least 3 characters.
   */
  starts?: string[]
  startLead?: number
  /**
   * Every match opens with a name: a run of [A-Za-z0-9_-] from its keyword, then an optional quote, blanks (space,
   * tab) and `:` or `=`. File windows drop a keyword not followed so before any regex runs (window-matcher.ts).
   */
  assignment?: boolean
  /** How the secret is normalised before it is fingerprinted (PEM bodies: whitespace removed). */
  normalize?: (secret: string) => string
  /** AWS's documentation keys are reported as a note, never dropped. */
  awsExamples?: boolean
  truePositives: string[]
  falsePositives: string[]
}

export interface MatchContext {
  /** The value was quoted ("…", '…', `…`). */
  quoted: boolean
  /** The text between the start of the line and the name. */
  linePrefix: string
}

/** Keys AWS prints in its documentation; anyone may have copied them, none of them work. */
export const AWS_DOCUMENTATION_KEYS: ReadonlySet<string> = new Set([
  'AKIAIOSFODNN7EXAMPLE',
  'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  'AKIAI44QH8DHBEXAMPLE',
  'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY',
  'ASIAIOSFODNN7EXAMPLE',
])

const AWS_KEY_ID = '(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}'
const B64 = 'A-Za-z0-9\\/+='

/** Names whose value is a pointer to a secret, not the secret (…_PATH, …_FILE, …_URL, …). */
const POINTER_NAME = /(?:path|file|dir|url|uri|endpoint|type|name|id|len|length|size|count|max|min|prefix|header|field|param|key_?id)$/i

function notCodeOrPath(secret: string, name: string | undefined, context: MatchContext): boolean {
  if (name && POINTER_NAME.test(name)) return false
  // Unquoted values count only in NAME=value lines (env files, ini, yaml, shell), not in code.
  if (!context.quoted && !/^\s*(?:export\s+|set\s+|-\s+)?$/.test(context.linePrefix)) return false
  if (secret.includes('://') || secret.startsWith('/') || secret.startsWith('./')) return false
  // this.config.apiKey, os.environ.get, process.env.TOKEN: code, not a value
  if (/^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/.test(secret)) return false
  if (/^[0-9.:-]+$/.test(secret)) return false
  return true
}

export const SECRET_PATTERNS: readonly SecretPattern[] = [
  {
    id: 'aws-access-key-id',
    description: 'AWS access key id',
    keywords: ['akia', 'asia', 'abia', 'acca', 'a3t'],
    regex: new RegExp(`(?<![A-Za-z0-9])(?<secret>${AWS_KEY_ID})(?![A-Za-z0-9])`),
    startsWithKeyword: true,
    severity: 'error',
    awsExamples: true,
    truePositives: [
      'AWS_ACCESS_KEY_ID=AKIA3RXLOOTHEM5S6DSZ',
      '"AccessKeyId": "ASIA4OXXNA3ERMMQTAVV",',
      'key ABIAMMA2U2SVGJBH4LU5 for billing',
      "aws_access_key_id = 'ACCA2HE34R4K5EOGT7KB'",
      'A3TXJDREYIQA6LEBDAZO',
    ],
    falsePositives: [
      'AKIA3RXLOOTHEM5S6DSZQ7',
      'xAKIA3RXLOOTHEM5S6DSZ',
      'TZ=Asia/Tokyo',
      'YXdzLWFjY2AIPA1rZXktaWQgdGVzdCBzdHJpbmc=',
      'AKIAshortValue',
    ],
  },
  {
    id: 'aws-secret-access-key',
    description: 'AWS secret access key',
    keywords: ['aws'],
    regex: new RegExp(
      `["']?aws_?(?:sec(?:ret)?)?_?(?:access)?_?key["']?\\s*(?::|=>|=)?\\s*["']?(?<secret>[${B64}]{40})(?![${B64}])`,
      'i',
    ),
    starts: ['aws'],
    startLead: 1,
    severity: 'error',
    // With the name beside it, a 40-character value is a key unless it is a run of one character or a
    // placeholder; trivy's own test counts a repetitive value (KEYKEY…) as a key, and so do we.
    entropy: 1.5,
    skipPlaceholders: true,
    awsExamples: true,
    truePositives: [
      'AWS_SECRET_ACCESS_KEY=mft807tamsI5BR1lESjyXl1PUqZ+QlZA2/zFT2a0',
      'aws_secret_access_key = fNXrxYVbvPdb83IE7yVplKe1vnUsxlYrXyLJ2uOT',
      `'AWS_secret_KEY'="fNXrxYVbvPdb83IE7yVplKe1vnUsxlYrXyLJ2uOT"`,
      '  AWS_SECRET_KEY: "mft807tamsI5BR1lESjyXl1PUqZ+QlZA2/zFT2a0"',
    ],
    falsePositives: [
      'aws_secret_access_key = xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
      'AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY}',
      '"AWS_key":HGM724ngha9785NGKbbar6jk76mnLL80BHJnabyhdngha9785NGKbb6jk76mnLL8',
      'aws_secret_access_key = mft807tamsI5BR1lESjyXl1PUqZ',
    ],
  },
  {
    id: 'aws-secret-access-key-pair',
    description: 'AWS secret access key next to an access key id',
    keywords: ['akia', 'asia', 'abia', 'acca', 'a3t'],
    regex: new RegExp(`(?<![A-Za-z0-9])${AWS_KEY_ID}["']?[\\s,:;|=]{1,6}["']?(?<secret>[A-Za-z0-9\\/+]{40})(?![${B64}])`),
    startsWithKeyword: true,
    severity: 'error',
    entropy: 3.5,
    awsExamples: true,
    truePositives: [
      'AKIA3RXLOOTHEM5S6DSZ mft807tamsI5BR1lESjyXl1PUqZ+QlZA2/zFT2a0',
      'default,AKIA3RXLOOTHEM5S6DSZ,fNXrxYVbvPdb83IE7yVplKe1vnUsxlYrXyLJ2uOT',
    ],
    falsePositives: [
      'AKIA3RXLOOTHEM5S6DSZ aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
      'AKIA3RXLOOTHEM5S6DSZ then some ordinary prose continues here',
    ],
  },
  {
    id: 'aws-session-token',
    description: 'AWS session token',
    keywords: ['session_token', 'sessiontoken', 'security_token', 'iqojb3jpz2lux2vj', 'fwogzxivyxdze'],
    regex: new RegExp(
      `(?:aws_?session_?token|aws_?security_?token|sessiontoken)["']?\\s*(?::|=>|=)?\\s*["']?(?<secret>[${B64}]{100,4096})` +
        `|(?<![${B64}])(?<secret2>(?:IQoJb3JpZ2luX2Vj|FwoGZXIvYXdzE)[${B64}]{80,4096})`,
      'i',
    ),
    starts: ['aws', 'sessiontoken', 'iqojb3jpz2lux2vj', 'fwogzxivyxdze'],
    severity: 'error',
    entropy: 3.5,
    skipPlaceholders: true,
    truePositives: [
      'aws_session_token = IQoJb3JpZ2luX2Vj9bmSLLjWjXs5Q7Hnq8zvbQuiJBYWSULDcM2EIK3NDdDPcmtPz4ihvm/bLPugAe+ORzdCqWK70k28axm0svE6bcinAphf15bHJHlt37u0UVPTm4P2IX5FpbjH',
      '"SessionToken": "IQoJb3JpZ2luX2Vj9bmSLLjWjXs5Q7Hnq8zvbQuiJBYWSULDcM2EIK3NDdDPcmtPz4ihvm/bLPugAe+ORzdCqWK70k28axm0svE6bcinAphf15bHJHlt37u0UVPTm4P2IX5FpbjH"',
      'token IQoJb3JpZ2luX2Vj9bmSLLjWjXs5Q7Hnq8zvbQuiJBYWSULDcM2EIK3NDdDPcmtPz4ihvm/bLPugAe+ORzdCqWK70k28axm0svE6bcinAphf15bHJHlt37u0UVPTm4P2IX5FpbjH',
    ],
    falsePositives: ['AWS_SESSION_TOKEN=${AWS_SESSION_TOKEN}', 'aws_session_token = short'],
  },
  {
    id: 'github-token',
    description: 'GitHub token (personal, OAuth, app or refresh)',
    keywords: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'],
    regex: /(?<![A-Za-z0-9_])(?<secret>gh[pousr]_[A-Za-z0-9]{36,255})(?![A-Za-z0-9_])/,
    startsWithKeyword: true,
    severity: 'error',
    entropy: 3,
    truePositives: [
      'GITHUB_TOKEN=ghp_GzHTEqj1QD0XxObFg97I7cG85aaHYFpYvBJn',
      'oauth gho_MFPYGbz2dO43pMBHOHLjBID2rlOYCumO7qL1',
      '"token":"ghu_ymg5IDe1EuVe6itRkMqWo6adX1FZTGm2A3pm"',
      'ghs_anGRdEqYYjx1RF3j2shKsFWgMrHyW1oSo1xy',
      'ghr_IlgAmB8dd5Whbg4CWWAgFgwG3YHFWIQB6oSKqM5I4Da67B1TW6LpcYIFLyj29xhAqaCZ1V4J9n4w',
    ],
    falsePositives: ['ghp_short', 'ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'function ghp_helper_function_name_here() {}'],
  },
  {
    id: 'github-fine-grained-pat',
    description: 'GitHub fine-grained personal access token',
    keywords: ['github_pat_'],
    regex: /(?<![A-Za-z0-9_])(?<secret>github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})(?![A-Za-z0-9_])/,
    startsWithKeyword: true,
    severity: 'error',
    entropy: 3,
    truePositives: ['GITHUB_TOKEN=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'],
    falsePositives: ['github_pat_', 'see github_pat_docs for details', 'github_pat_NhNQnNDTwrpi2uzw1IPRj2_short'],
  },
  {
    id: 'gitlab-pat',
    description: 'GitLab personal access token',
    keywords: ['glpat-'],
    regex: /(?<![A-Za-z0-9_-])(?<secret>glpat-[A-Za-z0-9_-]{20,50})(?![A-Za-z0-9_-])/,
    startsWithKeyword: true,
    severity: 'error',
    entropy: 3,
    truePositives: ['CI_TOKEN=glpat-n4yDZqBvQndMhpsPbnLE', 'private-token: glpat-n4yDZqBvQndMhpsPbnLE'],
    falsePositives: ['glpat-xxxxxxxxxxxxxxxxxxxx', 'glpat-short'],
  },
  {
    id: 'slack-token',
    description: 'Slack token',
    keywords: ['xoxb-', 'xoxa-', 'xoxp-', 'xoxr-', 'xoxs-', 'xoxe-'],
    regex: /(?<![A-Za-z0-9])(?<secret>xox[baprse]-[0-9A-Za-z]{10,48}(?:-[0-9A-Za-z]{1,48}){0,4})(?![A-Za-z0-9])/,
    startsWithKeyword: true,
    severity: 'error',
    entropy: 3,
    truePositives: [
      'SLACK_BOT_TOKEN=xoxb-15062963307-879209957459-YKD8NfHBPA9rOsgSffsOjXPA',
      'token: xoxp-06896698405-lxaZr0XaHmpvODch1lpXoyRI',
    ],
    falsePositives: ['xoxb-', 'xoxb-short', 'xoxb-0000000000-0000000000'],
  },
  {
    id: 'slack-webhook',
    description: 'Slack incoming webhook URL',
    keywords: ['hooks.slack.com'],
    regex: /(?<secret>https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9+/]{30,120})/,
    starts: ['https://hooks.slack.com/'],
    severity: 'warning',
    entropy: 3,
    truePositives: ['SLACK_WEBHOOK=https://hooks.slack.com/services/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'],
    falsePositives: ['https://hooks.slack.com/services/', 'see https://api.slack.com/messaging/webhooks'],
  },
  {
    id: 'stripe-secret-key',
    description: 'Stripe live secret or restricted key',
    keywords: ['sk_live_', 'rk_live_'],
    regex: /(?<![A-Za-z0-9_])(?<secret>[sr]k_live_[A-Za-z0-9]{20,247})(?![A-Za-z0-9_])/,
    startsWithKeyword: true,
    severity: 'error',
    entropy: 3,
    truePositives: ['STRIPE_KEY=sk_live_SypgSVH91FhvotrcneL5NeT1', "stripe.api_key = 'rk_live_3hXgJD66GlsrXMuEui2YhVfH'"],
    falsePositives: ['sk_test_SypgSVH91FhvotrcneL5NeT1', 'sk_live_short', 'pk_live_SypgSVH91FhvotrcneL5NeT1'],
  },
  {
    id: 'npm-token',
    description: 'npm access token',
    keywords: ['npm_'],
    regex: /(?<![A-Za-z0-9_])(?<secret>npm_[A-Za-z0-9]{36})(?![A-Za-z0-9_])/,
    startsWithKeyword: true,
    severity: 'error',
    entropy: 3,
    truePositives: ['//registry.npmjs.org/:_authToken=npm_OEovFy7eXgDQ8odkyME4v7kDHjXQEFcHUK57', 'NPM_TOKEN=npm_OEovFy7eXgDQ8odkyME4v7kDHjXQEFcHUK57'],
    falsePositives: ['npm_config_cache=/tmp/.npm', 'npm_package_name', 'npm_000000000000000000000000000000000000'],
  },
  {
    id: 'private-key',
    description: 'private key (PEM or OpenSSH)',
    keywords: ['private key'],
    regex:
      /-----BEGIN[ A-Z0-9_-]{0,40}PRIVATE KEY(?: BLOCK)?-----[ \t]*\r?\n?\s*(?:[A-Za-z][A-Za-z-]*:[^\r\n]*\r?\n\s*)*(?<secret>[A-Za-z0-9+/=\\][A-Za-z0-9+/=\\\s]{31,7000})/,
    starts: ['-----begin'],
    severity: 'error',
    normalize: (body) => body.replace(/\s+/g, ''),
    truePositives: [
      '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu/Nua0/1y08gkbnBfKd6VDHia8Na0ATgMQqZ4YEbi/t73g84\nIEPQPkLbPF3XDe++JA1QzqTZbbePLsW44DbbgMX\n-----END RSA PRIVATE KEY-----',
      '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\nQyNTUxOQAAACDx3vGjA7xX0n5Zq9oQfJcYp2m1W8kU6sT4bL0rN2hE9gAAAJgq\n-----END OPENSSH PRIVATE KEY-----',
      '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIKn3gq0xYb7mW2pL9sT4vQ8uZ1cR5dE6fH2jK7lN0oP3oAoGCCqGSM49\n-----END EC PRIVATE KEY-----',
      '-----BEGIN DSA PRIVATE KEY-----\nMIIBuwIBAAKBgQD3zGx8Jq1pW9sT2vL4mN6bR8cY0eH5kF7jA3dU1iO9gP2qZ4xC\n-----END DSA PRIVATE KEY-----',
      '-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIFHDBOBgkqhkiG9w0BBQ0wQTApBgkqhkiG9w0BBQwwHAQIq7mZ3xR9vYwCAggA\n-----END ENCRYPTED PRIVATE KEY-----',
      '-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,3F17F5316E2BAC89\n\nMIIEpAIBAAKCAQEAu/Nua0/1y08gkbnBfKd6VDHia8Na0ATgMQqZ4YEbi/t73g84\n-----END RSA PRIVATE KEY-----',
      '-----BEGIN PRIVATE KEY-----4c6f4a5cb2d395f828384c2ab29d1f55-----END PRIVATE KEY-----',
    ],
    falsePositives: [
      '-----BEGIN RSA PRIVATE KEY----- -----END RSA PRIVATE KEY-----',
      '-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu/Nua0/1y08gkbnBfKd6VDHi\n-----END PUBLIC KEY-----',
      '-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQGEwJJ\n-----END CERTIFICATE-----',
      'if (line.startsWith("-----BEGIN PRIVATE KEY-----")) {',
    ],
  },
  {
    id: 'generic-secret',
    description: 'password, secret, token or API key assigned a literal value',
    keywords: ['password', 'passwd', 'secret', 'token', 'api_key', 'api-key', 'apikey', 'private_key', 'private-key', 'privatekey', 'auth_key', 'auth-key', 'authkey', 'credential'],
    regex:
      /(?<name>(?:password|passwd|secret|token|api[_-]?key|private[_-]?key|auth[_-]?key|credentials?)[A-Za-z0-9_-]{0,20})["']?[ \t]*(?::=|=>|=|:)[ \t]*(?:(?<q>["'`])(?<secret>[^"'`\s\\]{8,200})\k<q>|(?<secret2>[A-Za-z0-9+/=_\-.~!@#%^&*]{8,200})[ \t]*(?=\r?\n|$))/i,
    extendName: true,
    startsWithKeyword: true,
    assignment: true,
    severity: 'warning',
    entropy: 3,
    minClasses: 2,
    skipPlaceholders: true,
    accept: notCodeOrPath,
    truePositives: [
      'DB_PASSWORD=AWM4tS^EmTWxRedU',
      'password: "ZBQRZ8NiyDfJhI5M1qN0"',
      "api_key = 'ZBQRZ8NiyDfJhI5M1qN0'",
      'export SERVICE_TOKEN=ZBQRZ8NiyDfJhI5M1qN0',
      '{"clientSecret":"AWM4tS^EmTWxRedU"}',
      '  db_password: ZBQRZ8NiyDfJhI5M1qN0',
    ],
    falsePositives: [
      'password=changeme',
      'PASSWORD=${DB_PASSWORD}',
      'token: <token>',
      'api_key=xxxxxxxxxxxxxxxx',
      'password = os.environ.get("DB_PASSWORD")',
      'token = request.args.get',
      '{password:e.password,token:t.token}',
      'token_url = "https://oauth2.googleapis.com/token"',
      'private_key_path = "/etc/ssl/private/key.pem"',
      'max_tokens = 4096',
      'TOKENIZERS_PARALLELISM=false',
      'password = "hunter2"',
      'secret_name: "prod/db/credentials"',
      '  secret: Uint8Array;',
      'exports.ValidationTokenHost = ValidationTokenHost;',
      'const x = {token: abcDEF123xyz}',
    ],
  },
]
