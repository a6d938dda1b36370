import { customerFold, type CustomerEvent, type CustomerState } from '@otp/contracts';
import { DomainError, type Decider } from '../handling/decider';
import { requireActive } from '../customers/customer-decider';

/** Enough for a tenant's brands and environments; a cap keeps the customer stream every key check folds small. */
export const MAX_DOMAINS = 20;

export type AddDomain = {
  type: 'AddDomain';
  customerId: string;
  domain: string;
  recordName: string;
  recordValue: string;
  now: Date;
};

/** `found`: the TXT values DNS answered for the record's name, looked up by the use case (the decider does no I/O). */
export type VerifyDomain = { type: 'VerifyDomain'; customerId: string; domain: string; found: readonly string[]; now: Date };

export type DomainCommand = AddDomain | VerifyDomain;

function addDomain(command: AddDomain, state: CustomerState): CustomerEvent[] {
  const { customerId, domain, recordName, recordValue, now } = command;
  requireActive(state, customerId);
  // Adding it again is asking for what already holds: the record to publish stays the one first drawn.
  if (state.domains.has(domain)) return [];
  if (state.domains.size >= MAX_DOMAINS) throw new DomainError('too_many_domains', 'sending domain limit reached', { limit: MAX_DOMAINS });
  return [{ type: 'DomainAdded', data: { customerId, domain, recordName, recordValue, addedAt: now.toISOString() } }];
}

function verifyDomain(command: VerifyDomain, state: CustomerState): CustomerEvent[] {
  const { customerId, domain, found, now } = command;
  requireActive(state, customerId);
  const known = state.domains.get(domain);
  if (!known) throw new DomainError('domain_not_found', `no sending domain ${domain}; add it first`, { domain });
  if (known.status === 'verified') return [];
  if (!found.includes(known.recordValue)) {
    // The record is public, so naming it in the answer tells nothing DNS would not.
    throw new DomainError('domain_not_verified', `no TXT record ${known.recordName} holding "${known.recordValue}" was found`, {
      domain,
      found: found.length,
    });
  }
  return [{ type: 'DomainVerified', data: { customerId, domain, verifiedAt: now.toISOString() } }];
}

/**
 * The domains a tenant sends from, on its customer stream: the fold is the
 * customer's (contracts), so the config commands see the same verified domains
 * the moment DomainVerified is appended.
 */
export const domainDecider: Decider<DomainCommand, CustomerState, CustomerEvent> = {
  ...customerFold,
  decide: (command, state) => {
    switch (command.type) {
      case 'AddDomain':
        return addDomain(command, state);
      case 'VerifyDomain':
        return verifyDomain(command, state);
      default: {
        const unknown: never = command;
        return unknown;
      }
    }
  },
};
