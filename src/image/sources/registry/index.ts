/** The registry source: OCI distribution registries and Amazon ECR (as a keychain), see docs/registry.md. */
export {RegistrySource, keychainFor} from './registry-source.js'
export {isRegistryReference, parseReference, formatReference, type RegistryReference} from './reference.js'
export {readRegistryOptions, type RegistryOptions, type RetryPolicy} from './options.js'
// EcrKeychain lives in ./ecr-keychain.js (imported lazily: it loads the AWS SDK).
export {ecrRegionOf, isEcrRegistry} from './ecr-host.js'
export {DockerConfigKeychain} from './docker-config-keychain.js'
export {KeychainChain, type Credential, type Keychain} from './keychain.js'
export {defaultCacheDir} from './blob-cache.js'
