import { collections, customerDocumentWrites, readModelProjections } from '@otp/contracts';
import type { WriteOp } from '@otp/platform/document-store';
import type { ProjectedEvent } from '../projected-event';
import type { Projector } from './projector';

/**
 * The customers read model. What each event writes is in contracts (`customerDocumentWrites`), the
 * one set of rules this projector and the query side's point-in-time view both apply, so "now"
 * and "as of an instant" cannot give a tenant two answers for the same events.
 */
export function projectCustomers(event: ProjectedEvent): WriteOp[] {
  return customerDocumentWrites(event);
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
