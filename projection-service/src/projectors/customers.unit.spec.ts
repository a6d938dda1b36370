import { CustomerDocument, EVENT_TYPES, type ApiKeySummary, type EventType } from '@otp/contracts';
import { describe, expect, it } from 'vitest';
import { ids, projected, secrets } from '../testing/events';
import { documentsAfter } from '../testing/documents-after';
import { customersProjector, projectCustomers } from './customers';

// Every event of a customer stream; the projector writes for each of them.
const CUSTOMER_EVENTS = new Set<EventType>([
  'CustomerRegistered',
  'ApiKeyIssued',
  'ApiKeyRotated',
  'ApiKeyRevoked',
  'CustomerSuspended',
  'CustomerActivated',
  'CustomerCancelled',
  'CustomerPlanChanged',
  'CustomerProfileChanged',
  'CustomerQuotasChanged',
  'ApiKeyUsed',
  'DomainAdded',
  'DomainVerified',
]);

describe('customers projector', () => {
  it('puts an active customer without keys on CustomerRegistered', () => {
    const ops = projectCustomers(
      projected('CustomerRegistered', {
        customerId: ids.tenantA,
        name: 'Acme',
        email: 'ops@acme.test',
        plan: 'pro',
        registeredAt: '2025-03-01T23:00:00.000Z',
      }),
    );
    const expected: CustomerDocument = {
      _id: ids.tenantA,
      id: ids.tenantA,
      name: 'Acme',
      email: 'ops@acme.test',
      plan: 'pro',
      status: 'active',
      registeredAt: '2025-03-01T23:00:00.000Z',
      apiKeys: {},
    };
    expect(ops).toEqual([{ kind: 'put', collection: 'customers', doc: expected }]);
    expect(CustomerDocument.parse(expected)).toEqual(expected);
  });

  it('keeps the company name a signup registered with', () => {
    const [op] = projectCustomers(
      projected('CustomerRegistered', {
        customerId: ids.tenantA,
        name: 'Acme Ltd',
        email: 'ops@acme.test',
        plan: 'free',
        registeredAt: '2025-03-01T23:00:00.000Z',
        companyName: 'Acme Ltd',
      }),
    );
    expect(op?.kind === 'put' && op.doc).toMatchObject({ id: ids.tenantA, name: 'Acme Ltd', companyName: 'Acme Ltd' });
  });

  it('adds the key under its id on ApiKeyIssued, without its hash', () => {
    const ops = projectCustomers(
      projected('ApiKeyIssued', {
        customerId: ids.tenantA,
        keyId: ids.keyA,
        prefix: 'otp_a1',
        keyHash: secrets.keyHash,
        scopes: ['otp:write', 'audit:read'],
        issuedAt: '2025-03-01T23:01:00.000Z',
        kind: 'secret',
      }),
    );
    expect(ops).toEqual([
      {
        kind: 'update',
        collection: 'customers',
        id: ids.tenantA,
        upsert: false,
        update: {
          $set: {
            [`apiKeys.${ids.keyA}`]: {
              id: ids.keyA,
              prefix: 'otp_a1',
              scopes: ['otp:write', 'audit:read'],
              status: 'active',
              issuedAt: '2025-03-01T23:01:00.000Z',
              kind: 'secret',
            },
          },
        },
      },
    ]);
    expect(JSON.stringify(ops)).not.toContain(secrets.keyHash);
  });

  it("keeps the operator's quotas on the customer", () => {
    const data = { customerId: ids.tenantA, daily: 5_000, monthly: null, changedAt: '2025-03-02T10:00:00.000Z' };
    expect(projectCustomers(projected('CustomerQuotasChanged', data))).toEqual([
      {
        kind: 'update',
        collection: 'customers',
        id: ids.tenantA,
        upsert: false,
        update: { $set: { quotaOverride: { daily: 5_000, monthly: null } } },
      },
    ]);
  });

  it('ignores every event type of other streams', () => {
    const others = EVENT_TYPES.filter((type) => !CUSTOMER_EVENTS.has(type));
    for (const type of others) expect(projectCustomers(projected(type, {} as never))).toEqual([]);
  });

  it('gives the registered customer with each issued key, the key hash never in the document', () => {
    const registered = projected('CustomerRegistered', {
      customerId: ids.tenantA,
      name: 'Acme',
      email: 'ops@acme.test',
      plan: 'pro',
      registeredAt: '2025-03-01T23:00:00.000Z',
    });
    const issue = (keyId: string, prefix: string) =>
      projected('ApiKeyIssued', {
        customerId: ids.tenantA,
        keyId,
        prefix,
        keyHash: secrets.keyHash,
        scopes: ['otp:write'],
        issuedAt: '2025-03-01T23:01:00.000Z',
        kind: 'secret',
      });
    const documents = documentsAfter(customersProjector, [registered, issue(ids.keyA, 'otp_a1'), issue(ids.keyB, 'otp_b2')]);
    const key = (id: string, prefix: string) => ({
      id,
      prefix,
      scopes: ['otp:write'],
      status: 'active',
      issuedAt: '2025-03-01T23:01:00.000Z',
      kind: 'secret',
    });
    expect(documents).toEqual({
      customers: [
        {
          _id: ids.tenantA,
          id: ids.tenantA,
          name: 'Acme',
          email: 'ops@acme.test',
          plan: 'pro',
          status: 'active',
          registeredAt: '2025-03-01T23:00:00.000Z',
          apiKeys: { [ids.keyA]: key(ids.keyA, 'otp_a1'), [ids.keyB]: key(ids.keyB, 'otp_b2') },
        },
      ],
    });
    expect(CustomerDocument.parse(documents.customers![0])).toEqual(documents.customers![0]);
    expect(JSON.stringify(documents)).not.toContain(secrets.keyHash);
  });

  it('writes no document for a key whose customer was never registered', () => {
    const orphan = projected('ApiKeyIssued', {
      customerId: ids.tenantB,
      keyId: ids.keyB,
      prefix: 'otp_b2',
      keyHash: secrets.keyHash,
      scopes: [],
      issuedAt: '2025-03-01T23:01:00.000Z',
      kind: 'secret',
    });
    expect(documentsAfter(customersProjector, [orphan])).toEqual({});
  });

  describe('after registration', () => {
    const customerId = ids.tenantA;
    const registered = projected('CustomerRegistered', {
      customerId,
      name: 'Acme',
      email: 'ops@acme.test',
      plan: 'pro',
      registeredAt: '2025-03-01T23:00:00.000Z',
    });
    const issued = projected('ApiKeyIssued', {
      customerId,
      keyId: ids.keyA,
      prefix: 'ok_live_a1',
      keyHash: secrets.keyHash,
      scopes: ['otp:write', 'customer:admin'],
      issuedAt: '2025-03-01T23:01:00.000Z',
      kind: 'secret',
      name: 'checkout app',
    });
    const rotated = projected('ApiKeyRotated', {
      customerId,
      keyId: ids.keyA,
      newKeyId: ids.keyB,
      prefix: 'ok_live_b2',
      keyHash: secrets.keyHash,
      scopes: ['otp:write', 'customer:admin'],
      name: 'checkout app',
      rotatedAt: '2025-03-02T08:00:00.000Z',
      graceEndsAt: '2025-03-09T08:00:00.000Z',
    });
    const customer = (changes: Partial<CustomerDocument>): CustomerDocument => ({
      _id: customerId,
      id: customerId,
      name: 'Acme',
      email: 'ops@acme.test',
      plan: 'pro',
      status: 'active',
      registeredAt: '2025-03-01T23:00:00.000Z',
      apiKeys: {},
      ...changes,
    });
    const keyA: ApiKeySummary = {
      id: ids.keyA,
      prefix: 'ok_live_a1',
      scopes: ['otp:write', 'customer:admin'],
      status: 'active',
      issuedAt: '2025-03-01T23:01:00.000Z',
      name: 'checkout app',
      kind: 'secret',
    };
    // The heir of a rotation: its ApiKeyRotated (version 1, as written before kinds) names no kind.
    const { kind: _issuedKind, ...unkinded } = keyA;
    const keyB: ApiKeySummary = { ...unkinded, id: ids.keyB, prefix: 'ok_live_b2', issuedAt: '2025-03-02T08:00:00.000Z' };
    const after = (...events: ReturnType<typeof projected>[]) => documentsAfter(customersProjector, [registered, ...events]).customers;
    const docAfter = (...events: ReturnType<typeof projected>[]) => (after(...events) as CustomerDocument[])[0];

    it('keeps the name of a key', () => expect(after(issued)).toEqual([customer({ apiKeys: { [ids.keyA]: keyA } })]));

    it('marks a rotated key with its grace end and adds its heir with the same scopes and name', () => {
      const docs = after(issued, rotated);
      expect(docs).toEqual([
        customer({ apiKeys: { [ids.keyA]: { ...keyA, status: 'rotated', graceEndsAt: '2025-03-09T08:00:00.000Z' }, [ids.keyB]: keyB } }),
      ]);
      expect(CustomerDocument.parse(docs![0])).toEqual(docs![0]);
      expect(JSON.stringify(docs)).not.toContain(secrets.keyHash);
    });

    it('marks a revoked key with the time it stopped', () =>
      expect(
        after(issued, rotated, projected('ApiKeyRevoked', { customerId, keyId: ids.keyA, revokedAt: '2025-03-03T00:00:00.000Z' })),
      ).toEqual([
        customer({
          apiKeys: {
            [ids.keyA]: { ...keyA, status: 'revoked', graceEndsAt: '2025-03-09T08:00:00.000Z', revokedAt: '2025-03-03T00:00:00.000Z' },
            [ids.keyB]: keyB,
          },
        }),
      ]));

    it('follows the status with its reason, and the plan', () => {
      const suspended = projected('CustomerSuspended', { customerId, reason: 'unpaid', suspendedAt: '2025-03-04T00:00:00.000Z' });
      const activated = projected('CustomerActivated', { customerId, reason: 'paid', activatedAt: '2025-03-05T00:00:00.000Z' });
      const cancelled = projected('CustomerCancelled', { customerId, reason: 'closed', cancelledAt: '2025-03-06T00:00:00.000Z' });
      const plan = projected('CustomerPlanChanged', {
        customerId,
        plan: 'enterprise',
        previousPlan: 'pro',
        changedAt: '2025-03-04T12:00:00.000Z',
      });
      expect(after(suspended)).toEqual([customer({ status: 'suspended', statusReason: 'unpaid' })]);
      expect(after(suspended, plan, activated)).toEqual([customer({ status: 'active', statusReason: 'paid', plan: 'enterprise' })]);
      expect(after(suspended, activated, cancelled)).toEqual([customer({ status: 'cancelled', statusReason: 'closed' })]);
    });

    it('changes only the profile fields the tenant sent, and keeps the address the account was opened with', () => {
      const named = projected('CustomerProfileChanged', { customerId, companyName: 'Acme Ltd', changedAt: '2025-03-04T00:00:00.000Z' });
      const moved = projected('CustomerProfileChanged', {
        customerId,
        name: 'Acme Shop',
        contactEmail: 'billing@acme.test',
        changedAt: '2025-03-05T00:00:00.000Z',
      });
      const docs = after(named, moved);
      expect(docs).toEqual([customer({ name: 'Acme Shop', companyName: 'Acme Ltd', contactEmail: 'billing@acme.test' })]);
      expect(CustomerDocument.parse(docs![0])).toEqual(docs![0]);
    });

    it('keeps the minute a key was last used', () =>
      expect(
        after(
          issued,
          projected(
            'ApiKeyUsed',
            { customerId, keyId: ids.keyA, minute: '2025-03-02T09:14:00.000Z' },
            { streamName: `keyuse-${customerId}` },
          ),
        ),
      ).toEqual([customer({ apiKeys: { [ids.keyA]: { ...keyA, lastUsedAt: '2025-03-02T09:14:00.000Z' } } })]));

    it('keeps the kind of a publishable key and gives it to its heir', () => {
      const publishable = projected('ApiKeyIssued', {
        customerId,
        keyId: ids.keyA,
        prefix: 'pk_live_a1',
        keyHash: secrets.keyHash,
        scopes: ['otp:write'],
        issuedAt: '2025-03-01T23:01:00.000Z',
        kind: 'publishable',
      });
      const heir = projected('ApiKeyRotated', {
        customerId,
        keyId: ids.keyA,
        newKeyId: ids.keyB,
        prefix: 'pk_live_b2',
        keyHash: secrets.keyHash,
        scopes: ['otp:write'],
        kind: 'publishable',
        rotatedAt: '2025-03-02T08:00:00.000Z',
        graceEndsAt: '2025-03-09T08:00:00.000Z',
      });
      const doc = docAfter(publishable, heir);
      expect(doc?.apiKeys[ids.keyA]).toMatchObject({ kind: 'publishable', status: 'rotated' });
      expect(doc?.apiKeys[ids.keyB]).toMatchObject({ kind: 'publishable', status: 'active', prefix: 'pk_live_b2' });
    });

    const domainAdded = (domain: string, addedAt: string) =>
      projected('DomainAdded', { customerId, domain, recordName: `_otp-auth.${domain}`, recordValue: 'otp-auth-verification=t', addedAt });

    it('lists each sending domain with its record, pending until verified', () => {
      const verified = projected('DomainVerified', { customerId, domain: 'mail.acme.test', verifiedAt: '2025-03-02T10:00:00.000Z' });
      const doc = docAfter(
        domainAdded('mail.acme.test', '2025-03-02T09:00:00.000Z'),
        domainAdded('eu.acme.test', '2025-03-02T09:30:00.000Z'),
        verified,
      );
      expect(Object.values(doc?.domains ?? {})).toEqual([
        {
          domain: 'mail.acme.test',
          status: 'verified',
          record: { type: 'TXT', name: '_otp-auth.mail.acme.test', value: 'otp-auth-verification=t' },
          addedAt: '2025-03-02T09:00:00.000Z',
          verifiedAt: '2025-03-02T10:00:00.000Z',
        },
        {
          domain: 'eu.acme.test',
          status: 'pending',
          record: { type: 'TXT', name: '_otp-auth.eu.acme.test', value: 'otp-auth-verification=t' },
          addedAt: '2025-03-02T09:30:00.000Z',
        },
      ]);
      expect(CustomerDocument.parse(doc)).toEqual(doc);
    });

    it('gives the same documents when every event is applied twice', () => {
      const revokedA = projected('ApiKeyRevoked', { customerId, keyId: ids.keyA, revokedAt: '2025-03-03T00:00:00.000Z' });
      const events = [registered, issued, rotated, revokedA, domainAdded('mail.acme.test', '2025-03-03T01:00:00.000Z')];
      expect(
        documentsAfter(
          customersProjector,
          events.flatMap((e) => [e, e]),
        ),
      ).toEqual(documentsAfter(customersProjector, events));
    });
  });
});
