import { AuditEntryDocument, EVENT_TYPES } from '@otp/contracts';
import { describe, expect, it } from 'vitest';
import { ids, projected, secrets } from '../testing/events';
import { documentsAfter } from '../testing/documents-after';
import { auditProjector, projectAudit } from './audit';

describe('audit projector', () => {
  it('records who did what to which stream, from metadata', () => {
    const ops = projectAudit(
      projected(
        'OtpRequested',
        {
          challengeId: ids.challengeA1,
          customerId: ids.tenantA,
          emailKey: 'ek',
          email: 'person@example.com',
          codeHash: secrets.codeHash,
          codeLength: 6,
          requestedAt: '2025-03-01T23:20:00.000Z',
          expiresAt: '2025-03-01T23:30:00.000Z',
          maxAttempts: 3,
        },
        {
          eventId: 'evt-42',
          position: 42n,
          streamName: `otp-${ids.tenantA}.ek`,
          metadata: {
            occurredAt: '2025-03-01T23:20:00.000Z',
            clientIp: '203.0.113.7',
            userAgent: 'agent/1',
            requestId: 'req-9',
            hash: 'f'.repeat(64),
          },
        },
      ),
    );
    const expected: AuditEntryDocument = {
      _id: 'evt-42',
      eventId: 'evt-42',
      tenantId: ids.tenantA,
      position: 42,
      occurredAt: '2025-03-01T23:20:00.000Z',
      type: 'OtpRequested',
      actor: `apiKey:${ids.keyA}`,
      target: `otp-${ids.tenantA}.ek`,
      outcome: 'success',
      clientIp: '203.0.113.7',
      userAgent: 'agent/1',
      requestId: 'req-9',
      hash: 'f'.repeat(64),
    };
    expect(ops).toEqual([{ kind: 'put', collection: 'audit', doc: expected }]);
    expect(AuditEntryDocument.parse(expected)).toEqual(expected);
    const stored = JSON.stringify(ops);
    expect(stored).not.toContain(secrets.codeHash);
    expect(stored).not.toContain('person@example.com');
  });

  it('leaves client fields out when no request caused the event', () => {
    const [op] = projectAudit(projected('OtpChallengeLocked', { challengeId: ids.challengeA1 }));
    expect(op?.kind === 'put' && Object.keys(op.doc)).not.toContain('clientIp');
    expect(op?.kind === 'put' && Object.keys(op.doc)).not.toContain('userAgent');
  });

  it('marks failed verifications, locks and refused code requests as failures, everything else (a logout among them) as success', () => {
    const outcomes = Object.fromEntries(
      EVENT_TYPES.map((type) => {
        const [op] = projectAudit(projected(type, (type === 'SessionRevoked' ? { reason: 'logout' } : {}) as never));
        return [type, op?.kind === 'put' ? op.doc.outcome : undefined];
      }),
    );
    expect(outcomes).toEqual({
      CustomerRegistered: 'success',
      ApiKeyIssued: 'success',
      OtpRequested: 'success',
      OtpVerificationFailed: 'failure',
      OtpChallengeLocked: 'failure',
      OtpVerified: 'success',
      OtpRateLimitExceeded: 'failure',
      UserCreated: 'success',
      UserLoggedIn: 'success',
      SessionStarted: 'success',
      SessionRefreshed: 'success',
      SessionRevoked: 'success',
      UserProfileUpdated: 'success',
      ApiKeyRotated: 'success',
      ApiKeyRevoked: 'success',
      CustomerSuspended: 'success',
      CustomerActivated: 'success',
      CustomerCancelled: 'success',
      CustomerPlanChanged: 'success',
      ApiKeyUsed: 'success',
      SigningKeyAdded: 'success',
      SigningKeyActivated: 'success',
      SigningKeyRetired: 'success',
      TenantConfigChanged: 'success',
      EmailSent: 'success',
      EmailFailed: 'failure',
      RateLimitExceeded: 'failure',
      QuotaExceeded: 'failure',
      CustomerQuotasChanged: 'success',
    });
  });

  it('marks a session revoked for a reused refresh token as a failure', () => {
    const [op] = projectAudit(
      projected('SessionRevoked', {
        sessionId: 'ses_00000000000000d1',
        reason: 'refresh_token_reused',
        revokedAt: '2025-03-01T12:00:00.000Z',
      }),
    );
    expect(op?.kind === 'put' && op.doc.outcome).toBe('failure');
  });

  it('refuses a position the numeric cursor cannot hold exactly', () => {
    expect(() => projectAudit(projected('OtpChallengeLocked', { challengeId: ids.challengeA1 }, { position: 2n ** 53n }))).toThrow(
      RangeError,
    );
  });

  it('gives one entry per event, and the same entries when an event is delivered again', () => {
    const first = projected('OtpChallengeLocked', { challengeId: ids.challengeA1 }, { eventId: 'evt-1', position: 1n });
    const second = projected('OtpChallengeLocked', { challengeId: ids.challengeA2 }, { eventId: 'evt-2', position: 2n });
    const once = documentsAfter(auditProjector, [first, second]);
    expect(once.audit?.map((entry) => [entry._id, entry.position, entry.outcome])).toEqual([
      ['evt-1', 1, 'failure'],
      ['evt-2', 2, 'failure'],
    ]);
    for (const entry of once.audit ?? []) expect(AuditEntryDocument.parse(entry)).toEqual(entry);
    expect(documentsAfter(auditProjector, [first, second, first, second])).toEqual(once);
  });
});
