import { auditEntryId, AuditEntryDocument, AuditSequenceDocument, EVENT_TYPES } from '@otp/contracts';
import { describe, expect, it } from 'vitest';
import { ids, projected, secrets } from '../testing/events';
import { documentsAfter } from '../testing/documents-after';
import { auditProjector, projectAudit } from './audit';

/** A tenant nothing was numbered for yet. */
const fresh = () => undefined;

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
      fresh,
    );
    const expected: AuditEntryDocument = {
      // Ids follow the tenant's sequence, so entries are appended to the table in order.
      _id: auditEntryId(ids.tenantA, 1),
      eventId: 'evt-42',
      tenantId: ids.tenantA,
      seq: 1,
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
    expect(ops).toEqual([
      { kind: 'put', collection: 'audit', doc: expected },
      { kind: 'put', collection: 'auditSequences', doc: { _id: ids.tenantA, seq: 1, position: 42 } },
    ]);
    expect(AuditEntryDocument.parse(expected)).toEqual(expected);
    const stored = JSON.stringify(ops);
    expect(stored).not.toContain(secrets.codeHash);
    expect(stored).not.toContain('person@example.com');
  });

  it('leaves client fields out when no request caused the event', () => {
    const [op] = projectAudit(projected('OtpChallengeLocked', { challengeId: ids.challengeA1 }), fresh);
    expect(op?.kind === 'put' && Object.keys(op.doc)).not.toContain('clientIp');
    expect(op?.kind === 'put' && Object.keys(op.doc)).not.toContain('userAgent');
  });

  it('marks failed verifications, locks and refused code requests as failures, everything else (a logout among them) as success', () => {
    const outcomes = Object.fromEntries(
      EVENT_TYPES.map((type) => {
        const [op] = projectAudit(projected(type, (type === 'SessionRevoked' ? { reason: 'logout' } : {}) as never), fresh);
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
      CustomerProfileChanged: 'success',
      ApiKeyUsed: 'success',
      SigningKeyAdded: 'success',
      SigningKeyActivated: 'success',
      SigningKeyRetired: 'success',
      TenantConfigChanged: 'success',
      EmailSent: 'success',
      EmailFailed: 'failure',
      RateLimitExceeded: 'failure',
      QuotaExceeded: 'failure',
      SignupRequested: 'success',
      DomainAdded: 'success',
      DomainVerified: 'success',
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
      fresh,
    );
    expect(op?.kind === 'put' && op.doc.outcome).toBe('failure');
  });

  it('refuses a position the sequence document cannot hold exactly', () => {
    expect(() => projectAudit(projected('OtpChallengeLocked', { challengeId: ids.challengeA1 }, { position: 2n ** 53n }), fresh)).toThrow(
      RangeError,
    );
  });

  it("numbers each tenant's events 1, 2, 3... in global order, apart from the other tenants'", () => {
    const at = (eventId: string, position: bigint, tenantId: string) =>
      projected('OtpChallengeLocked', { challengeId: ids.challengeA1 }, { eventId, position, metadata: { tenantId } });
    const events = [
      at('evt-a1', 3n, ids.tenantA),
      at('evt-b1', 4n, ids.tenantB),
      at('evt-a2', 7n, ids.tenantA),
      at('evt-a3', 8n, ids.tenantA),
      at('evt-b2', 12n, ids.tenantB),
    ];
    const { audit, auditSequences } = documentsAfter(auditProjector, events);
    expect(audit?.map((entry) => [entry.eventId, entry.tenantId, entry.seq])).toEqual([
      ['evt-a1', ids.tenantA, 1],
      ['evt-a2', ids.tenantA, 2],
      ['evt-a3', ids.tenantA, 3],
      ['evt-b1', ids.tenantB, 1],
      ['evt-b2', ids.tenantB, 2],
    ]);
    expect(auditSequences).toEqual([
      { _id: ids.tenantA, seq: 3, position: 8 },
      { _id: ids.tenantB, seq: 2, position: 12 },
    ]);
    for (const doc of auditSequences ?? []) expect(AuditSequenceDocument.parse(doc)).toEqual(doc);
  });

  it('gives one entry per event, and the same entries and numbers when events are delivered again', () => {
    const first = projected('OtpChallengeLocked', { challengeId: ids.challengeA1 }, { eventId: 'evt-1', position: 1n });
    const second = projected('OtpChallengeLocked', { challengeId: ids.challengeA2 }, { eventId: 'evt-2', position: 2n });
    const once = documentsAfter(auditProjector, [first, second]);
    expect(once.audit?.map((entry) => [entry.eventId, entry.seq, entry.outcome])).toEqual([
      ['evt-1', 1, 'failure'],
      ['evt-2', 2, 'failure'],
    ]);
    for (const entry of once.audit ?? []) expect(AuditEntryDocument.parse(entry)).toEqual(entry);
    expect(documentsAfter(auditProjector, [first, second, first, second])).toEqual(once);
    expect(documentsAfter(auditProjector, [first, first, second, second, first])).toEqual(once);
  });
});
