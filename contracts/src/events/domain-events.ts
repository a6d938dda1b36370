import { z } from 'zod';
import { SendingDomain } from '../domains/sending-domain';
import { CustomerId, IsoTimestamp } from '../ids';

/**
 * A tenant claimed a domain to send from; it stays pending until the TXT record
 * is found. The record's value is not a secret (anyone can read DNS), only
 * unguessable, so it is kept in the event and shown again on every list.
 */
export const DomainAdded = z
  .object({
    customerId: CustomerId,
    domain: SendingDomain,
    recordName: z.string(),
    recordValue: z.string(),
    addedAt: IsoTimestamp,
  })
  .strict();

/** The TXT record was found through DNS: the domain may appear in the tenant's `email.from`. */
export const DomainVerified = z.object({ customerId: CustomerId, domain: SendingDomain, verifiedAt: IsoTimestamp }).strict();
