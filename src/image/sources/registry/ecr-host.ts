/** Which registries are Amazon ECR: by hostname, without loading the AWS SDK. */

// 123456789012.dkr.ecr.eu-west-1.amazonaws.com, …dkr.ecr-fips…, …dkr-ecr.REGION.on.aws (dual-stack), .com.cn.
const ECR_HOST = /^\d{12}\.dkr[.-]ecr(?:-fips)?\.([a-z0-9-]+)\.(?:amazonaws\.com(?:\.cn)?|on\.aws)$/

/** The region an ECR registry hostname names, or undefined when it is not an ECR hostname. */
export function ecrRegionOf(registry: string): string | undefined {
  return ECR_HOST.exec(registry.toLowerCase())?.[1]
}

/** ECR by hostname, or a host the user asked to authenticate through ECR (`ecrRegistries`). */
export function isEcrRegistry(registry: string, ecrRegistries: string[] = []): boolean {
  return ecrRegionOf(registry) !== undefined || ecrRegistries.includes(registry.toLowerCase())
}
