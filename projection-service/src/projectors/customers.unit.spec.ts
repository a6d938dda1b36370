import { CustomerDocument, EVENT_TYPES } from '@otp/contracts';
import { describe, expect, it } from 'vitest';
import { ids, projected, secrets } from '../testing/events';
import { projectCustomers } from './customers';

describe('customers projector', () => {
  it('puts an active customer without keys on CustomerRegistered', () => {
    const ops = projectCustomers(
      projected('CustomerRegistered', { customerId: ids.tenantA, name: 'Acme', email: 'ops@acme.test', plan: 'pro', registeredAt: '2025-03-01T23:00:00.000Z' }),
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

  it('adds the key under its id on ApiKeyIssued, without its hash', () => {
    const ops = projectCustomers(
      projected('ApiKeyIssued', {
        customerId: ids.tenantA,
        keyId: ids.keyA,
        prefix: 'otp_a1',
        keyHash: secrets.keyHash,
        scopes: ['otp:write', 'audit:read'],
        issuedAt: '2025-03-01T23:01:00.000Z',
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
            [`apiKeys.${ids.keyA}`]: { id: ids.keyA, prefix: 'otp_a1', scopes: ['otp:write', 'audit:read'], status: 'active', issuedAt: '2025-03-01T23:01:00.000Z' },
          },
        },
      },
    ]);
    expect(JSON.stringify(ops)).not.toContain(secrets.keyHash);
  });

  it('ignores every other event type', () => {
    const others = EVENT_TYPES.filter((type) => type !== 'CustomerRegistered' && type !== 'ApiKeyIssued');
    for (const type of others) expect(projectCustomers(projected(type, {} as never))).toEqual([]);
  });
});
