import type {Finding, RuleMeta} from '../types.js'

/**
 * The one fleet-only rule: a function whose image could not be read is a finding of that function (the
 * fleet goes on), and an error by default: a function nobody could audit is not a function that passed.
 */
export const meta: RuleMeta = {
  id: 'function-unauditable',
  title: 'Function could not be audited',
  severity: 'error',
  why: 'Its configuration or image could not be read (access denied to the ECR repository, the image deleted, a corrupt layer): nothing is known about what it would run, so it cannot count as a pass.',
  fix: 'Give the auditing role lambda:GetFunction and, for the image, ecr:GetAuthorizationToken, ecr:BatchGetImage and ecr:GetDownloadUrlForLayer on its repository (or its registry\'s pull credentials); if the image was deleted, the function will fail its next cold start: redeploy it.',
  scope: 'fleet',
}

/** `reason` is one line naming what failed (a LayerAuditError's line); `stage` what was being done. */
export function unauditable(stage: 'configuration' | 'image', reason: string, imageUri?: string): Finding {
  return {
    rule: meta.id,
    severity: meta.severity,
    message: `could not read the function's ${stage}: ${reason}`,
    identity: stage,
    evidence: {stage, ...(imageUri ? {imageUri} : {})},
  }
}
