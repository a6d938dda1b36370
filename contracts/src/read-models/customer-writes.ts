import type { DomainEvent } from '../events/registry';
import { collections, domainDocumentKey, type CustomerDocument, type DomainSummary } from './documents';

type ApiKeyEntry = CustomerDocument['apiKeys'][string];

/**
 * A write to the customers read model in the document store's terms. Contracts import nothing of
 * ours, so this is not platform's `WriteOp` by name; it is one by shape, and both users pass it
 * where a `WriteOp` goes: the compiler says so the day the two part.
 */
export type CustomerDocumentWrite =
  | { kind: 'put'; collection: typeof collections.customers; doc: CustomerDocument }
  | {
      kind: 'update';
      collection: typeof collections.customers;
      id: string;
      upsert: false;
      update: { $set: Record<string, unknown> };
    };

/** Every event after the first on a customer stream changes the one document CustomerRegistered put. */
function setOnCustomer(customerId: string, fields: Record<string, unknown>): CustomerDocumentWrite[] {
  // The customer stream starts with CustomerRegistered, so the document exists by now.
  return [{ kind: 'update', collection: collections.customers, id: customerId, upsert: false, update: { $set: fields } }];
}

/**
 * What each event writes to the customers read model: the one set of rules for the customers
 * projector, which commits these writes, and the query side's point-in-time view, which applies
 * them in memory to a customer's stream up to an instant (it may not import the projector). The
 * writes set fields, never the whole document, so projecting needs no read of it.
 */
export function customerDocumentWrites(event: DomainEvent): CustomerDocumentWrite[] {
  switch (event.type) {
    case 'CustomerRegistered': {
      const { customerId, name, email, plan, registeredAt, companyName } = event.data;
      const company = companyName !== undefined ? { companyName } : {};
      // `domains` comes with the first domain added ($set makes the map), as it does for documents projected before domains.
      const doc: CustomerDocument = {
        _id: customerId,
        id: customerId,
        name,
        email,
        ...company,
        plan,
        status: 'active',
        registeredAt,
        apiKeys: {},
      };
      return [{ kind: 'put', collection: collections.customers, doc }];
    }
    case 'ApiKeyIssued': {
      // The key hash stays on the write side: the read model only lists keys.
      const { customerId, keyId, prefix, scopes, issuedAt, name, kind } = event.data;
      const entry: ApiKeyEntry = {
        id: keyId,
        prefix,
        scopes,
        status: 'active',
        issuedAt,
        ...(name !== undefined ? { name } : {}),
        ...(kind !== undefined ? { kind } : {}),
      };
      return setOnCustomer(customerId, { [`apiKeys.${keyId}`]: entry });
    }
    case 'ApiKeyRotated': {
      const { customerId, keyId, newKeyId, prefix, scopes, name, kind, rotatedAt, graceEndsAt } = event.data;
      const entry: ApiKeyEntry = {
        id: newKeyId,
        prefix,
        scopes,
        status: 'active',
        issuedAt: rotatedAt,
        ...(name !== undefined ? { name } : {}),
        ...(kind !== undefined ? { kind } : {}),
      };
      return setOnCustomer(customerId, {
        [`apiKeys.${keyId}.status`]: 'rotated',
        [`apiKeys.${keyId}.graceEndsAt`]: graceEndsAt,
        [`apiKeys.${newKeyId}`]: entry,
      });
    }
    case 'ApiKeyRevoked': {
      const { customerId, keyId, revokedAt } = event.data;
      return setOnCustomer(customerId, { [`apiKeys.${keyId}.status`]: 'revoked', [`apiKeys.${keyId}.revokedAt`]: revokedAt });
    }
    case 'CustomerSuspended':
      return setOnCustomer(event.data.customerId, { status: 'suspended', statusReason: event.data.reason });
    case 'CustomerActivated':
      return setOnCustomer(event.data.customerId, { status: 'active', statusReason: event.data.reason });
    case 'CustomerCancelled':
      return setOnCustomer(event.data.customerId, { status: 'cancelled', statusReason: event.data.reason });
    case 'CustomerPlanChanged':
      return setOnCustomer(event.data.customerId, { plan: event.data.plan });
    case 'CustomerProfileChanged': {
      // Only what the tenant sent; `email` stays the address the account was opened with.
      const { customerId, name, companyName, contactEmail } = event.data;
      const fields = { name, companyName, contactEmail };
      return setOnCustomer(customerId, Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)));
    }
    case 'CustomerQuotasChanged':
      return setOnCustomer(event.data.customerId, { quotaOverride: { daily: event.data.daily, monthly: event.data.monthly } });
    // On the key-use stream (`keyuse-<customer>`), not the customer stream: a view of the customer stream alone has no last use.
    case 'ApiKeyUsed':
      return setOnCustomer(event.data.customerId, { [`apiKeys.${event.data.keyId}.lastUsedAt`]: event.data.minute });
    case 'DomainAdded': {
      const { customerId, domain, recordName, recordValue, addedAt } = event.data;
      const entry: DomainSummary = { domain, status: 'pending', record: { type: 'TXT', name: recordName, value: recordValue }, addedAt };
      return setOnCustomer(customerId, { [`domains.${domainDocumentKey(domain)}`]: entry });
    }
    case 'DomainVerified': {
      const { customerId, domain, verifiedAt } = event.data;
      const key = `domains.${domainDocumentKey(domain)}`;
      return setOnCustomer(customerId, { [`${key}.status`]: 'verified', [`${key}.verifiedAt`]: verifiedAt });
    }
    case 'OtpRequested':
    case 'OtpVerificationFailed':
    case 'OtpChallengeLocked':
    case 'OtpVerified':
    case 'OtpRateLimitExceeded':
    case 'UserCreated':
    case 'UserLoggedIn':
    case 'SessionStarted':
    case 'SigningKeyAdded':
    case 'SigningKeyActivated':
    case 'SigningKeyRetired':
      return [];
    case 'SessionRefreshed':
    case 'SessionRevoked':
    case 'UserProfileUpdated':
      return [];
    // The config is read from its own stream by the write side (ETag, If-Match), not from a read model.
    case 'TenantConfigChanged':
      return [];
    // Deliveries and limits are counted by the usage projection; the customer document does not change.
    case 'EmailSent':
    case 'EmailFailed':
    case 'RateLimitExceeded':
    case 'QuotaExceeded':
      return [];
    // What a signup asked for is registered by the verify's CustomerRegistered, which this writes.
    case 'SignupRequested':
      return [];
    default: {
      // A new event type does not compile until the customers read model decides on it.
      const unknown: never = event;
      throw new Error(`unhandled event ${JSON.stringify((unknown as { type?: unknown }).type)}`);
    }
  }
}
