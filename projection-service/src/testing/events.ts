import type { EventOf, EventType } from '@otp/contracts';
import type { EventToAppend } from '@otp/platform/event-store';
import type { ProjectedEvent, StoredEventMetadata } from '../projected-event';

/** Test fixtures: ids in the shapes the contracts require. */
export const ids = {
  tenantA: 'cus_00000000000000a1',
  tenantB: 'cus_00000000000000b2',
  keyA: 'key_0000000000a1',
  keyB: 'key_0000000000b2',
  userA: 'usr_00000000000000a1',
  challengeA1: 'chl_00000000000000a1',
  challengeA2: 'chl_00000000000000a2',
  challengeB1: 'chl_00000000000000b1',
  sessionA: 'ses_00000000000000a1',
} as const;

export const secrets = {
  keyHash: 'KEYHASH-never-in-read-models',
  codeHash: 'CODEHASH-never-in-read-models',
  refreshTokenHash: 'REFRESHHASH-never-in-read-models',
} as const;

export type Metadata = Omit<StoredEventMetadata, 'hash'>;

export function metadata(overrides: Partial<Metadata> = {}): Metadata {
  return {
    schemaVersion: 1,
    occurredAt: '2025-03-01T23:10:00.000Z',
    tenantId: ids.tenantA,
    actor: `apiKey:${ids.keyA}`,
    correlationId: 'corr-1',
    causationId: 'cause-1',
    requestId: 'req-1',
    ...overrides,
  };
}

/** A projected event built directly, for projector unit tests. */
export function projected<T extends EventType>(
  type: T,
  data: EventOf<T>['data'],
  extra: { position?: bigint; streamName?: string; eventId?: string; metadata?: Partial<StoredEventMetadata> } = {},
): ProjectedEvent {
  return {
    type,
    data,
    eventId: extra.eventId ?? 'evt-1',
    streamName: extra.streamName ?? `customer-${ids.tenantA}`,
    revision: 0n,
    position: extra.position ?? 1n,
    metadata: { ...metadata(), hash: 'a'.repeat(64), ...extra.metadata },
  } as ProjectedEvent;
}

export interface ScenarioEvent {
  streamName: string;
  event: EventToAppend;
}

let nextId = 0;
/** Deterministic ids, so two stores fed the scenario hold the very same events (and hashes). */
const eventId = (index: number) => `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`;

function appendable<T extends EventType>(streamName: string, type: T, data: EventOf<T>['data'], meta: Partial<Metadata>): ScenarioEvent {
  return { streamName, event: { id: eventId(++nextId), type, data, metadata: metadata(meta) } };
}

/**
 * Two tenants' worth of history that crosses midnight UTC, so hour and day
 * buckets differ, with a failure, a lock and a login.
 */
export function scenario(): ScenarioEvent[] {
  nextId = 0;
  const a = ids.tenantA;
  const b = ids.tenantB;
  const otpA = `otp-${a}.emailkeyA`;
  const userA = `user-${a}.${ids.userA}`;
  const at = (time: string) => ({ occurredAt: time });
  const web = { clientIp: '203.0.113.7', userAgent: 'test-agent/1.0' };
  const requested = (challengeId: string, customerId: string, time: string) =>
    ({
      challengeId,
      customerId,
      emailKey: 'emailkey',
      email: 'person@example.com',
      codeHash: secrets.codeHash,
      codeLength: 6,
      requestedAt: time,
      expiresAt: time,
      maxAttempts: 3,
    }) as const;
  return [
    appendable(
      `customer-${a}`,
      'CustomerRegistered',
      { customerId: a, name: 'Acme', email: 'ops@acme.test', plan: 'pro', registeredAt: '2025-03-01T23:00:00.000Z' },
      { actor: 'operator', occurredAt: '2025-03-01T23:00:00.000Z' },
    ),
    appendable(
      `customer-${a}`,
      'ApiKeyIssued',
      {
        customerId: a,
        keyId: ids.keyA,
        prefix: 'otp_a1',
        keyHash: secrets.keyHash,
        scopes: ['otp:write'],
        issuedAt: '2025-03-01T23:01:00.000Z',
        kind: 'secret',
      },
      { actor: 'operator', occurredAt: '2025-03-01T23:01:00.000Z' },
    ),
    appendable(otpA, 'OtpRequested', requested(ids.challengeA1, a, '2025-03-01T23:20:00.000Z'), {
      ...at('2025-03-01T23:20:00.000Z'),
      ...web,
    }),
    appendable(
      otpA,
      'OtpVerificationFailed',
      { challengeId: ids.challengeA1, reason: 'wrong_code', attemptsRemaining: 2 },
      { ...at('2025-03-01T23:21:00.000Z'), ...web },
    ),
    appendable(
      otpA,
      'OtpVerified',
      { challengeId: ids.challengeA1, userId: ids.userA, newUser: true, verifiedAt: '2025-03-01T23:22:00.000Z' },
      at('2025-03-01T23:22:00.000Z'),
    ),
    appendable(
      userA,
      'UserCreated',
      { userId: ids.userA, customerId: a, email: 'person@example.com', emailKey: 'emailkeyA', createdAt: '2025-03-01T23:22:00.000Z' },
      at('2025-03-01T23:22:00.000Z'),
    ),
    appendable(
      userA,
      'UserLoggedIn',
      { userId: ids.userA, sessionId: ids.sessionA, challengeId: ids.challengeA1, loggedInAt: '2025-03-01T23:22:00.000Z' },
      at('2025-03-01T23:22:00.000Z'),
    ),
    appendable(
      `session-${ids.sessionA}`,
      'SessionStarted',
      {
        sessionId: ids.sessionA,
        userId: ids.userA,
        customerId: a,
        refreshTokenHash: secrets.refreshTokenHash,
        startedAt: '2025-03-01T23:22:00.000Z',
        expiresAt: '2025-03-31T23:22:00.000Z',
      },
      at('2025-03-01T23:22:00.000Z'),
    ),
    appendable(otpA, 'OtpRequested', requested(ids.challengeA2, a, '2025-03-02T00:05:00.000Z'), at('2025-03-02T00:05:00.000Z')),
    appendable(
      otpA,
      'OtpVerificationFailed',
      { challengeId: ids.challengeA2, reason: 'wrong_code', attemptsRemaining: 0 },
      at('2025-03-02T00:06:00.000Z'),
    ),
    appendable(otpA, 'OtpChallengeLocked', { challengeId: ids.challengeA2 }, at('2025-03-02T00:06:00.000Z')),
    appendable(
      `customer-${b}`,
      'CustomerRegistered',
      { customerId: b, name: 'Beta', email: 'ops@beta.test', plan: 'free', registeredAt: '2025-03-01T23:30:00.000Z' },
      { tenantId: b, actor: 'operator', occurredAt: '2025-03-01T23:30:00.000Z' },
    ),
    appendable(
      `customer-${b}`,
      'ApiKeyIssued',
      {
        customerId: b,
        keyId: ids.keyB,
        prefix: 'otp_b2',
        keyHash: secrets.keyHash,
        scopes: ['otp:write', 'analytics:read'],
        issuedAt: '2025-03-01T23:31:00.000Z',
        kind: 'secret',
      },
      { tenantId: b, actor: 'operator', occurredAt: '2025-03-01T23:31:00.000Z' },
    ),
    appendable(`otp-${b}.emailkeyB`, 'OtpRequested', requested(ids.challengeB1, b, '2025-03-01T23:40:00.000Z'), {
      tenantId: b,
      actor: `apiKey:${ids.keyB}`,
      occurredAt: '2025-03-01T23:40:00.000Z',
    }),
  ];
}
