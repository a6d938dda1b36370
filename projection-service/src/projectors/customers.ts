import { collections, readModelProjections, type CustomerDocument } from '@otp/contracts';
import type { WriteOp } from '@otp/platform/document-store';
import type { ProjectedEvent } from '../projected-event';
import { assertNever, type Projector } from './projector';

type ApiKeyEntry = CustomerDocument['apiKeys'][string];

export function projectCustomers(event: ProjectedEvent): WriteOp[] {
  switch (event.type) {
    case 'CustomerRegistered': {
      const { customerId, name, email, plan, registeredAt } = event.data;
      const doc: CustomerDocument = { _id: customerId, id: customerId, name, email, plan, status: 'active', registeredAt, apiKeys: {} };
      return [{ kind: 'put', collection: collections.customers, doc }];
    }
    case 'ApiKeyIssued': {
      // The key hash stays on the write side: the read model only lists keys.
      const { customerId, keyId, prefix, scopes, issuedAt } = event.data;
      const entry: ApiKeyEntry = { id: keyId, prefix, scopes, status: 'active', issuedAt };
      return [
        {
          kind: 'update',
          collection: collections.customers,
          id: customerId,
          // The customer stream starts with CustomerRegistered, so the document exists by now.
          upsert: false,
          update: { $set: { [`apiKeys.${keyId}`]: entry } },
        },
      ];
    }
    case 'OtpRequested':
    case 'OtpVerificationFailed':
    case 'OtpChallengeLocked':
    case 'OtpVerified':
    case 'UserCreated':
    case 'UserLoggedIn':
    case 'SessionStarted':
      return [];
    case 'SessionRefreshed':
    case 'SessionRevoked':
    case 'UserProfileUpdated':
      return [];
    default:
      return assertNever(event);
  }
}

export const customersProjector: Projector = {
  name: readModelProjections.customers,
  version: 1,
  collections: [collections.customers],
  indexes: [],
  project: projectCustomers,
};
