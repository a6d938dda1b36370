import { z } from 'zod';

/** RFC 9457 problem details. `type` values are stable URIs clients may switch on. */
export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .catchall(z.unknown());
export type Problem = z.infer<typeof Problem>;

const base = 'https://otp-auth.dev/problems/';
export const problemTypes = {
  validation: `${base}validation`,
  malformedJson: `${base}malformed-json`,
  unsupportedMediaType: `${base}unsupported-media-type`,
  payloadTooLarge: `${base}payload-too-large`,
  unauthenticated: `${base}unauthenticated`,
  invalidApiKey: `${base}invalid-api-key`,
  forbidden: `${base}insufficient-scope`,
  notFound: `${base}not-found`,
  methodNotAllowed: `${base}method-not-allowed`,
  conflict: `${base}conflict`,
  invalidCode: `${base}invalid-code`,
  challengeLocked: `${base}challenge-locked`,
  customerInactive: `${base}customer-inactive`,
  emailDeliveryFailed: `${base}email-delivery-failed`,
  unavailable: `${base}service-unavailable`,
  internal: `${base}internal`,
  invalidToken: `${base}invalid-token`,
  rateLimited: `${base}rate-limited`,
  signupAlreadyCompleted: `${base}signup-already-completed`,
  preconditionFailed: `${base}precondition-failed`,
  // Browser keys and sending domains.
  originNotAllowed: `${base}origin-not-allowed`,
  publishableKeyNotAllowed: `${base}publishable-key-not-allowed`,
  domainNotVerified: `${base}domain-not-verified`,
  quotaExceeded: `${base}quota-exceeded`,
  ipNotAllowed: `${base}ip-not-allowed`,
  // A projection-service standing by: operator work that needs the lease holder.
  notLeaseHolder: `${base}not-lease-holder`,
} as const;
