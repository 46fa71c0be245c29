/**
 * Amazon ECR as a credential provider for the registry source (the only file here that imports the
 * AWS SDK). `GetAuthorizationToken` returns base64 "AWS:<password>", valid 12 hours, which the ECR
 * registry API accepts as basic auth; see docs/registry.md for why this beats BatchGetImage +
 * GetDownloadUrlForLayer.
 */
import {ECRClient, GetAuthorizationTokenCommand} from '@aws-sdk/client-ecr'

import {AwsError} from '../../../errors.js'
import {ecrRegionOf, isEcrRegistry} from './ecr-host.js'
import type {Credential, Keychain} from './keychain.js'

export interface EcrKeychainOptions {
  region?: string
  profile?: string
  endpointUrl?: string
  /** Further hosts (host[:port]) to authenticate through ECR, e.g. a pull-through proxy or a test registry. */
  ecrRegistries?: string[]
}

interface CachedToken {
  credential: Credential
  expiresAt: number
}

const REFRESH_MARGIN_MS = 5 * 60_000

export class EcrKeychain implements Keychain {
  private readonly tokens = new Map<string, Promise<CachedToken>>()

  constructor(private readonly options: EcrKeychainOptions = {}) {}

  handles(registry: string): boolean {
    return isEcrRegistry(registry, this.options.ecrRegistries)
  }

  async resolve(registry: string): Promise<Credential | undefined> {
    if (!this.handles(registry)) return undefined
    const region = ecrRegionOf(registry) ?? this.options.region
    const key = region ?? ''
    const cached = this.tokens.get(key)
    if (cached) {
      const token = await cached.catch(() => undefined)
      if (token && token.expiresAt - REFRESH_MARGIN_MS > Date.now()) return token.credential
    }
    const fresh = this.fetchToken(region, registry)
    this.tokens.set(key, fresh)
    fresh.catch(() => this.tokens.delete(key))
    return (await fresh).credential
  }

  /** Forget tokens, e.g. after the registry said one expired. */
  invalidate(): void {
    this.tokens.clear()
  }

  private async fetchToken(region: string | undefined, registry: string): Promise<CachedToken> {
    const client = new ECRClient({
      region,
      profile: this.options.profile,
      endpoint: this.options.endpointUrl,
      maxAttempts: 3,
    })
    try {
      const answer = await client.send(new GetAuthorizationTokenCommand({}))
      const data = answer.authorizationData?.[0]
      if (!data?.authorizationToken) throw new AwsError('AWS', 'ECR GetAuthorizationToken returned no token', {input: registry})
      const decoded = Buffer.from(data.authorizationToken, 'base64').toString('utf8')
      const colon = decoded.indexOf(':')
      if (colon <= 0) throw new AwsError('AWS', 'ECR GetAuthorizationToken returned a malformed token', {input: registry})
      const expiresAt = data.expiresAt ? new Date(data.expiresAt).getTime() : Date.now() + 60 * 60_000
      return {credential: {username: decoded.slice(0, colon), password: decoded.slice(colon + 1)}, expiresAt}
    } catch (error) {
      throw describeAwsError(error, registry)
    } finally {
      client.destroy()
    }
  }
}

/** One line per failure kind; AWS messages are not quoted (they can name principals and ARNs). */
export function describeAwsError(error: unknown, registry: string): AwsError {
  if (error instanceof AwsError) return error
  const name = (error as {name?: string}).name ?? 'Error'
  const what = 'ECR GetAuthorizationToken'
  const line =
    name === 'CredentialsProviderError'
      ? 'no AWS credentials found (use --profile, AWS_PROFILE or AWS_ACCESS_KEY_ID)'
      : name === 'ExpiredTokenException' || name === 'ExpiredToken' || name === 'RequestExpired' || name === 'TokenRefreshRequired'
        ? 'AWS credentials have expired; refresh them (e.g. aws sso login) and retry'
        : name === 'AccessDeniedException' || name === 'AccessDenied'
          ? `access denied: the AWS identity may not call ${what}`
          : name === 'UnrecognizedClientException' || name === 'InvalidClientTokenId' || name === 'InvalidSignatureException'
            ? `AWS rejected the credentials (${name})`
            : /region/i.test(String((error as Error).message)) && name === 'Error'
              ? 'no AWS region: the registry hostname does not name one; use --region or AWS_REGION'
              : `${what} failed (${name})`
  // No `cause`: SDK errors carry request metadata we do not want to travel further.
  return new AwsError('AWS', line, {input: registry})
}
