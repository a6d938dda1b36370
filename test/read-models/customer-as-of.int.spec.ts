import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collections, EVENT_TYPES, streams, type CustomerDocument, type EventType } from '@otp/contracts';
import { projectCustomers, type ProjectedEvent } from '@otp/projection-service';
import { customerAsOf } from '@otp/query-service';
import {
  apiKeyIssued,
  apiKeyRevoked,
  apiKeyRotated,
  apiKeyUsed,
  customerActivated,
  customerCancelled,
  customerRegistered,
  customerSuspended,
  domainAdded,
  domainVerified,
  planChanged,
  profileChanged,
  quotasChanged,
  specApiKey,
  specTenant,
  type GivenEvent,
  type SpecTenant,
} from '../support/given-events';
import { startRouteApp, type RouteApp } from '../support/route-app';

/**
 * The point-in-time view (query-service/src/views/customer-as-of.ts) and the customers projector
 * apply one set of rules. At the instant of a customer's last event the view must be the read
 * model's document, less what lives on other streams than the customer's, which the view does
 * not read: a key's last use (ApiKeyUsed, on `keyuse-<customer>`).
 */
const at = (minute: number) => new Date(Date.UTC(2026, 2, 1, 10, minute));

function everyCustomerEvent(acme: SpecTenant): GivenEvent[] {
  const reader = specApiKey(acme.id, ['audit:read']);
  const heir = specApiKey(acme.id, ['audit:read']);
  return [
    ...customerRegistered(acme, at(0)),
    apiKeyIssued(acme, reader, at(1)),
    apiKeyUsed(acme, acme.key, at(2)),
    apiKeyRotated(acme, reader, heir, 3_600, at(3)),
    apiKeyRevoked(acme, reader, at(4)),
    profileChanged(acme, { companyName: 'Acme Ltd', contactEmail: 'billing@acme.test' }, at(5)),
    planChanged(acme, 'enterprise', at(6)),
    quotasChanged(acme, 5_000, null, at(7)),
    domainAdded(acme, 'mail.acme.test', 'otp-auth-verification=t', at(8)),
    domainVerified(acme, 'mail.acme.test', at(9)),
    customerSuspended(acme, 'unpaid invoice', at(10)),
    customerActivated(acme, 'paid', at(11)),
    customerCancelled(acme, 'closed the account', at(12)),
  ];
}

/** The rule the view keeps: no key has a last use, since the key-use stream is not read. */
function withoutLastUse(doc: CustomerDocument): CustomerDocument {
  const apiKeys = Object.fromEntries(Object.entries(doc.apiKeys).map(([id, { lastUsedAt: _lastUse, ...key }]) => [id, key]));
  return { ...doc, apiKeys };
}

/** Whether the customers projector writes for an event of `type`: one whose rules read its data writes. */
function projectorWritesFor(type: EventType): boolean {
  try {
    return projectCustomers({ type, data: {} } as ProjectedEvent).length > 0;
  } catch {
    return true;
  }
}

describe('the customer as of its last event', () => {
  let app: RouteApp;
  beforeAll(async () => {
    app = await startRouteApp();
  });
  afterAll(async () => {
    await app.close();
  });

  async function given(events: GivenEvent[]): Promise<void> {
    let position = 0n;
    for (const { streamName, type, data, metadata } of events)
      position = (await app.eventStore.append(streamName, [{ id: randomUUID(), type, data, metadata }], 'any')).position;
    await app.projected(position);
  }

  it('is the customers read model less the last use of keys, after a history of every event type the read model writes for', async () => {
    const acme = specTenant();
    const events = everyCustomerEvent(acme);
    await given(events);
    const now = await app.documents.get<CustomerDocument>(collections.customers, acme.id);
    expect(now?.apiKeys[acme.key.id]?.lastUsedAt, 'the read model keeps the last use the view leaves out').toBe(at(2).toISOString());
    const last = events.filter((e) => e.streamName === streams.customer(acme.id)).at(-1)!;
    const then = await customerAsOf(app.eventStore, acme.id, new Date(last.metadata.occurredAt));
    expect(then).toEqual(withoutLastUse(now!));
  });

  it('has that history hold every event type of the registry the customers projector writes for', () => {
    const inHistory = new Set(everyCustomerEvent(specTenant()).map((e) => e.type));
    expect(EVENT_TYPES.filter((type) => projectorWritesFor(type) && !inHistory.has(type))).toEqual([]);
  });
});
