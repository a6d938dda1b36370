import { collections, domainDocumentKey, readModelProjections, type CustomerDocument, type DomainSummary } from '@otp/contracts';
import type { WriteOp } from '@otp/platform/document-store';
import type { ProjectedEvent } from '../projected-event';
import { assertNever, type Projector } from './projector';

type ApiKeyEntry = CustomerDocument['apiKeys'][string];

/**
 * A domain's key in the document's `domains` map: a field path segment must be a
 * plain identifier (no dots or hyphens, at most 64 characters), which a domain
 * name is not, so the key is a digest of it; each entry holds the name itself.
 */
const domainKey = domainDocumentKey;

/** Every event after the first on a customer stream changes the one document CustomerRegistered put. */
function setOnCustomer(customerId: string, fields: Record<string, unknown>): WriteOp[] {
  // The customer stream starts with CustomerRegistered, so the document exists by now.
  return [{ kind: 'update', collection: collections.customers, id: customerId, upsert: false, update: { $set: fields } }];
}

export function projectCustomers(event: ProjectedEvent): WriteOp[] {
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
    case 'ApiKeyUsed':
      return setOnCustomer(event.data.customerId, { [`apiKeys.${event.data.keyId}.lastUsedAt`]: event.data.minute });
    case 'DomainAdded': {
      const { customerId, domain, recordName, recordValue, addedAt } = event.data;
      const entry: DomainSummary = { domain, status: 'pending', record: { type: 'TXT', name: recordName, value: recordValue }, addedAt };
      return setOnCustomer(customerId, { [`domains.${domainKey(domain)}`]: entry });
    }
    case 'DomainVerified': {
      const { customerId, domain, verifiedAt } = event.data;
      const key = `domains.${domainKey(domain)}`;
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
    // What a signup asked for is registered by the verify's CustomerRegistered, which this projects.
    case 'SignupRequested':
      return [];
    default:
      return assertNever(event);
  }
}

export const customersProjector: Projector = {
  name: readModelProjections.customers,
  // Still 1: the events added since write nothing new for the events already stored.
  version: 1,
  collections: [collections.customers],
  // The operator's list filters by status or email and pages in id order; the service lookup by email uses the second.
  indexes: [
    { collection: collections.customers, fields: ['status', 'id'] },
    { collection: collections.customers, fields: ['email', 'id'] },
  ],
  project: projectCustomers,
};
