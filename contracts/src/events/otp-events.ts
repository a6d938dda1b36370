import { z } from 'zod';
import { ChallengeId, CustomerId, IsoTimestamp, UserId } from '../ids';

export const OtpRequested = z
  .object({
    challengeId: ChallengeId,
    customerId: CustomerId,
    // HMAC of the normalised email: the stream key, never the email itself.
    emailKey: z.string(),
    email: z.string(),
    // Keyed hash of the code bound to the challenge id; the code is only ever in the email.
    codeHash: z.string(),
    codeLength: z.number().int().min(6).max(9),
    requestedAt: IsoTimestamp,
    expiresAt: IsoTimestamp,
    maxAttempts: z.number().int().positive(),
  })
  .strict();

export const OtpVerificationFailed = z
  .object({
    challengeId: ChallengeId,
    reason: z.enum(['wrong_code', 'expired', 'no_challenge', 'already_used', 'locked']),
    attemptsRemaining: z.number().int().min(0),
    // When it failed, for the per-email delays; absent on failures recorded before they existed.
    failedAt: IsoTimestamp.optional(),
  })
  .strict();

export const OtpChallengeLocked = z.object({ challengeId: ChallengeId }).strict();

export const OtpVerified = z
  .object({
    challengeId: ChallengeId,
    userId: UserId,
    newUser: z.boolean(),
    verifiedAt: IsoTimestamp,
  })
  .strict();

// A refused code request, recorded once per window and email, not once per
// refusal: how often a limit is hit stays visible without letting a flood of
// refusals flood the stream.
export const OtpRateLimitExceeded = z
  .object({
    limit: z.literal('perEmailPerHour'),
    max: z.number().int().positive(),
    retryAt: IsoTimestamp,
  })
  .strict();
