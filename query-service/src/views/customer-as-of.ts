import { domainDocumentKey, parseEvent, streams, type CustomerDocument, type CustomerEvent, type DomainSummary } from '@otp/contracts';
import type { EventStore, RecordedEvent } from '@otp/platform/event-store';

type ApiKeyEntry = CustomerDocument['apiKeys'][string];

const CUSTOMER_EVENT_TYPES: ReadonlySet<string> = new Set<CustomerEvent['type']>([
  'CustomerRegistered',
  'ApiKeyIssued',
  'ApiKeyRotated',
  'ApiKeyRevoked',
  'CustomerSuspended',
  'CustomerActivated',
  'CustomerCancelled',
  'CustomerPlanChanged',
  'CustomerProfileChanged',
  'DomainAdded',
  'DomainVerified',
  'CustomerQuotasChanged',
]);

/**
 * The customer as it was at `asOf`: its stream's events that occurred up to then (inclusive),
 * folded into the read model's document shape. Read from the event store, not the customers read
 * model, which only knows now. A key's last use lives on another stream and is left out.
 * Undefined when the customer was not registered by then.
 */
export async function customerAsOf(
  eventStore: Pick<EventStore, 'readStream'>,
  customerId: string,
  asOf: Date,
): Promise<CustomerDocument | undefined> {
  const recorded = await eventStore.readStream(streams.customer(customerId));
  let doc: CustomerDocument | undefined;
  for (const event of recorded) {
    if (Date.parse(String(event.metadata['occurredAt'])) > asOf.getTime()) break;
    const parsed = customerEvent(event);
    if (parsed) doc = evolve(doc, parsed);
  }
  return doc;
}

function customerEvent(recorded: RecordedEvent): CustomerEvent | undefined {
  if (!CUSTOMER_EVENT_TYPES.has(recorded.type)) return undefined;
  const schemaVersion = typeof recorded.metadata['schemaVersion'] === 'number' ? recorded.metadata['schemaVersion'] : 1;
  return parseEvent(recorded.type, recorded.data, schemaVersion) as CustomerEvent;
}

/** What the customers projector writes for each event, applied to one document in memory. */
function evolve(doc: CustomerDocument | undefined, event: CustomerEvent): CustomerDocument | undefined {
  if (event.type === 'CustomerRegistered') {
    const { customerId, name, email, plan, registeredAt, companyName } = event.data;
    const company = companyName !== undefined ? { companyName } : {};
    return { _id: customerId, id: customerId, name, email, ...company, plan, status: 'active', registeredAt, apiKeys: {} };
  }
  // The stream starts with CustomerRegistered; anything before it cannot be a customer.
  if (!doc) return undefined;
  switch (event.type) {
    case 'ApiKeyIssued': {
      const { keyId, prefix, scopes, issuedAt, name, kind } = event.data;
      const entry: ApiKeyEntry = {
        id: keyId,
        prefix,
        scopes,
        status: 'active',
        issuedAt,
        ...(name !== undefined ? { name } : {}),
        ...(kind !== undefined ? { kind } : {}),
      };
      return { ...doc, apiKeys: { ...doc.apiKeys, [keyId]: entry } };
    }
    case 'ApiKeyRotated': {
      const { keyId, newKeyId, prefix, scopes, name, kind, rotatedAt, graceEndsAt } = event.data;
      const old = doc.apiKeys[keyId];
      const entry: ApiKeyEntry = {
        id: newKeyId,
        prefix,
        scopes,
        status: 'active',
        issuedAt: rotatedAt,
        ...(name !== undefined ? { name } : {}),
        ...(kind !== undefined ? { kind } : {}),
      };
      return {
        ...doc,
        apiKeys: { ...doc.apiKeys, ...(old ? { [keyId]: { ...old, status: 'rotated', graceEndsAt } } : {}), [newKeyId]: entry },
      };
    }
    case 'ApiKeyRevoked': {
      const old = doc.apiKeys[event.data.keyId];
      if (!old) return doc;
      return { ...doc, apiKeys: { ...doc.apiKeys, [event.data.keyId]: { ...old, status: 'revoked', revokedAt: event.data.revokedAt } } };
    }
    case 'CustomerSuspended':
      return { ...doc, status: 'suspended', statusReason: event.data.reason };
    case 'CustomerActivated':
      return { ...doc, status: 'active', statusReason: event.data.reason };
    case 'CustomerCancelled':
      return { ...doc, status: 'cancelled', statusReason: event.data.reason };
    case 'CustomerPlanChanged':
      return { ...doc, plan: event.data.plan };
    case 'CustomerProfileChanged': {
      const { name, companyName, contactEmail } = event.data;
      const fields = Object.fromEntries(Object.entries({ name, companyName, contactEmail }).filter(([, value]) => value !== undefined));
      return { ...doc, ...fields };
    }
    case 'DomainAdded': {
      const { domain, recordName, recordValue, addedAt } = event.data;
      const entry: DomainSummary = { domain, status: 'pending', record: { type: 'TXT', name: recordName, value: recordValue }, addedAt };
      return { ...doc, domains: { ...doc.domains, [domainDocumentKey(domain)]: entry } };
    }
    case 'CustomerQuotasChanged':
      return { ...doc, quotaOverride: { daily: event.data.daily, monthly: event.data.monthly } };
    case 'DomainVerified': {
      const key = domainDocumentKey(event.data.domain);
      const known = doc.domains?.[key];
      if (!known) return doc;
      return { ...doc, domains: { ...doc.domains, [key]: { ...known, status: 'verified', verifiedAt: event.data.verifiedAt } } };
    }
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}
