/**
 * Where registry credentials come from, kept apart from the HTTP client (go-containerregistry's
 * authn.Keychain): the client asks "what do I present to REGISTRY?" and never knows about Docker's
 * config file or AWS.
 */
export interface Credential {
  username?: string
  password?: string
  /** An OAuth2 refresh token (Docker's `identitytoken`), exchanged at the token realm. */
  identityToken?: string
  /** A ready bearer token (`registrytoken`), sent as is. */
  registryToken?: string
}

export interface Keychain {
  /** Credentials for a registry host (`ghcr.io`, `127.0.0.1:5000`, `docker.io`), or undefined for anonymous. */
  resolve(registry: string): Promise<Credential | undefined>
}

/** Ask each keychain in turn; the first one that knows the registry answers. */
export class KeychainChain implements Keychain {
  constructor(private readonly keychains: Keychain[]) {}

  async resolve(registry: string): Promise<Credential | undefined> {
    for (const keychain of this.keychains) {
      const credential = await keychain.resolve(registry)
      if (credential) return credential
    }
    return undefined
  }
}

export function hasCredential(credential: Credential | undefined): credential is Credential {
  return Boolean(credential && (credential.password !== undefined || credential.identityToken || credential.registryToken))
}
