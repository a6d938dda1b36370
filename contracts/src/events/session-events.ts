import { z } from 'zod';
import { IsoTimestamp, SessionId } from '../ids';

/** The presented refresh token was current: it is retired and a new one takes its place. */
export const SessionRefreshed = z
  .object({
    sessionId: SessionId,
    // Keyed hash of the new refresh token; the one it replaces is the hash before it on this stream.
    refreshTokenHash: z.string(),
    refreshedAt: IsoTimestamp,
    // The new idle expiry; the absolute one stays startedAt + the configured maximum age.
    expiresAt: IsoTimestamp,
  })
  .strict();

/** The whole session family ends: logout, or a retired refresh token presented again (RFC 9700 §4.14.2). */
export const SessionRevoked = z
  .object({
    sessionId: SessionId,
    reason: z.enum(['logout', 'refresh_token_reused']),
    revokedAt: IsoTimestamp,
  })
  .strict();
