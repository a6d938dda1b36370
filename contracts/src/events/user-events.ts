import { z } from 'zod';
import { ChallengeId, CustomerId, IsoTimestamp, SessionId, UserId } from '../ids';

export const UserCreated = z
  .object({
    userId: UserId,
    customerId: CustomerId,
    email: z.string(),
    emailKey: z.string(),
    createdAt: IsoTimestamp,
  })
  .strict();

export const UserLoggedIn = z
  .object({
    userId: UserId,
    sessionId: SessionId,
    challengeId: ChallengeId,
    loggedInAt: IsoTimestamp,
  })
  .strict();

export const SessionStarted = z
  .object({
    sessionId: SessionId,
    userId: UserId,
    customerId: CustomerId,
    // Keyed hash of the opaque refresh token.
    refreshTokenHash: z.string(),
    startedAt: IsoTimestamp,
    expiresAt: IsoTimestamp,
  })
  .strict();

/** What the user changed of their own profile; a field left out is unchanged. Metadata is replaced whole. */
export const UserProfileUpdated = z
  .object({
    userId: UserId,
    name: z.string().optional(),
    metadata: z.record(z.string(), z.json()).optional(),
    updatedAt: IsoTimestamp,
  })
  .strict();
