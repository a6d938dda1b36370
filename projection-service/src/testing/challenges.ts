import { randomUUID } from 'node:crypto';
import type { EventOf, EventType } from '@otp/contracts';
import type { EventStore } from '@otp/platform/event-store';
import { ids, metadata, secrets } from './events';

const MINUTE_MS = 60_000;
const plus = (at: string, minutes: number) => new Date(Date.parse(at) + minutes * MINUTE_MS).toISOString();

/**
 * A tenant's code requests and verifications appended as the command side would, at the times
 * given, for the specs of what the usage projection keeps of open challenges.
 */
export function challengeLog(eventStore: Pick<EventStore, 'append'>, tenantId: string = ids.tenantA) {
  const stream = `otp-${tenantId}.emailkey`;
  const append = async <T extends EventType>(type: T, data: EventOf<T>['data'], occurredAt: string) =>
    (await eventStore.append(stream, [{ id: randomUUID(), type, data, metadata: metadata({ tenantId, occurredAt }) }], 'any')).position;
  return {
    /** A code requested at `at`, valid for `ttlMinutes`. */
    requested: (challengeId: string, at: string, ttlMinutes = 10) =>
      append(
        'OtpRequested',
        {
          challengeId,
          customerId: tenantId,
          emailKey: 'emailkey',
          email: 'person@example.com',
          codeHash: secrets.codeHash,
          codeLength: 6,
          requestedAt: at,
          expiresAt: plus(at, ttlMinutes),
          maxAttempts: 5,
        },
        at,
      ),
    verified: (challengeId: string, at: string) =>
      append('OtpVerified', { challengeId, userId: ids.userA, newUser: false, verifiedAt: at }, at),
    /** Any event at `at`: what moves the projection's clock along without touching a challenge. */
    failed: (challengeId: string, at: string) =>
      append('OtpVerificationFailed', { challengeId, reason: 'no_challenge', attemptsRemaining: 0, failedAt: at }, at),
  };
}

export const minutesAfter = plus;

/**
 * For the wiring specs: a code that expired unverified a day before the log's last event, one
 * verified in time, and one requested by that last event, still open. Answers the last position
 * and the challenges a retention pass leaves open.
 */
export async function expiredAndOpenChallenges(eventStore: Pick<EventStore, 'append'>, at = '2026-01-01T10:00:00.000Z') {
  const log = challengeLog(eventStore);
  await log.requested(ids.challengeA1, at);
  await log.requested(ids.challengeA2, at);
  await log.verified(ids.challengeA2, plus(at, 5));
  const last = await log.requested(ids.challengeB1, plus(at, 24 * 60));
  return { last, open: [ids.challengeB1] };
}
