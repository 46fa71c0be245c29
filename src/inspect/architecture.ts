/** One vocabulary for CPU architectures: OCI platform names (amd64, arm64) vs Lambda's (x86_64, arm64). */

/** Lambda's `Architectures` value → OCI architecture. */
export function lambdaToOci(arch: string): string {
  const lower = arch.toLowerCase()
  if (lower === 'x86_64' || lower === 'x86-64') return 'amd64'
  if (lower === 'aarch64') return 'arm64'
  return lower
}

/** OCI architecture → Lambda's name, for messages. */
export function ociToLambda(arch: string): string {
  return arch === 'amd64' ? 'x86_64' : arch
}

/** The two architectures Lambda runs. */
export const LAMBDA_ARCHITECTURES: readonly string[] = ['amd64', 'arm64']
