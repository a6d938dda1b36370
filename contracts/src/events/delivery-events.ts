import { z } from 'zod';
import { ChallengeId, CustomerId, IsoTimestamp } from '../ids';

/** Which mail a tenant's end user (or a signing-up tenant) was sent. */
export const EmailPurpose = z.enum(['otp', 'signup']);
export const EmailProviderKind = z.enum(['smtp', 'resend']);

/**
 * One per email handed to a provider, on the stream of the challenge it carries
 * the code of. No address and no body: the challenge stream already knows
 * whose it is, and the audit needs only that a send happened and how it went.
 */
export const EmailSent = z
  .object({
    customerId: CustomerId,
    challengeId: ChallengeId,
    purpose: EmailPurpose,
    provider: EmailProviderKind,
    sentAt: IsoTimestamp,
  })
  .strict();

export const EmailFailed = z
  .object({
    customerId: CustomerId,
    challengeId: ChallengeId,
    purpose: EmailPurpose,
    provider: EmailProviderKind,
    // A short code ('rejected', 'unavailable', 'timeout', 'misconfigured'), never the provider's text (it may echo the address).
    reason: z.string().min(1).max(50),
    failedAt: IsoTimestamp,
  })
  .strict();
