import { CustomerDocument, EVENT_TYPES } from '@otp/contracts';
import { describe, expect, it } from 'vitest';
import { ids, projected, secrets } from '../testing/events';
import { documentsAfter } from '../testing/documents-after';
import { customersProjector, projectCustomers } from './customers';

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
            [`apiKeys.${ids.keyA}`]: {
              id: ids.keyA,
              prefix: 'otp_a1',
              scopes: ['otp:write', 'audit:read'],
              status: 'active',
              issuedAt: '2025-03-01T23:01:00.000Z',
            },
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
      });
    const documents = documentsAfter(customersProjector, [registered, issue(ids.keyA, 'otp_a1'), issue(ids.keyB, 'otp_b2')]);
    const key = (id: string, prefix: string) => ({
      id,
      prefix,
      scopes: ['otp:write'],
      status: 'active',
      issuedAt: '2025-03-01T23:01:00.000Z',
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
    });
    expect(documentsAfter(customersProjector, [orphan])).toEqual({});
  });
});
